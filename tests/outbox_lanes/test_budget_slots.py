"""The send budget shared through the database: two limiters (as in two processes) taking their
slots from it at once never hand out more than the platform's rate together, in any second."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from bot.outbox.budget import SharedBudget
from bot.outbox.limits import RateLimiter
from storage.db import Database
from storage.models import SendBudget

RATE = 30.0  # Telegram's messages a second
SLOTS = 45  # each limiter's: together three seconds' worth
PAUSE_WAIT = 5.0  # seconds the shared pause may take to be written


async def slots_of(limiter: RateLimiter, first_chat: int) -> list[float]:
    return [await limiter.wait(str(first_chat + n)) for n in range(SLOTS)]


async def test_two_limiters_sharing_the_budget_keep_the_rate_together(db: Database) -> None:
    first, second = (
        RateLimiter(RATE, 1.0, budget=SharedBudget(db), budget_name="telegram") for _ in range(2)
    )
    mine, theirs = await asyncio.gather(slots_of(first, 1000), slots_of(second, 2000))
    together = sorted(mine + theirs)
    assert len(together) == 2 * SLOTS
    # At most RATE slots in any second: RATE + 1 slots in a row span a second or more.
    window = int(RATE)
    spans = [later - earlier for earlier, later in zip(together, together[window:], strict=False)]
    assert min(spans) >= 1.0
    # Each got its share: the blocks of the two alternate rather than one waiting for the other.
    assert max(mine) > min(theirs) and max(theirs) > min(mine)


async def test_a_pause_one_limiter_is_told_holds_back_the_other(db: Database) -> None:
    told, other = (
        RateLimiter(RATE, 1.0, budget=SharedBudget(db), budget_name="telegram") for _ in range(2)
    )
    before = await told.wait("1")
    told.pause(2.0)  # the platform said "retry after 2 s" to this one
    await shared_pause_written(db)
    after = await other.wait("2")
    assert after - before >= 1.9  # the other process waits the pause out too


async def shared_pause_written(db: Database) -> None:
    """Until the budget's next slot lies more than a second ahead (the pause is written by a
    task of its own); fails after PAUSE_WAIT seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PAUSE_WAIT
    while True:
        async with db.transaction() as tx:
            next_slot = (await tx.execute(select(SendBudget.next_slot))).scalar_one()
        if next_slot > time.time() + 1.0:
            return
        assert loop.time() < deadline, "the pause never reached the shared budget"
        await asyncio.sleep(0.01)
