"""Queries on channel addresses (a Telegram chat, a WhatsApp number, a terminal)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import contains_eager, selectinload

from storage.conversations import ConversationState
from storage.models import Address, Conversation, Message
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
_READ_ADDRESS = (
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
)
# The lock alone, taken before that read. Locking in the read itself is not enough on
# PostgreSQL: a statement that waits for the lock then sees the locked row as the other
# transaction left it, but the joined participant and conversation as they were before it
# waited (READ COMMITTED re-checks only the locked row). A statement after the lock sees all.
_LOCK_ADDRESS = (
    select(Address.id)
    .where(Address.channel == bindparam("channel"), Address.value == bindparam("value"))
    .with_for_update()
)


async def lock_address(
    tx: AsyncSession, channel: str, value: str, now: datetime
) -> tuple[Address, ConversationState]:
    """The address with its participant, and its conversation, the address created if new and
    locked for this transaction first, then read (FOR UPDATE on PostgreSQL, so that another
    process's turn for the same person has ended before this one reads; SQLite's write
    transaction already excludes others)."""
    key = {"channel": channel, "value": value}
    if not _is_sqlite(tx) and (await tx.execute(_LOCK_ADDRESS, key)).first() is None:
        await tx.execute(_INSERT_ADDRESS, {"channel": channel, "value": value, "created_at": now})
        await tx.execute(_LOCK_ADDRESS, key)
    row = (await tx.execute(_READ_ADDRESS, key)).one_or_none()
    if row is None:  # SQLite: new
        await tx.execute(_INSERT_ADDRESS, {"channel": channel, "value": value, "created_at": now})
        row = (await tx.execute(_READ_ADDRESS, key)).one()
    address, stored_id, flow, step, data, expires_at = row
    if stored_id is None:
        return address, ConversationState(address.id)
    return address, ConversationState(address.id, flow, step, data or {}, expires_at, stored=True)


def _is_sqlite(tx: AsyncSession) -> bool:
    return tx.bind is not None and tx.bind.dialect.name == "sqlite"


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


async def addresses_of_many(
    tx: AsyncSession, participant_ids: Collection[int]
) -> dict[int, list[Address]]:
    """`addresses_of` for many participants in one query (each one's list ordered by id)."""
    found: dict[int, list[Address]] = {pid: [] for pid in participant_ids}
    if found:
        query = select(Address).where(Address.participant_id.in_(list(found))).order_by(Address.id)
        for address in (await tx.execute(query)).scalars():
            assert address.participant_id is not None
            found[address.participant_id].append(address)
    return found


async def last_inbound_at(tx: AsyncSession, channel: str, value: str) -> datetime | None:
    """When the person at this address last wrote to us (None: never, or no such address)."""
    query = select(Address.last_inbound_at).where(
        Address.channel == channel, Address.value == value
    )
    return (await tx.execute(query)).scalar_one_or_none()


WHATSAPP = "whatsapp"

_INSERT_WHATSAPP = text(
    "INSERT INTO addresses (channel, value, alias, created_at) "
    "VALUES (:channel, :value, :alias, :created_at) ON CONFLICT DO NOTHING"
).bindparams(bindparam("created_at", type_=UTCDateTime()))


@dataclass(frozen=True)
class Resolved:
    value: str  # the address's value: what `Incoming.address` carries
    merged: bool = False  # two addresses turned out to be one person: one of them is gone
    conflict: bool = False  # they are one person but each has a participant: both stay


async def resolve_whatsapp(
    tx: AsyncSession, user_id: str | None, phone: str | None, now: datetime
) -> Resolved:
    """The one WhatsApp address of the person known by a BSUID and/or a phone number.

    An address's value is the identifier it was first seen with (the BSUID if the delivery had
    one), its alias the other one once seen; a new person gets a new address. When the phone
    finds one address and the BSUID another, they are one person: the one with a participant
    (else the older) stays, takes the other's messages and identifier, and the other goes. If
    both have a participant, both stay as they are (linking people is staff's or the person's
    own doing) and the BSUID's address answers.

    The BSUID is the stable one: a person whose BSUID is known but who now writes from a new
    phone number keeps their address, with the new number.
    """
    ids = [i for i in (user_id, phone) if i]
    if not ids:
        raise ValueError("a WhatsApp sender needs a BSUID or a phone number")
    found = await _whatsapp_addresses(tx, ids)
    if not found:
        value, alias = ids[0], (ids[1] if len(ids) == 2 else None)
        await tx.execute(
            _INSERT_WHATSAPP,
            {"channel": WHATSAPP, "value": value, "alias": alias, "created_at": now},
        )
        found = await _whatsapp_addresses(tx, ids)
        if not found:  # only if a constraint we do not know of refused the row
            raise LookupError("could not create the WhatsApp address")
    by_user = _matching(found, user_id)
    by_phone = _matching(found, phone)
    if by_user is not None and by_phone is not None and by_user.id != by_phone.id:
        return await _merge(tx, by_user, by_phone, user_id, phone)
    address = by_user or by_phone or found[0]
    await _complete(tx, address, user_id, phone)
    return Resolved(address.value)


def _matching(addresses: Sequence[Address], identifier: str | None) -> Address | None:
    if not identifier:
        return None
    return next((a for a in addresses if identifier in (a.value, a.alias)), None)


async def _whatsapp_addresses(tx: AsyncSession, ids: list[str]) -> list[Address]:
    query = (
        select(Address)
        .where(Address.channel == WHATSAPP, or_(Address.value.in_(ids), Address.alias.in_(ids)))
        .order_by(Address.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list((await tx.execute(query)).scalars())


async def _complete(
    tx: AsyncSession, address: Address, user_id: str | None, phone: str | None
) -> None:
    """Record the identifier the address does not hold yet (a phone that changed is replaced)."""
    held = {address.value, address.alias}
    if user_id and user_id not in held and _is_phone(address.value):
        # Found by phone; the BSUID is new to us: it becomes the alias.
        address.alias = user_id
    elif phone and phone not in held:
        if _is_phone(address.value):  # found by BSUID (the alias): the number changed
            address.value = phone
        else:
            address.alias = phone
    await tx.flush()


async def _merge(
    tx: AsyncSession, by_user: Address, by_phone: Address, user_id: str | None, phone: str | None
) -> Resolved:
    if by_user.participant_id is not None and by_phone.participant_id is not None:
        return Resolved(by_user.value, conflict=True)
    if by_user.participant_id is not None:
        keep, drop = by_user, by_phone
    elif by_phone.participant_id is not None:
        keep, drop = by_phone, by_user
    else:
        keep, drop = sorted((by_user, by_phone), key=lambda a: a.id)
    await tx.execute(
        update(Message).where(Message.address_id == drop.id).values(address_id=keep.id)
    )
    if drop.last_inbound_at is not None and (
        keep.last_inbound_at is None or keep.last_inbound_at < drop.last_inbound_at
    ):
        keep.last_inbound_at = drop.last_inbound_at
    await tx.execute(delete(Conversation).where(Conversation.address_id == drop.id))
    await tx.execute(delete(Address).where(Address.id == drop.id))
    await tx.flush()
    await _complete(tx, keep, user_id, phone)
    return Resolved(keep.value, merged=True)


def _is_phone(value: str) -> bool:
    return value.isdigit()


async def address_value(tx: AsyncSession, address_id: int) -> str | None:
    query = select(Address.value).where(Address.id == address_id)
    return (await tx.execute(query)).scalar_one_or_none()


async def retire_addresses(
    tx: AsyncSession, participant_id: int, keep_id: int, now: datetime
) -> list[int]:
    """A participant's chats other than `keep_id` stop being theirs: detached, marked blocked,
    their conversations cleared. The message log keeps its rows (and their address)."""
    query = select(Address.id).where(
        Address.participant_id == participant_id, Address.id != keep_id
    )
    retired = list((await tx.execute(query)).scalars())
    if retired:
        await tx.execute(
            update(Address)
            .where(Address.id.in_(retired))
            .values(participant_id=None, blocked_at=now)
            .execution_options(synchronize_session="fetch")
        )
        await tx.execute(delete(Conversation).where(Conversation.address_id.in_(retired)))
    return retired
