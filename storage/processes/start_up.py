"""The start-up tasks one bot process does for all the processes on the database
(storage/models/processes.py `StartUpTask`; bot/channels/telegram/registration.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import StartUpTask
from storage.upsert import upsert


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
