"""A broadcast's life in the database: the draft, its confirmation, writing one outbox row per
recipient in batches (resumable after a crash, never twice), cancelling, and the list of past
broadcasts. Due times are computed by the caller (handlers know the quiet hours)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.broadcasts.audience import Audience, Running, recipient_page
from storage.models import (
    Broadcast,
    BroadcastStatus,
    OutboxKind,
    ScheduledMessage,
    ScheduledStatus,
)
from storage.upsert import insert_ignore

BATCH = 500  # outbox rows written per transaction
RUNNING = (BroadcastStatus.SENDING, BroadcastStatus.SCHEDULED)

# A recipient's due time from their time zone (now, or the chosen local time out of quiet hours).
DueFor = Callable[[str], datetime]


def row_key(broadcast_id: int, participant_id: int) -> str:
    return f"broadcast:{broadcast_id}:{participant_id}"


async def create_draft(
    tx: AsyncSession,
    *,
    organisation_id: int,
    created_by: int | None,
    text: str,
    audience: Audience,
    now: datetime,
    text_en: str | None = None,
    neutral_text: str | None = None,
    neutral_text_en: str | None = None,
) -> Broadcast:
    broadcast = Broadcast(
        organisation_id=organisation_id,
        created_by=created_by,
        status=BroadcastStatus.DRAFT,
        text=text,
        text_en=text_en,
        neutral_text=neutral_text,
        neutral_text_en=neutral_text_en,
        audience=audience.to_json(),
        recipients=0,
        left_out={},
        created_at=now,
    )
    tx.add(broadcast)
    await tx.flush()
    return broadcast


async def confirm(
    tx: AsyncSession,
    broadcast_id: int,
    *,
    now: datetime,
    left_out: dict[str, int],
    local_date: date | None = None,
    local_time: time | None = None,
) -> Broadcast | None:
    """A draft becomes sending (or scheduled); None if it is no draft any more (confirmed
    twice: the second does nothing)."""
    broadcast = await _locked(tx, broadcast_id)
    if broadcast is None or broadcast.status != BroadcastStatus.DRAFT:
        return None
    scheduled = local_date is not None and local_time is not None
    broadcast.status = BroadcastStatus.SCHEDULED if scheduled else BroadcastStatus.SENDING
    broadcast.local_date, broadcast.local_time = local_date, local_time
    broadcast.left_out = dict(left_out)
    broadcast.confirmed_at = now
    await tx.flush()
    return broadcast


async def write_batch(
    tx: AsyncSession,
    broadcast_id: int,
    running: Running,
    due_for: DueFor,
    *,
    now: datetime,
    limit: int = BATCH,
) -> bool:
    """Write the next batch of the broadcast's outbox rows; True once all are written (or there
    is nothing to write: cancelled, or not confirmed). Several processes may call it at once:
    a row's key is unique, and the broadcast's row is locked while its cursor moves."""
    broadcast = await _locked(tx, broadcast_id)
    if broadcast is None or broadcast.status not in RUNNING or broadcast.written_at is not None:
        return True
    audience = Audience.from_json(broadcast.audience)
    page = await recipient_page(tx, audience, running, after=broadcast.written_up_to, limit=limit)
    if page.recipients:
        rows: list[dict[str, Any]] = [
            {
                "key": row_key(broadcast.id, pid),
                "kind": OutboxKind.BROADCAST.value,
                "participant_id": pid,
                "broadcast_id": broadcast.id,
                "due_at": due_for(zone),
                "status": ScheduledStatus.PENDING,
                "attempts": 0,
                "template_only": False,
                "created_at": now,
            }
            for pid, zone in page.recipients
        ]
        await tx.execute(insert_ignore(tx, ScheduledMessage), rows)
    if page.last is not None:
        broadcast.written_up_to = page.last
    broadcast.recipients = await written(tx, broadcast.id)
    done = page.exhausted
    if done:
        broadcast.written_at = now
    await tx.flush()
    return done


async def written(tx: AsyncSession, broadcast_id: int) -> int:
    query = select(func.count(ScheduledMessage.id)).where(
        ScheduledMessage.broadcast_id == broadcast_id
    )
    return (await tx.execute(query)).scalar_one()


async def due_later(tx: AsyncSession, broadcast_id: int, moment: datetime) -> int:
    """How many of its rows wait beyond `moment` (a recipient's night hours)."""
    query = select(func.count(ScheduledMessage.id)).where(
        ScheduledMessage.broadcast_id == broadcast_id, ScheduledMessage.due_at > moment
    )
    return (await tx.execute(query)).scalar_one()


async def unwritten(tx: AsyncSession) -> list[int]:
    """Confirmed broadcasts whose rows are not all written (a crash stopped the writing)."""
    query = (
        select(Broadcast.id)
        .where(Broadcast.status.in_(RUNNING), Broadcast.written_at.is_(None))
        .order_by(Broadcast.id)
    )
    return list((await tx.execute(query)).scalars())


async def cancel(
    tx: AsyncSession, broadcast_id: int, *, now: datetime, staff_id: int | None
) -> Broadcast | None:
    """Stop a broadcast: nothing more is written, and every row still waiting is cancelled in
    one statement (a row a dispatcher already took is cancelled when it renders it). None if it
    cannot be cancelled any more (finished, or cancelled already)."""
    broadcast = await _locked(tx, broadcast_id)
    if broadcast is None or broadcast.status not in (*RUNNING, BroadcastStatus.DRAFT):
        return None
    broadcast.status = BroadcastStatus.CANCELLED
    broadcast.cancelled_at, broadcast.cancelled_by = now, staff_id
    await tx.execute(
        update(ScheduledMessage)
        .where(
            ScheduledMessage.broadcast_id == broadcast.id,
            ScheduledMessage.status == ScheduledStatus.PENDING,
        )
        .values(status=ScheduledStatus.CANCELLED, error="broadcast cancelled")
        .execution_options(synchronize_session=False)
    )
    await tx.flush()
    return broadcast


async def recent(tx: AsyncSession, organisation_id: int, limit: int = 10) -> list[Broadcast]:
    """An organisation's confirmed broadcasts, newest first (drafts are not listed)."""
    query = (
        select(Broadcast)
        .where(
            Broadcast.organisation_id == organisation_id,
            Broadcast.status != BroadcastStatus.DRAFT,
        )
        .order_by(Broadcast.id.desc())
        .limit(limit)
    )
    return list((await tx.execute(query)).scalars())


async def _locked(tx: AsyncSession, broadcast_id: int) -> Broadcast | None:
    query = select(Broadcast).where(Broadcast.id == broadcast_id).with_for_update()
    return (await tx.execute(query.execution_options(populate_existing=True))).scalar_one_or_none()
