"""Messages relayed through the bot between a participant and the staff who look after them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class RelayDirection:
    TO_PARTICIPANT = "to_participant"  # a staff member wrote it; the outbox takes it to them
    FROM_PARTICIPANT = "from_participant"  # the participant's reply, passed on to staff


class RelayStatus:
    QUEUED = "queued"  # to the participant: an outbox row carries it (its status says the rest)
    RELAYED = "relayed"  # from the participant: told to at least one staff chat
    FLAGGED = "flagged"  # from the participant: no staff chat was reachable, a flag waits


class RelayMessage(Base):
    """One relayed message; its text is personal data, deleted when the participant is erased."""

    __tablename__ = "relay_messages"
    __table_args__ = (Index("ix_relay_participant_created", "participant_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    # TO_PARTICIPANT: who wrote it. FROM_PARTICIPANT: the (first) staff member it went to;
    # None when nobody on the staff could be reached.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    direction: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    # TO_PARTICIPANT: the outbox row that takes it to the participant.
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("scheduled_messages.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The participant closed the conversation (Selesai, /berhenti): their free text is no
    # longer passed on as a reply to this message.
    ended_at: Mapped[datetime | None]
