"""Queries on channel addresses (a Telegram chat, a WhatsApp number, a terminal)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import Address
from storage.upsert import insert_ignore


async def lock_address(session: AsyncSession, channel: str, value: str, now: datetime) -> Address:
    """The address row, created if new and locked for this transaction (FOR UPDATE on PostgreSQL)."""
    await session.execute(
        insert_ignore(session, Address).values(channel=channel, value=value, created_at=now)
    )
    query = (
        select(Address)
        .where(Address.channel == channel, Address.value == value)
        .options(selectinload(Address.participant))
        .with_for_update(of=Address)
    )
    return (await session.execute(query)).scalar_one()


async def find_address(session: AsyncSession, channel: str, value: str) -> Address | None:
    query = (
        select(Address)
        .where(Address.channel == channel, Address.value == value)
        .options(selectinload(Address.participant))
    )
    return (await session.execute(query)).scalar_one_or_none()


async def addresses_of(session: AsyncSession, participant_id: int) -> list[Address]:
    query = select(Address).where(Address.participant_id == participant_id).order_by(Address.id)
    return list((await session.execute(query)).scalars())
