"""Flags: participant messages that wait for a person on the staff (help, danger, a new number)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class FlagReason:
    """Why a message waits for staff; the danger reasons come from handlers/understanding/distress.py."""

    MESSAGE = "message"  # free text the bot cannot act on: for the caseworker to read and answer
    PHONE_CHANGE = "phone_change"  # the person gave a new phone number
    RSVP_NOTE = "rsvp_note"  # an answer to a reminder that says more than yes or no
    HARDSHIP = "hardship"  # asks for help: illness, eviction, no money, lost job, grief
    SELF_HARM = "self_harm"  # danger: wants to die or to hurt themselves
    VIOLENCE = "violence"  # danger: hurt, threatened, or about to hurt someone
    ARREST = "arrest"  # danger: arrested or held by the police
    RELAPSE = "relapse"  # danger: using drugs or drinking again
    LOW_MOOD = "low_mood"  # a check-in: feels very bad (mood 1 of 5)
    NO_HOME = "no_home"  # a check-in: has no safe place to live
    WANTS_CONTACT = "wants_contact"  # a check-in: asks their caseworker to contact them


class FlagStatus:
    OPEN = "open"  # waits for staff
    RESOLVED = "resolved"  # a person on the staff dealt with it


class FlagOutcome:
    """How a staff member closed a flag from its alert (handlers/alerts/staff.py)."""

    CONTACTED = "contacted"  # they spoke with the person
    REFERRED = "referred"  # sent on to a service (health, legal, shelter, ...)
    NOT_URGENT = "not_urgent"  # looked into it: no emergency
    OTHER = "other"


class Flag(Base):
    """One message (the text stays in the message log, erased with it) that staff must see."""

    __tablename__ = "flags"
    __table_args__ = (Index("ix_flags_participant_status", "participant_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    # The check-in whose answers raised it, if any (handlers/checkins/alerts.py).
    checkin_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkins.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(String(24))
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=FlagStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    # Who closed it and how (a FlagOutcome; None when closed from the command line).
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(16))
    # "Saya tangani": someone on the staff took it on (no escalation), still open until resolved.
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL")
    )


class AlertRules(Base):
    """An organisation's own alert rules (handlers/alerts/rules.py holds the defaults, used
    when it has no row). Danger in what someone writes always alerts."""

    __tablename__ = "alert_rules"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    low_mood: Mapped[bool] = mapped_column(Boolean, default=True)  # mood 1 of 5
    no_home: Mapped[bool] = mapped_column(Boolean, default=True)  # no safe place to live
    wants_contact: Mapped[bool] = mapped_column(Boolean, default=True)  # asks to be contacted
    escalate_hours: Mapped[int] = mapped_column(Integer, default=4)  # unacknowledged: to admins
