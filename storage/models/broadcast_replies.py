"""What participants wrote back soon after a broadcast reached them: read by their pendamping on
the card and in the digest, never lost (issue 14, item 6)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class BroadcastReply(Base):
    """One reply; its text is personal data, deleted when the participant is erased."""

    __tablename__ = "broadcast_replies"
    __table_args__ = (Index("ix_broadcast_replies_participant", "participant_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
