"""Queries on participants."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Address, Conversation, Participant, ParticipantStatus


async def create_participant(
    session: AsyncSession, *, language: str, timezone: str, consent_version: str, now: datetime
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
    session.add(participant)
    await session.flush()
    return participant


async def erase_participant(session: AsyncSession, participant: Participant, now: datetime) -> None:
    """Remove everything that identifies the person; keep category, province and dates for counts."""
    address_ids = [a.id for a in await _addresses(session, participant.id)]
    if address_ids:
        await session.execute(delete(Conversation).where(Conversation.address_id.in_(address_ids)))
        await session.execute(delete(Address).where(Address.id.in_(address_ids)))
    participant.status = ParticipantStatus.ERASED
    participant.name = None
    participant.phone = None
    participant.city = None
    participant.city_key = None
    participant.contact_time = None
    participant.start_code = None
    participant.erased_at = now


async def delete_unregistered(session: AsyncSession, participant: Participant) -> None:
    """Drop a sign-up that was abandoned before it was confirmed (its addresses are kept)."""
    for address in await _addresses(session, participant.id):
        address.participant_id = None
    await session.delete(participant)


async def iter_participants(session: AsyncSession) -> AsyncIterator[Participant]:
    query = (
        select(Participant)
        .options(selectinload(Participant.addresses))
        .order_by(Participant.id)
        .execution_options(yield_per=500)
    )
    async for participant in await session.stream_scalars(query):
        yield participant


async def _addresses(session: AsyncSession, participant_id: int) -> list[Address]:
    query = select(Address).where(Address.participant_id == participant_id)
    return list((await session.execute(query)).scalars())
