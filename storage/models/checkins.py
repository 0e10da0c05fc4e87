"""Check-ins: a participant's short answers on how they are doing, and when they are asked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class CheckinStatus:
    PARTIAL = "partial"  # begun and not finished: resumable for a day, then kept as it is
    COMPLETE = "complete"  # every question answered (the last one may be skipped)
    EXPIRED = "expired"  # a prompt nobody answered within two days (counts towards non-response)


class Checkin(Base):
    """One check-in: the structured answers in their own columns, the needs in `checkin_help`."""

    __tablename__ = "checkins"
    __table_args__ = (Index("ix_checkins_participant_started", "participant_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(12), default=CheckinStatus.PARTIAL)
    channel: Mapped[str | None] = mapped_column(String(16))
    mood: Mapped[int | None] = mapped_column(Integer)  # 1 (very bad) to 5 (very good)
    activity: Mapped[str | None] = mapped_column(String(16))  # handlers/checkins/questions.py
    housing: Mapped[str | None] = mapped_column(String(12))  # yes / no / unsure
    help_answered: Mapped[bool] = mapped_column(default=False)
    wants_contact: Mapped[bool | None]
    note_answered: Mapped[bool] = mapped_column(default=False)  # answered or skipped
    free_text: Mapped[str | None] = mapped_column(Text)
    media_kind: Mapped[str | None] = mapped_column(String(16))  # voice, audio, photo, video...
    # Telegram: the file id (kept by Telegram); WhatsApp: the media id, valid for a while only,
    # until storage/checkins/answers.py `keep_media` replaces it with the media store's reference.
    media_ref: Mapped[str | None] = mapped_column(String(256))
    media_stored: Mapped[bool] = mapped_column(default=False)  # media_ref is the store's own
    # WhatsApp media downloads tried so far (handlers/media/keeping.py), and why the media was
    # given up ("gone", "too_large", "failed" after the last try); None: kept or still tried.
    media_tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    media_problem: Mapped[str | None] = mapped_column(String(16))
    prompt_id: Mapped[int | None] = mapped_column(
        ForeignKey("scheduled_messages.id", ondelete="SET NULL"), index=True
    )


class CheckinHelp(Base):
    """One kind of help a person asked for in a check-in (many per check-in), for counting."""

    __tablename__ = "checkin_help"
    __table_args__ = (UniqueConstraint("checkin_id", "need", name="uq_checkin_help"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(
        ForeignKey("checkins.id", ondelete="CASCADE"), index=True
    )
    need: Mapped[str] = mapped_column(String(16))  # work, capital, documents... or "none"


class CheckinSchedule(Base):
    """The days after release (or sign-up) an organisation, or one of its programs, asks on."""

    __tablename__ = "checkin_schedules"
    __table_args__ = (
        UniqueConstraint("organisation_id", "program_id", name="uq_checkin_schedules"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"))
    days: Mapped[list[int]] = mapped_column(JSON)
