"""Queries on participants."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Participant, ParticipantStatus


async def create_participant(
    tx: AsyncSession, *, language: str, timezone: str, consent_version: str, now: datetime
) -> Participant:
    participant = Participant(
        status=ParticipantStatus.REGISTERING,
        language=language,
        timezone=timezone,
        interests=[],
        consent_at=now,
        consent_version=consent_version,
        created_at=now,
        updated_at=now,
    )
    tx.add(participant)
    await tx.flush()
    return participant


async def iter_participants(tx: AsyncSession) -> AsyncIterator[Participant]:
    query = (
        select(Participant)
        .options(selectinload(Participant.addresses))
        .order_by(Participant.id)
        .execution_options(yield_per=500)
    )
    async for participant in await tx.stream_scalars(query):
        yield participant


async def participants_with_phone(tx: AsyncSession, phone: str) -> list[Participant]:
    """Everyone who gave this number (E.164), whatever their status."""
    query = select(Participant).where(Participant.phone == phone).order_by(Participant.id)
    return list((await tx.execute(query)).scalars())
