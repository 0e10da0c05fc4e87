"""Queries on the outbox: schedule idempotently, claim due rows atomically, settle them."""

from __future__ import annotations

import zlib
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Table,
    and_,
    bindparam,
    exists,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Address, ScheduledMessage, ScheduledStatus
from storage.upsert import upsert


async def schedule(tx: AsyncSession, **values: Any) -> bool:
    """Add a row unless one with the same key exists; True if it was added.

    A row with the same key that was cancelled comes back to life with the new values (a session
    moved away and back again must be reminded of again); any other existing row stays as it is.
    """
    values.setdefault("status", ScheduledStatus.PENDING)
    values.setdefault("attempts", 0)
    insert = upsert(tx, ScheduledMessage)
    revive = {k: v for k, v in values.items() if k != "key"} | {"error": None, "claimed_by": None}
    statement = insert.values(**values).on_conflict_do_update(
        index_elements=[ScheduledMessage.key],
        set_=revive,
        where=ScheduledMessage.status == ScheduledStatus.CANCELLED,
    )
    result = await tx.execute(statement.returning(ScheduledMessage.id))
    return result.scalar_one_or_none() is not None


def lane_of(channels: Collection[str]) -> ColumnElement[str | None]:
    """The channel a row will most likely go out on: its recipient's reachable address on one of
    `channels`, the most recently used first (as handlers/outbox/recipients.py chooses it);
    NULL when there is none. Only a hint for claiming per channel: the row is routed by the
    address it is actually rendered for."""
    row = ScheduledMessage

    def best(owner: ColumnElement[bool]) -> ScalarSelect[str]:
        return (
            select(Address.channel)
            .where(owner, Address.blocked_at.is_(None), Address.channel.in_(list(channels)))
            .order_by(
                Address.last_inbound_at.is_not(None).desc(),
                func.coalesce(Address.last_inbound_at, Address.created_at).desc(),
            )
            .limit(1)
            .correlate(row)
            .scalar_subquery()
        )

    # A row is for a participant or a staff member: two lookups, each on its own index.
    return func.coalesce(
        best(Address.staff_id == row.staff_id), best(Address.participant_id == row.participant_id)
    )


async def claim_due(
    tx: AsyncSession,
    now: datetime,
    worker: str,
    limit: int,
    *,
    lane: str | None = None,
    channels: Collection[str] = (),
    quiet: timedelta | None = None,
) -> list[int]:
    """Take up to `limit` due rows for `worker`, oldest first; safe with several dispatchers.

    With `channels`, only the rows of one lane: those whose recipient is reached on `lane`
    (`lane_of`), or with `lane` None those reached on none of `channels` (to be skipped, mostly).
    Each channel's sender then claims at its own pace and is never held up by another's.

    A person's rows go to one dispatcher at a time, so that its limiter alone keeps their
    per-chat interval: rows of a person another dispatcher holds (claimed or sending), or sent
    to within `quiet` (the channel's interval), wait for a later claim.

    PostgreSQL: claims of one lane take turns (a transaction-level advisory lock), so two
    dispatchers never take the same person's rows at once; the inner SELECT ... FOR UPDATE SKIP
    LOCKED passes rows by that another transaction is changing. SQLite ignores FOR UPDATE, but
    the whole UPDATE is one write transaction there.
    """
    if tx.bind.dialect.name == "postgresql":
        await tx.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _claim_lock(lane, channels)}
        )
    due = select(ScheduledMessage.id).where(
        ScheduledMessage.status == ScheduledStatus.PENDING,
        ScheduledMessage.due_at <= now,
        ~_held_elsewhere(ScheduledMessage.participant_id, worker, now, quiet),
        ~_held_elsewhere(ScheduledMessage.staff_id, worker, now, quiet),
    )
    if channels:
        hint = lane_of(channels)
        due = due.where(hint == lane) if lane is not None else due.where(hint.is_(None))
    due = (
        due.order_by(ScheduledMessage.due_at, ScheduledMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await tx.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.id.in_(due))
        .values(
            status=ScheduledStatus.CLAIMED,
            claimed_by=worker,
            claimed_at=now,
            attempts=ScheduledMessage.attempts + 1,
        )
        .returning(ScheduledMessage.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(result.scalars())


CLAIM_LOCK = 0x70656E64  # "pend": the advisory locks of claims are this plus the lane's number


def _claim_lock(lane: str | None, channels: Collection[str]) -> int:
    if not channels:
        return CLAIM_LOCK
    return CLAIM_LOCK + 1 + zlib.crc32(lane.encode()) if lane is not None else CLAIM_LOCK + 1


def _held_elsewhere(
    recipient: Any, worker: str, now: datetime, quiet: timedelta | None
) -> ColumnElement[bool]:
    """Whether another dispatcher holds one of the row's recipient's rows, or (with `quiet`)
    sent one of them within `quiet`. `recipient` is the row's participant or staff column."""
    other = aliased(ScheduledMessage)
    column = getattr(other, recipient.key)
    busy: ColumnElement[bool] = other.status.in_([ScheduledStatus.CLAIMED, ScheduledStatus.SENDING])
    if quiet is not None:
        just_sent = and_(other.status == ScheduledStatus.SENT, other.sent_at > now - quiet)
        busy = or_(busy, just_sent)
    return exists(select(other.id).where(column == recipient, busy, other.claimed_by != worker))


async def release_stale(tx: AsyncSession, now: datetime, lease: timedelta) -> tuple[int, int]:
    """Rows of a dispatcher that died: never attempted ones are due again; those it was sending
    when it died are marked interrupted, not resent. Returns (released, interrupted)."""
    released = await tx.execute(
        update(ScheduledMessage)
        .where(
            ScheduledMessage.status == ScheduledStatus.CLAIMED,
            ScheduledMessage.claimed_at < now - lease,
        )
        .values(status=ScheduledStatus.PENDING, claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    interrupted = await tx.execute(
        update(ScheduledMessage)
        .where(
            ScheduledMessage.status == ScheduledStatus.SENDING,
            ScheduledMessage.claimed_at < now - lease,
        )
        .values(status=ScheduledStatus.INTERRUPTED, error="dispatcher stopped while sending")
        .execution_options(synchronize_session=False)
    )
    return released.rowcount or 0, interrupted.rowcount or 0  # type: ignore[attr-defined]


async def mark_sending(
    tx: AsyncSession, row_ids: int | Collection[int], now: datetime, worker: str | None = None
) -> set[int]:
    """Just before the platform call: from here on, a crash must not cause a second send.

    With `worker`, only rows still claimed by it are marked: a row another dispatcher released
    (its lease ran out, or this worker was taken for dead) is no longer ours to send. Returns
    the ids marked."""
    ids = [row_ids] if isinstance(row_ids, int) else list(row_ids)
    statement = update(ScheduledMessage).where(ScheduledMessage.id.in_(ids))
    if worker is not None:
        statement = statement.where(
            ScheduledMessage.status == ScheduledStatus.CLAIMED,
            ScheduledMessage.claimed_by == worker,
        )
    result = await tx.execute(
        statement.values(status=ScheduledStatus.SENDING, claimed_at=now)
        .returning(ScheduledMessage.id)
        .execution_options(synchronize_session=False)
    )
    return set(result.scalars())


async def workers_holding_rows(tx: AsyncSession) -> list[str]:
    """The dispatchers that hold claimed or mid-send rows now."""
    query = (
        select(ScheduledMessage.claimed_by)
        .where(
            ScheduledMessage.status.in_([ScheduledStatus.CLAIMED, ScheduledStatus.SENDING]),
            ScheduledMessage.claimed_by.is_not(None),
        )
        .distinct()
    )
    return [worker for worker in (await tx.execute(query)).scalars() if worker]


async def release_worker(tx: AsyncSession, worker: str) -> tuple[int, int]:
    """The rows of a dispatcher known to be dead, at once (not after the lease): claimed ones
    are due again, mid-send ones interrupted. Returns (released, interrupted)."""
    mine = ScheduledMessage.claimed_by == worker
    released = await tx.execute(
        update(ScheduledMessage)
        .where(mine, ScheduledMessage.status == ScheduledStatus.CLAIMED)
        .values(status=ScheduledStatus.PENDING, claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    interrupted = await tx.execute(
        update(ScheduledMessage)
        .where(mine, ScheduledMessage.status == ScheduledStatus.SENDING)
        .values(status=ScheduledStatus.INTERRUPTED, error="dispatcher stopped while sending")
        .execution_options(synchronize_session=False)
    )
    return released.rowcount or 0, interrupted.rowcount or 0  # type: ignore[attr-defined]


async def settle(
    tx: AsyncSession,
    row_id: int,
    status: str,
    now: datetime,
    *,
    error: str | None = None,
    message_id: int | None = None,
) -> None:
    await tx.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.id == row_id)
        .values(
            status=status,
            sent_at=now if status == ScheduledStatus.SENT else None,
            error=error[:200] if error else None,
            message_id=message_id,
        )
        .execution_options(synchronize_session=False)
    )


async def settle_sent(tx: AsyncSession, sent: list[tuple[int, int]], now: datetime) -> None:
    """Many rows sent at once: (row id, message id) pairs, in one executemany."""
    if not sent:
        return
    table = cast(Table, ScheduledMessage.__table__)
    statement = (
        update(table)
        .where(table.c.id == bindparam("r_id"))
        .values(status=ScheduledStatus.SENT, sent_at=now, error=None,
                message_id=bindparam("r_message"))
    )  # fmt: skip
    await tx.execute(statement, [{"r_id": r, "r_message": m} for r, m in sent])


async def cancel_pending(
    tx: AsyncSession,
    *,
    session_id: int | None = None,
    occurrence_ids: list[int] | None = None,
    participant_id: int | None = None,
    staff_id: int | None = None,
    kind: str | None = None,
) -> int:
    """Cancel rows not yet sent for a session, some occurrences, a participant or a staff
    member (of one kind)."""
    query = update(ScheduledMessage).where(ScheduledMessage.status == ScheduledStatus.PENDING)
    if session_id is not None:
        query = query.where(ScheduledMessage.session_id == session_id)
    if occurrence_ids is not None:
        query = query.where(ScheduledMessage.occurrence_id.in_(occurrence_ids))
    if participant_id is not None:
        query = query.where(ScheduledMessage.participant_id == participant_id)
    if staff_id is not None:
        query = query.where(ScheduledMessage.staff_id == staff_id)
    if kind is not None:
        query = query.where(ScheduledMessage.kind == kind)
    result = await tx.execute(
        query.values(status=ScheduledStatus.CANCELLED).execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def next_due(tx: AsyncSession) -> datetime | None:
    """When the earliest pending row falls due (the (status, due_at) index answers this)."""
    query = (
        select(ScheduledMessage.due_at)
        .where(ScheduledMessage.status == ScheduledStatus.PENDING)
        .order_by(ScheduledMessage.due_at)
        .limit(1)
    )
    return (await tx.execute(query)).scalar_one_or_none()


async def rows_by_id(tx: AsyncSession, ids: list[int]) -> list[ScheduledMessage]:
    query = (
        select(ScheduledMessage)
        .where(ScheduledMessage.id.in_(ids))
        .order_by(ScheduledMessage.due_at, ScheduledMessage.id)
    )
    return list((await tx.execute(query)).scalars())


async def last_sent_about_event(
    tx: AsyncSession, participant_id: int, since: datetime, now: datetime, kinds: Collection[str]
) -> ScheduledMessage | None:
    """The latest message of one of `kinds` sent to the participant since `since` whose event
    is still ahead."""
    query = (
        select(ScheduledMessage)
        .where(
            ScheduledMessage.participant_id == participant_id,
            ScheduledMessage.status == ScheduledStatus.SENT,
            ScheduledMessage.kind.in_(list(kinds)),
            ScheduledMessage.sent_at >= since,
            ScheduledMessage.event_at > now,
        )
        .order_by(ScheduledMessage.sent_at.desc())
        .limit(1)
    )
    return (await tx.execute(query)).scalar_one_or_none()


async def requeue_as_template(tx: AsyncSession, message_id: int, now: datetime) -> int | None:
    """The outbox row that sent this message, due again now as its template only; None if no
    row sent it or it went as its template already (it is sent again once, no more)."""
    result = await tx.execute(
        update(ScheduledMessage)
        .where(
            ScheduledMessage.message_id == message_id,
            ScheduledMessage.template_only.is_(False),
        )
        .values(
            template_only=True,
            status=ScheduledStatus.PENDING,
            due_at=now,
            claimed_by=None,
            claimed_at=None,
            sent_at=None,
            error=None,
        )
        .returning(ScheduledMessage.id)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one_or_none()


async def forget_notices_about(tx: AsyncSession, participant_id: int) -> None:
    """Staff notices about an erased participant: their text (which may name them) is blanked
    and those not yet sent will not be."""
    await tx.execute(
        update(ScheduledMessage)
        .where(ScheduledMessage.about_id == participant_id)
        .values(data=None, about_id=None)
        .execution_options(synchronize_session=False)
    )
