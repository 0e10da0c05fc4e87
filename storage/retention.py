"""What is kept about people who never signed up, and for how long (run hourly by bot/outbox/scheduler.py).

Someone who writes "halo" and never answers the consent question leaves a chat address, a
conversation and rows in the message log (without their texts: those are stored only after
consent). Refusing consent, /batal and /hapus forget the address at once
(storage/erasure.py); this cleans up the rest, and what older versions left behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.deliveries import delete_failed_deliveries
from storage.models import Address, Broadcast, BroadcastStatus, Message

# A platform delivers an update again only for a while: Telegram keeps undelivered updates for
# 24 hours and WhatsApp retries a webhook for up to 7 days. After that a message's dedupe key
# can only ever eat a new message (a new bot token, update ids that started again), so it goes.
REDELIVERY_WINDOW = timedelta(days=7)

# How long a chat that never consented (it wrote, got the consent question, and went silent) is
# kept, so that it can still answer the question: after this long without a message it is
# deleted with its conversation. Its message rows, which never hold its texts, go with it.
UNCONSENTED_RETENTION = timedelta(days=30)

# A webhook delivery that could not be handled loses its body at once (storage/deliveries.py);
# the row, with its reason only, stays this long so that staff can count and look into failures.
FAILED_DELIVERY_RETENTION = timedelta(days=30)

# A broadcast an admin began and never sent stays a draft (to go on with from /siaran) this long.
DRAFT_RETENTION = timedelta(days=30)


@dataclass(frozen=True)
class Purged:
    """What one run removed (counts only, for the log)."""

    dedupe_keys: int  # keys cleared from messages older than the redelivery window
    addresses: int  # never-consented chats silent for longer than the retention period
    messages: int  # message rows of no one: those chats' and forgotten people's
    deliveries: int = 0  # webhook deliveries given up on (kept, without body, for a while)
    drafts: int = 0  # broadcasts begun and never sent


async def apply_retention(tx: AsyncSession, now: datetime) -> Purged:
    """Remove what is kept no longer; the caller commits."""
    keys = await clear_dedupe_keys(tx, now - REDELIVERY_WINDOW)
    await clear_pending_replies(tx, now - REDELIVERY_WINDOW)
    silent = await silent_unconsented_addresses(tx, now - UNCONSENTED_RETENTION)
    messages = await delete_messages_of_addresses(tx, silent)
    addresses = await delete_addresses(tx, silent, now - UNCONSENTED_RETENTION)
    messages += await delete_ownerless_messages(tx, now - REDELIVERY_WINDOW)
    deliveries = await delete_failed_deliveries(tx, now - FAILED_DELIVERY_RETENTION)
    drafts = await delete_stale_drafts(tx, now - DRAFT_RETENTION)
    return Purged(keys, addresses, messages, deliveries, drafts)


async def delete_stale_drafts(tx: AsyncSession, before: datetime) -> int:
    """Broadcasts begun before `before` and never sent: nobody got anything of them."""
    result = await tx.execute(
        delete(Broadcast)
        .where(Broadcast.status == BroadcastStatus.DRAFT, Broadcast.created_at < before)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def clear_pending_replies(tx: AsyncSession, before: datetime) -> None:
    """A reply never sent is kept whole only as long as its message may be redelivered."""
    await tx.execute(
        update(Message)
        .where(Message.pending_reply.is_not(None), Message.created_at < before)
        .values(pending_reply=None)
        .execution_options(synchronize_session=False)
    )


async def clear_dedupe_keys(tx: AsyncSession, before: datetime) -> int:
    """Forget the dedupe keys of messages received before `before`."""
    result = await tx.execute(
        update(Message)
        .where(Message.dedupe_key.is_not(None), Message.created_at < before)
        .values(dedupe_key=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


def _silent_since(before: datetime) -> ColumnElement[bool]:
    return func.coalesce(Address.last_inbound_at, Address.created_at) < before


async def silent_unconsented_addresses(tx: AsyncSession, before: datetime) -> list[int]:
    """Addresses with no participant whose last message (or creation) was before `before` (a
    staff member's chat is kept, however quiet)."""
    query = select(Address.id).where(
        Address.participant_id.is_(None), Address.staff_id.is_(None), _silent_since(before)
    )
    return list((await tx.execute(query)).scalars())


async def delete_messages_of_addresses(tx: AsyncSession, address_ids: list[int]) -> int:
    """The rows of chats that never consented: no participant, and no text of theirs."""
    if not address_ids:
        return 0
    result = await tx.execute(
        delete(Message)
        .where(Message.address_id.in_(address_ids), Message.participant_id.is_(None))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def delete_addresses(tx: AsyncSession, address_ids: list[int], before: datetime) -> int:
    """Delete these addresses (their conversations go with them) if still unconsented and silent.

    The conditions are checked again: someone may have written or signed up since they were
    listed (on PostgreSQL the DELETE waits for such a transaction and sees its result).
    """
    if not address_ids:
        return 0
    result = await tx.execute(
        delete(Address)
        .where(
            Address.id.in_(address_ids),
            Address.participant_id.is_(None),
            Address.staff_id.is_(None),
            _silent_since(before),
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def delete_ownerless_messages(tx: AsyncSession, before: datetime) -> int:
    """Rows of no participant and no address (a refused consent, a cancelled sign-up, the turn
    that erased someone), once the platform can no longer deliver them again."""
    result = await tx.execute(
        delete(Message)
        .where(
            Message.participant_id.is_(None),
            Message.address_id.is_(None),
            Message.created_at < before,
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]
