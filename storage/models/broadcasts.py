"""Broadcasts: one announcement an admin sends to a chosen group, and who it went to.

Each recipient is one outbox row (`ScheduledMessage.broadcast_id`, kind `broadcast`, key
`broadcast:<id>:<participant>`), so delivery, retries, crash recovery and the figures are the
outbox's own; the broadcast row holds what was written, for whom, and where it stands.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class BroadcastStatus:
    DRAFT = "draft"  # being written or previewed: nobody gets anything yet
    SENDING = "sending"  # confirmed: its outbox rows are written (or being written)
    SCHEDULED = "scheduled"  # confirmed for a later local time: rows wait for it
    DONE = "done"  # every row reached an end (sent, failed, skipped)
    CANCELLED = "cancelled"  # stopped by staff: rows not yet sent were cancelled


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Who wrote it (None: the command line, which names the organisation instead).
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(16), default=BroadcastStatus.DRAFT, index=True)
    text: Mapped[str] = mapped_column(Text)  # Indonesian, as written
    text_en: Mapped[str | None] = mapped_column(Text)  # for people who chose English
    # What people in discreet mode get instead, when the text names an institution and staff
    # chose a neutral version at the preview (None: everyone gets the text).
    neutral_text: Mapped[str | None] = mapped_column(Text)
    neutral_text_en: Mapped[str | None] = mapped_column(Text)
    # Who it is for: storage/broadcasts/audience.py `Audience.to_json`.
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Sent at this local time in each recipient's own zone (None: now).
    local_date: Mapped[date | None]
    local_time: Mapped[time | None]
    # Figures fixed at confirmation: recipients written, and those left out by reason.
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    left_out: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Writing its outbox rows, in batches by participant id: the last id written, and when the
    # last batch was (None: not all written yet; a restart carries on from `written_up_to`).
    written_up_to: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    written_at: Mapped[datetime | None]
    # Where the sender follows its progress (a message edited in place where the channel can).
    progress_address_id: Mapped[int | None] = mapped_column(
        ForeignKey("addresses.id", ondelete="SET NULL")
    )
    progress_external_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    finished_at: Mapped[datetime | None]
