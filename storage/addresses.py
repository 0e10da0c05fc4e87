"""Queries on channel addresses (a Telegram chat, a WhatsApp number, a terminal)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from storage.models import Address
from storage.types import UTCDateTime

# Plain SQL that SQLite and PostgreSQL both read, so it is compiled once (the dialects' own
# INSERT ... ON CONFLICT constructs are not cacheable, and this runs for every new person).
_INSERT_ADDRESS = text(
    "INSERT INTO addresses (channel, value, created_at) VALUES (:channel, :value, :created_at) "
    "ON CONFLICT (channel, value) DO NOTHING"
).bindparams(bindparam("created_at", type_=UTCDateTime()))


async def lock_address(session: AsyncSession, channel: str, value: str, now: datetime) -> Address:
    """The address with its participant and conversation, created if new, and locked for this
    transaction (FOR UPDATE on PostgreSQL; SQLite's write transaction already excludes others)."""
    query = (
        select(Address)
        .where(Address.channel == channel, Address.value == value)
        .options(joinedload(Address.participant), joinedload(Address.conversation))
        .with_for_update(of=Address)
    )
    found = (await session.execute(query)).unique().scalar_one_or_none()
    if found is not None:
        return found
    await session.execute(_INSERT_ADDRESS, {"channel": channel, "value": value, "created_at": now})
    return (await session.execute(query)).unique().scalar_one()


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
