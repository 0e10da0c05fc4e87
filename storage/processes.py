"""Queries several bot processes use to share one database: the channels' send budgets and
the start-up tasks one process does for all (storage/models/processes.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, literal, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SendBudget, StartUpTask
from storage.upsert import upsert


async def take_slots(tx: AsyncSession, name: str, now: float, count: int, interval: float) -> float:
    """Take `count` send slots `interval` seconds apart from the budget `name`, from `now` or
    after the slots already taken (seconds since the epoch); returns the first slot's time.

    One statement: concurrent takers on PostgreSQL queue on the row and each gets its own block.
    """
    span = count * interval
    row = SendBudget.__table__
    insert = upsert(tx, SendBudget).values(name=name, next_slot=now + span)
    later = case((row.c.next_slot > now, row.c.next_slot), else_=literal(now))
    statement = insert.on_conflict_do_update(
        index_elements=[row.c.name], set_={"next_slot": later + span}
    ).returning(row.c.next_slot)
    end = float((await tx.execute(statement)).scalar_one())
    return end - span


async def hold_back(tx: AsyncSession, name: str, until: float) -> None:
    """Nobody takes a slot of `name` before `until` (the platform said "retry after")."""
    await tx.execute(
        update(SendBudget)
        .where(SendBudget.name == name, SendBudget.next_slot < until)
        .values(next_slot=until)
        .execution_options(synchronize_session=False)
    )


async def claim_start_up_task(
    tx: AsyncSession, name: str, fingerprint: str, now: datetime, every: timedelta
) -> bool:
    """Whether this process should do the start-up task `name` now: nobody has done it with
    this `fingerprint` (what it registers) within `every`. The claim is this transaction's: do
    the task before committing, and a failure (rollback) leaves it to the next process. Several
    processes starting at once: the others wait on the row, then find it done."""
    row = StartUpTask.__table__
    statement = (
        upsert(tx, StartUpTask)
        .values(name=name, fingerprint=fingerprint, done_at=now)
        .on_conflict_do_update(
            index_elements=[row.c.name],
            set_={"fingerprint": fingerprint, "done_at": now},
            where=or_(row.c.fingerprint != fingerprint, row.c.done_at < now - every),
        )
        .returning(row.c.name)
    )
    return (await tx.execute(statement)).scalar_one_or_none() is not None
