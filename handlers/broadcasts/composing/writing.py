"""Writing a confirmed broadcast's outbox rows: in batches, each its own transaction where the
caller has the database (the command line, a restart), or inside the chat's turn (so that the
admin's "sent" is true when it is said). Resumable: a crash leaves a cursor that the next call
carries on from, and no row is ever written twice."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.broadcasts.composing.timing import due_for
from handlers.outbox.queue import OUTBOX_CHANGED
from handlers.reminders.rules import QuietHours
from storage.broadcasts.audience import Running
from storage.broadcasts.writing import BATCH, unwritten, write_batch
from storage.db import Database
from storage.models import Broadcast

log = logging.getLogger(__name__)


async def write_in(
    tx: AsyncSession, broadcast: Broadcast, running: Running, quiet: QuietHours, now: datetime
) -> None:
    """All its rows, batch by batch, inside this transaction (a page in memory at a time)."""
    due = due_for(now, quiet, broadcast.local_date, broadcast.local_time)
    while not await write_batch(tx, broadcast.id, running, due, now=now):
        pass
    tx.info[OUTBOX_CHANGED] = True


async def write_out(
    db: Database, broadcast_id: int, running: Running, quiet: QuietHours, now: datetime
) -> None:
    """All its rows, one transaction per batch of `BATCH`."""
    done = False
    while not done:
        async with db.transaction() as tx:
            broadcast = await tx.get(Broadcast, broadcast_id)
            if broadcast is None:
                return
            due = due_for(now, quiet, broadcast.local_date, broadcast.local_time)
            done = await write_batch(tx, broadcast_id, running, due, now=now, limit=BATCH)


async def resume_writing(db: Database, running: Running, quiet: QuietHours, now: datetime) -> int:
    """Finish the broadcasts whose writing a crash interrupted (at start-up and hourly); how
    many there were."""
    async with db.transaction() as tx:
        pending = await unwritten(tx)
    for broadcast_id in pending:
        log.info("broadcast %d: writing its outbox rows resumed", broadcast_id)
        try:
            await write_out(db, broadcast_id, running, quiet, now)
        except Exception:  # one broken broadcast must not stop the planner for everything else
            log.exception("broadcast %d: writing failed; tried again in an hour", broadcast_id)
    return len(pending)
