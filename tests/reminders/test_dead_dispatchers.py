"""A dispatcher that died leaves rows it had claimed. On the same machine a restarted one sees at
once that the process is gone and goes on (no five-minute wait); one of another machine waits for
the lease. A row taken back from a dispatcher that was only slow is never sent by it too."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from datetime import timedelta

from bot.inbox import Inbox
from storage.db import Database
from storage.outbox import claim_due, mark_sending, release_stale
from tests.fakes.channel import CollectingChannel
from tests.helpers.reminders import Clock, dispatcher, local, outbox, siti_enrolled

DUE = local("Asia/Jakarta", 2026, 12, 1, 9, 0)  # Siti's day-before reminder


async def a_pid_that_has_exited() -> int:
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await process.wait()
    return process.pid


async def test_rows_of_a_dead_dispatcher_on_this_machine_go_out_at_once(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    await siti_enrolled(db, inbox, channel)
    dead = f"{socket.gethostname()}:{await a_pid_that_has_exited()}:abc123"
    async with db.transaction() as tx:
        assert await claim_due(tx, DUE, dead, 10)  # ...and then it was killed
    clock = Clock(DUE + timedelta(seconds=5))  # long before its lease runs out
    assert await dispatcher(db, channel, clock).run_once() == 1
    assert [row.status for row in await outbox(db)] == ["sent", "pending"]  # the 2-hour one


async def test_rows_of_a_dispatcher_on_another_machine_wait_for_its_lease(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    await siti_enrolled(db, inbox, channel)
    elsewhere = f"another-host:{os.getpid()}:abc123"
    async with db.transaction() as tx:
        assert await claim_due(tx, DUE, elsewhere, 10)
    clock = Clock(DUE + timedelta(seconds=5))
    assert await dispatcher(db, channel, clock).run_once() == 0  # it may still be sending
    clock.now = DUE + timedelta(minutes=6)
    assert await dispatcher(db, channel, clock).run_once() == 1
    assert len(channel.sent) == 1


async def test_a_row_taken_back_from_a_slow_dispatcher_is_sent_by_one_of_them_only(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    await siti_enrolled(db, inbox, channel)
    async with db.transaction() as tx:
        [row_id] = await claim_due(tx, DUE, "slow", 10)
    async with db.transaction() as tx:  # its lease ran out; another one takes the row
        assert await release_stale(tx, DUE + timedelta(minutes=6), timedelta(minutes=5)) == (1, 0)
        assert await claim_due(tx, DUE + timedelta(minutes=6), "quick", 10) == [row_id]
    async with db.transaction() as tx:  # the slow one wakes up: not its row any more
        assert await mark_sending(tx, row_id, DUE + timedelta(minutes=6), "slow") == set()
        assert await mark_sending(tx, row_id, DUE + timedelta(minutes=6), "quick") == {row_id}
