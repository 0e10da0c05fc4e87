"""Recording that a person can or cannot be reached (they blocked the bot, or came back)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.addresses import find_address
from storage.models import ParticipantStatus


async def mark_unreachable(tx: AsyncSession, channel: str, address: str, now: datetime) -> bool:
    """The platform says this address is gone; True if an active participant became unreachable."""
    found = await find_address(tx, channel, address)
    if found is None:
        return False
    found.blocked_at = now
    participant = found.participant
    if participant is not None and participant.status == ParticipantStatus.ACTIVE:
        participant.status = ParticipantStatus.UNREACHABLE
        return True
    return False


async def mark_reachable(tx: AsyncSession, channel: str, address: str) -> None:
    """The person unblocked us: they can be written to again (unless they asked us to stop)."""
    found = await find_address(tx, channel, address)
    if found is None:
        return
    found.blocked_at = None
    participant = found.participant
    if participant is not None and participant.status == ParticipantStatus.UNREACHABLE:
        participant.status = ParticipantStatus.ACTIVE
