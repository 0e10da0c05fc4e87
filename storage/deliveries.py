"""Queries on stored webhook deliveries: store before answering, claim in order, finish or fail.

A delivery is claimed with a lease (`lease_until`) that its worker renews while it works, so
several processes can share the table (PostgreSQL: FOR UPDATE SKIP LOCKED lets them pass each
other's rows by; SQLite: one write transaction at a time) and a delivery held by a worker that
died is taken by another once the lease runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DeliveryStatus, WebhookDelivery


@dataclass(frozen=True)
class Claimed:
    id: int
    body: bytes
    attempts: int  # this one included


async def store_delivery(tx: AsyncSession, channel: str, body: bytes, now: datetime) -> int:
    result = await tx.execute(
        insert(WebhookDelivery)
        .values(
            channel=channel,
            body=body,
            status=DeliveryStatus.PENDING,
            received_at=now,
            attempts=0,
        )
        .returning(WebhookDelivery.id)
    )
    return int(result.scalar_one())


async def claim_deliveries(
    tx: AsyncSession, channel: str, worker: str, now: datetime, lease: timedelta, limit: int
) -> list[Claimed]:
    """Up to `limit` deliveries nobody holds, oldest first, held by `worker` until now + lease."""
    free = (
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.channel == channel,
            or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until <= now),
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await tx.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(free))
        .values(
            claimed_by=worker,
            lease_until=now + lease,
            attempts=WebhookDelivery.attempts + 1,
        )
        .returning(WebhookDelivery.id, WebhookDelivery.body, WebhookDelivery.attempts)
        .execution_options(synchronize_session=False)
    )
    rows = sorted(result.tuples(), key=lambda row: row[0])
    return [Claimed(id, body or b"", attempts) for id, body, attempts in rows]


async def renew_lease(tx: AsyncSession, worker: str, ids: Sequence[int], until: datetime) -> None:
    if ids:
        await tx.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids), WebhookDelivery.claimed_by == worker)
            .values(lease_until=until)
            .execution_options(synchronize_session=False)
        )


async def finish_delivery(tx: AsyncSession, delivery_id: int) -> None:
    """Handled: the row and its body go (nothing raw is kept longer than needed)."""
    await tx.execute(
        delete(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .execution_options(synchronize_session=False)
    )


async def retry_later(tx: AsyncSession, delivery_id: int, at: datetime) -> None:
    """Handling failed: let go of it, to be claimed again from `at`."""
    await tx.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(claimed_by=None, lease_until=at)
        .execution_options(synchronize_session=False)
    )


async def fail_delivery(tx: AsyncSession, delivery_id: int, error: str, now: datetime) -> None:
    """Given up on: the reason stays (for staff to count), the body goes."""
    await tx.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(
            status=DeliveryStatus.FAILED,
            body=None,
            error=error[:200],
            failed_at=now,
            claimed_by=None,
            lease_until=None,
        )
        .execution_options(synchronize_session=False)
    )


async def next_free_at(tx: AsyncSession, channel: str) -> datetime | None:
    """When the earliest pending delivery held by a lease (or waiting to be retried) comes free."""
    query = select(func.min(WebhookDelivery.lease_until)).where(
        WebhookDelivery.status == DeliveryStatus.PENDING,
        WebhookDelivery.channel == channel,
    )
    return (await tx.execute(query)).scalar_one_or_none()


async def delete_failed_deliveries(tx: AsyncSession, before: datetime) -> int:
    """Failed deliveries (already without their bodies) recorded before `before`; and, should an
    older version have left one, any failed row's body at once."""
    await tx.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.status == DeliveryStatus.FAILED, WebhookDelivery.body.is_not(None))
        .values(body=None)
        .execution_options(synchronize_session=False)
    )
    result = await tx.execute(
        delete(WebhookDelivery)
        .where(WebhookDelivery.status == DeliveryStatus.FAILED, WebhookDelivery.failed_at < before)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def holders(tx: AsyncSession, channel: str) -> list[str]:
    """The workers holding pending deliveries now (alive or not)."""
    query = (
        select(WebhookDelivery.claimed_by)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.channel == channel,
            WebhookDelivery.claimed_by.is_not(None),
        )
        .distinct()
    )
    return [name for name in (await tx.execute(query)).scalars() if name]


async def release_holders(tx: AsyncSession, channel: str, workers: Sequence[str]) -> int:
    """Free the deliveries of workers known to be dead, at once (not when their lease ends)."""
    if not workers:
        return 0
    result = await tx.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.channel == channel,
            WebhookDelivery.claimed_by.in_(workers),
        )
        .values(claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]
