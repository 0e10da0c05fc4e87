"""Queries on channel addresses (a Telegram chat, a WhatsApp number, a terminal)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, selectinload

from storage.conversations import ConversationState
from storage.models import Address, Conversation
from storage.types import UTCDateTime

# Plain SQL that SQLite and PostgreSQL both read, so it is compiled once (the dialects' own
# INSERT ... ON CONFLICT constructs are not cacheable, and this runs for every new person).
_INSERT_ADDRESS = text(
    "INSERT INTO addresses (channel, value, created_at) VALUES (:channel, :value, :created_at) "
    "ON CONFLICT (channel, value) DO NOTHING"
).bindparams(bindparam("created_at", type_=UTCDateTime()))

# One statement with plain joins, the participant filled in by contains_eager (no aliased eager
# joins, no de-duplication pass) and the conversation as columns, built once: it runs for every
# message that comes in.
_LOCK_ADDRESS = (
    select(
        Address,
        Conversation.address_id,
        Conversation.flow,
        Conversation.step,
        Conversation.data,
        Conversation.expires_at,
    )
    .outerjoin(Address.participant)
    .outerjoin(Conversation, Conversation.address_id == Address.id)
    .options(contains_eager(Address.participant))
    .where(Address.channel == bindparam("channel"), Address.value == bindparam("value"))
    .with_for_update(of=Address)
)


async def lock_address(
    tx: AsyncSession, channel: str, value: str, now: datetime
) -> tuple[Address, ConversationState]:
    """The address with its participant, and its conversation, the address created if new and
    locked for this transaction (FOR UPDATE on PostgreSQL; SQLite's write transaction already
    excludes others)."""
    key = {"channel": channel, "value": value}
    row = (await tx.execute(_LOCK_ADDRESS, key)).one_or_none()
    if row is None:
        await tx.execute(_INSERT_ADDRESS, {"channel": channel, "value": value, "created_at": now})
        row = (await tx.execute(_LOCK_ADDRESS, key)).one()
    address, stored_id, flow, step, data, expires_at = row
    if stored_id is None:
        return address, ConversationState(address.id)
    return address, ConversationState(address.id, flow, step, data or {}, expires_at, stored=True)


async def find_address(tx: AsyncSession, channel: str, value: str) -> Address | None:
    query = (
        select(Address)
        .where(Address.channel == channel, Address.value == value)
        .options(selectinload(Address.participant))
    )
    return (await tx.execute(query)).scalar_one_or_none()


async def addresses_of(tx: AsyncSession, participant_id: int) -> list[Address]:
    query = select(Address).where(Address.participant_id == participant_id).order_by(Address.id)
    return list((await tx.execute(query)).scalars())


async def last_inbound_at(tx: AsyncSession, channel: str, value: str) -> datetime | None:
    """When the person at this address last wrote to us (None: never, or no such address)."""
    query = select(Address.last_inbound_at).where(
        Address.channel == channel, Address.value == value
    )
    return (await tx.execute(query)).scalar_one_or_none()
