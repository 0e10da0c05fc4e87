"""The channels' send budgets, shared by every bot process on the database
(storage/models/processes.py `SendBudget`; bot/outbox/budget.py takes slots from them)."""

from __future__ import annotations

from sqlalchemy import case, literal, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SendBudget
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
