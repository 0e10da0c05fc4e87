"""What a message or a button is about: a session or an appointment occurrence, as a typed reference.

This module is the only place that turns a reference into text ("s12", "o34", in outbox keys and
button payloads such as "rsvp:s12:yes" or "join:s12") and back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import InstrumentedAttribute

from storage.models import ScheduledMessage

RSVP_CHOICES = ("yes", "no", "later")  # I'll be there / I can't come / ask to reschedule


class EventKind(StrEnum):
    SESSION = "s"  # a program session (storage: sessions)
    OCCURRENCE = "o"  # one date of a one-to-one appointment (storage: occurrences)


@dataclass(frozen=True)
class EventRef:
    kind: EventKind
    id: int

    def __str__(self) -> str:
        return f"{self.kind.value}{self.id}"

    @classmethod
    def parse(cls, text: str) -> EventRef | None:
        """ "s12" -> the session 12; None for anything else (a forged or garbled payload)."""
        head, number = text[:1], text[1:]
        if head not in EventKind._value2member_map_ or not number.isdigit() or len(number) > 18:
            return None
        return cls(EventKind(head), int(number))

    @classmethod
    def session(cls, session_id: int) -> EventRef:
        return cls(EventKind.SESSION, session_id)

    @classmethod
    def occurrence(cls, occurrence_id: int) -> EventRef:
        return cls(EventKind.OCCURRENCE, occurrence_id)

    @classmethod
    def of_row(cls, row: ScheduledMessage) -> EventRef | None:
        """What an outbox row is about, if it is about an event."""
        if row.session_id is not None:
            return cls.session(row.session_id)
        if row.occurrence_id is not None:
            return cls.occurrence(row.occurrence_id)
        return None

    def columns(self) -> dict[str, int]:
        """The outbox row's columns that point at this event."""
        if self.kind == EventKind.SESSION:
            return {"session_id": self.id}
        return {"occurrence_id": self.id}


def about_column(ref: EventRef) -> InstrumentedAttribute[int | None]:
    """The outbox column that points at events of `ref`'s kind."""
    if ref.kind == EventKind.SESSION:
        return ScheduledMessage.session_id
    return ScheduledMessage.occurrence_id


def rsvp_payload(ref: EventRef, choice: str) -> str:
    return f"rsvp:{ref}:{choice}"


def parse_rsvp(payload: str) -> tuple[EventRef, str] | None:
    """ "rsvp:s12:yes" -> (session 12, "yes"); None when the payload is not a valid answer."""
    prefix, ref_text, choice = [*payload.split(":"), "", "", ""][:3]
    ref = EventRef.parse(ref_text)
    if prefix != "rsvp" or ref is None or choice not in RSVP_CHOICES:
        return None
    return ref, choice


def join_payload(ref: EventRef) -> str:
    return f"join:{ref}"


def parse_join(value: str) -> EventRef | None:
    """The part after "join:" -> the session to join; None unless it names a session."""
    ref = EventRef.parse(value)
    return ref if ref is not None and ref.kind == EventKind.SESSION else None
