"""The outbox: every message the bot sends on its own initiative is a row with a due time."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class ScheduledStatus:
    PENDING = "pending"  # waiting for its due time
    CLAIMED = "claimed"  # a dispatcher reserved it; not yet handed to the platform
    SENDING = "sending"  # handed to the platform; its answer is not recorded yet
    INTERRUPTED = "interrupted"  # the dispatcher died while sending: it may have arrived, so it is
    # not sent again (a duplicate reminder is worse than none for a message already on its way)
    SENT = "sent"  # the platform accepted it
    SKIPPED = "skipped"  # not sent on purpose: too late, person stopped/erased/unreachable
    CANCELLED = "cancelled"  # the session or appointment changed; superseded
    FAILED = "failed"  # the platform refused it for good; see error


class OutboxKind(StrEnum):
    """Every kind of message the bot sends on its own initiative. How each is rendered and
    whether it may go out late is registered by its feature package (handlers/outbox/registry.py)."""

    CONFIRMATION = "confirmation"  # you are booked for a session or appointment
    SEAT = "seat"  # a seat came free for someone on the waiting list
    WAITLISTED = "waitlisted"  # the session is full: you are on the waiting list
    REMINDER = "reminder"  # the session or appointment is coming up (one row per offset)
    CANCELLED = "cancelled"  # the session or appointment will not take place
    MOVED = "moved"  # the session has a new time or place
    FOLLOWUP = "followup"  # we missed you: a kind word and the next session
    RELAY = "relay"  # a message from the participant's caseworker (handlers/relay/)
    DIGEST = "digest"  # a staff member's morning digest (handlers/digest/), one a day
    WEEKLY = "weekly"  # a staff member's weekly chart (handlers/reports/), on Mondays
    STAFF_NOTICE = "staff_notice"  # a one-off notice to a staff member (handlers/outbox/notices.py)
    CHECKIN = "checkin"  # how are you doing? a check-in on a day of the person's schedule
    CHECKIN_NUDGE = "checkin_nudge"  # the one gentle reminder a day after an unanswered check-in
    STAFF_ALERT = "staff_alert"  # a flag that needs a staff member now (handlers/alerts/)
    ALERT_ESCALATION = "alert_escalation"  # an alert nobody took on in time: to the admins
    BROADCAST = "broadcast"  # an admin's announcement, one row per recipient (handlers/broadcasts/)


# Exactly one recipient: a participant or a staff member.
ONE_RECIPIENT = "(participant_id IS NULL) <> (staff_id IS NULL)"


class ScheduledMessage(Base):
    """A reminder, confirmation, change notice or follow-up, rendered when it is sent."""

    __tablename__ = "scheduled_messages"
    __table_args__ = (
        Index("ix_scheduled_due", "status", "due_at"),
        Index("ix_scheduled_broadcast", "broadcast_id", "status"),
        # Whether another dispatcher holds, or just sent, one of a person's rows (storage/outbox.py).
        Index("ix_scheduled_participant_status", "participant_id", "status"),
        Index("ix_scheduled_staff_status", "staff_id", "status"),
        CheckConstraint(ONE_RECIPIENT, name="ck_scheduled_one_recipient"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)  # makes planning idempotent
    kind: Mapped[str] = mapped_column(String(24))  # an OutboxKind
    # The recipient: a participant or a staff member (exactly one is set).
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    # What a staff notice says: {"text": English source, "params": {...}}, translated when it is
    # sent; `about_id` the participant it is about (erasure blanks it: storage/erasure.py).
    data: Mapped[dict[str, Any] | None]
    about_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), index=True)
    # What it is about, if an event (handlers/programs/refs.py EventRef.of_row reads these).
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sessions.id"), index=True)
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("occurrences.id"), index=True)
    offset_minutes: Mapped[int | None] = mapped_column(Integer)
    # The broadcast it delivers to one recipient (storage/models/broadcasts.py).
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"))
    due_at: Mapped[datetime]
    event_at: Mapped[datetime | None]  # when the session starts: never remind after that
    status: Mapped[str] = mapped_column(String(16), default=ScheduledStatus.PENDING)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    error: Mapped[str | None] = mapped_column(String(200))
    # The platform refused its free text later (WhatsApp 131047: more than 24 hours since the
    # person wrote): it goes once more, as its template only (handlers/outbox/fallback.py).
    template_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
