"""For the tests of the participant list, the card and notes: an organisation with programs,
people with real sessions, answers, attendance, appointments, flags and chats, written straight
to the database at moments relative to now (the staff chat's messages run at the real time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import event, select

from bot.channels.whatsapp.render import render
from handlers.types import Reply
from storage.db import Database
from storage.models import (
    Address,
    Appointment,
    Enrolment,
    EnrolmentStatus,
    Flag,
    Occurrence,
    Program,
    ProgramSession,
    Staff,
)


def now() -> datetime:
    return datetime.now(UTC)


async def staff_id(db: Database, name: str) -> int:
    async with db.transaction() as tx:
        return int((await tx.execute(select(Staff.id).where(Staff.name == name))).scalar_one())


async def add_program(db: Database, organisation_id: int, name: str) -> int:
    async with db.transaction() as tx:
        program = Program(organisation_id=organisation_id, name=name, kind="job_training")
        tx.add(program)
        await tx.flush()
        return program.id


async def add_session(
    db: Database, program_id: int, starts_at: datetime, *, title: str | None = None
) -> int:
    async with db.transaction() as tx:
        session = ProgramSession(
            program_id=program_id, title=title, starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2), timezone="Asia/Jakarta",
            place="BLK Pekalongan", status="scheduled",
        )  # fmt: skip
        tx.add(session)
        await tx.flush()
        return session.id


@dataclass(frozen=True)
class Answer:
    rsvp: str | None = None  # "yes", "no", "reschedule"
    attendance: str | None = None  # "attended", "absent"
    reason: str | None = None
    days: str | None = None
    handled: bool = False


async def enrol_with(db: Database, participant_id: int, session_id: int, answer: Answer) -> None:
    """A seat, with the participant's answer and attendance as if they had happened."""
    async with db.transaction() as tx:
        withdrawn = answer.rsvp in ("no", "reschedule")
        tx.add(
            Enrolment(
                participant_id=participant_id, session_id=session_id,
                status=EnrolmentStatus.WITHDRAWN if withdrawn else EnrolmentStatus.ENROLLED,
                rsvp=answer.rsvp, rsvp_at=now() if answer.rsvp else None,
                reschedule_reason=answer.reason, reschedule_days=answer.days,
                attendance=answer.attendance, handled_at=now() if answer.handled else None,
            )
        )  # fmt: skip


async def appointment_with(
    db: Database, participant_id: int, organisation_id: int, starts_at: datetime, answer: Answer
) -> None:
    """A one-off reporting appointment and its one meeting, answered as given."""
    async with db.transaction() as tx:
        appointment = Appointment(
            participant_id=participant_id, organisation_id=organisation_id, kind="reporting",
            starts_at=starts_at, timezone="Asia/Jakarta", place="Kantor Bapas", active=True,
        )  # fmt: skip
        tx.add(appointment)
        await tx.flush()
        tx.add(
            Occurrence(
                appointment_id=appointment.id, starts_at=starts_at, rsvp=answer.rsvp,
                reschedule_reason=answer.reason, reschedule_days=answer.days,
                attendance=answer.attendance, handled_at=now() if answer.handled else None,
            )
        )  # fmt: skip


async def flag(db: Database, participant_id: int, *, urgent: bool = False) -> None:
    async with db.transaction() as tx:
        reason = "self_harm" if urgent else "message"
        tx.add(Flag(participant_id=participant_id, reason=reason, urgent=urgent, status="open"))


async def chat(
    db: Database, participant_id: int, channel: str, value: str, *, wrote: datetime | None
) -> None:
    async with db.transaction() as tx:
        tx.add(
            Address(
                participant_id=participant_id, channel=channel, value=value, last_inbound_at=wrote
            )
        )


async def set_status(db: Database, participant_id: int, status: str) -> None:
    from storage.models import Participant

    async with db.transaction() as tx:
        participant = await tx.get(Participant, participant_id)
        assert participant is not None
        participant.status = status


class Statements:
    """Counts the SQL statements the database runs while it is on (`with Statements(db) as s`)."""

    def __init__(self, db: Database) -> None:
        self.engine = db.engine.sync_engine
        self.count = 0

    def _seen(self, *_args: object) -> None:
        self.count += 1

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


def whatsapp_limits_kept(replies: list[Reply]) -> bool:
    """Every reply, as WhatsApp gets it, keeps its limits: at most 3 reply buttons with titles
    of at most 20 characters, or a list of at most 10 rows with titles of at most 24; never the
    numbered-text fallback (which would mean too many buttons)."""
    for reply in replies:
        if len(reply.buttons) > 10:
            return False
        for part in render(reply):
            interactive = part.message.get("interactive")
            if interactive is None:
                continue
            if interactive["type"] == "button":
                buttons = interactive["action"]["buttons"]
                if len(buttons) > 3 or any(len(b["reply"]["title"]) > 20 for b in buttons):
                    return False
            else:
                rows = [r for s in interactive["action"]["sections"] for r in s["rows"]]
                if len(rows) > 10 or any(len(r["title"]) > 24 for r in rows):
                    return False
    return True


# The buttons of a card for staff who may act on the person, in order (CARD_BUTTONS, then
# "Peserta" and "Menu"): one place for every test that checks them.
CARD_ACTIONS = [
    "Tambah catatan",
    "Kirim pesan",
    "Jadwalkan",
    "Ganti pendamping",
    "Dengar/lihat kabar",
    "Peserta",
    "Menu",
]
