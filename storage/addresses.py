"""Queries on channel addresses (a Telegram chat, a WhatsApp number, a terminal)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, selectinload

from storage.models import Address
from storage.types import UTCDateTime

# Plain SQL that SQLite and PostgreSQL both read, so it is compiled once (the dialects' own
# INSERT ... ON CONFLICT constructs are not cacheable, and this runs for every new person).
_INSERT_ADDRESS = text(
    "INSERT INTO addresses (channel, value, created_at) VALUES (:channel, :value, :created_at) "
    "ON CONFLICT (channel, value) DO NOTHING"
).bindparams(bindparam("created_at", type_=UTCDateTime()))

# One statement with plain joins filling both relationships (contains_eager: no aliased eager
# joins, no de-duplication pass), built once: it runs for every message that comes in.
_LOCK_ADDRESS = (
    select(Address)
    .outerjoin(Address.participant)
    .outerjoin(Address.conversation)
    .options(contains_eager(Address.participant), contains_eager(Address.conversation))
    .where(Address.channel == bindparam("channel"), Address.value == bindparam("value"))
    .with_for_update(of=Address)
)


async def lock_address(session: AsyncSession, channel: str, value: str, now: datetime) -> Address:
    """The address with its participant and conversation, created if new, and locked for this
    transaction (FOR UPDATE on PostgreSQL; SQLite's write transaction already excludes others)."""
    key = {"channel": channel, "value": value}
    found = (await session.execute(_LOCK_ADDRESS, key)).scalar_one_or_none()
    if found is not None:
        return found
    await session.execute(_INSERT_ADDRESS, {"channel": channel, "value": value, "created_at": now})
    return (await session.execute(_LOCK_ADDRESS, key)).scalar_one()


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
