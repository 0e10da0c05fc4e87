"""Notes: what staff write down about a participant, for their organisation's staff only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class Note(Base):
    """One dated note by a staff member about a participant. Never shown to anyone outside the
    organisation that wrote it (partners included); on the participant's erasure its text is
    replaced by ERASED_NOTE and the row stays, so the staff timeline keeps a dated gap."""

    __tablename__ = "notes"
    __table_args__ = (Index("ix_notes_participant_created", "participant_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # the author
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))  # who may read it
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased: Mapped[bool] = mapped_column(default=False)  # the text was erased with the person
