"""One send budget per channel for every process on the database (issue: several processes).

Each process paces its own sends (bot/outbox/limits.py), but the platform counts the bot's sends
together: N processes each at 30 a second would send 30 × N and draw 429s. So a process takes
its send slots from a row in the database they share (`send_budgets`), a block of them at a time
(about a quarter of a second's worth, one short transaction): the blocks of different processes
never overlap, so together they keep the channel's rate whatever their number, and a process with
nothing to send takes nothing. A "retry after" from the platform moves the shared next slot past
the pause, so every process waits it out.

Times in the database are seconds since the epoch (each machine's clock: keep them in NTP sync);
the limiter works on its own monotonic clock, so a block is turned into that clock on arrival.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

from storage.db import Database
from storage.processes.budgets import hold_back, take_slots

log = logging.getLogger(__name__)

BLOCK_SECONDS = 0.25  # each process takes about this much of a channel's sending at once
# Each block is followed by this share of its length that nobody sends in: a process sends a
# block's last slots a little late (its own work, the network), and at exactly the platform's
# rate, blocks back to back would use up the platform's small allowance for bursts for good.
HEADROOM = 0.03


class SharedBudget:
    """The database's send budgets, as a source of send slots for the rate limiters."""

    def __init__(
        self,
        db: Database,
        wall: Callable[[], float] = time.time,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self._wall = wall
        self._clock = clock

    def block_size(self, per_second: float) -> int:
        return max(1, math.ceil(per_second * BLOCK_SECONDS))

    async def take(self, name: str, count: int, interval: float) -> float:
        """`count` slots `interval` apart from budget `name` (with HEADROOM after them); the
        first one's time on the limiters' clock (it may lie in the future: other processes
        took the slots before)."""
        async with self.db.transaction() as tx:
            wall_now, now = self._wall(), self._clock()
            first = await take_slots(tx, name, wall_now, count, interval * (1 + HEADROOM))
        return now + (first - wall_now)

    async def hold_back(self, name: str, seconds: float) -> None:
        """Every process: no slot of `name` in the next `seconds`."""
        try:
            async with self.db.transaction() as tx:
                await hold_back(tx, name, self._wall() + seconds)
        except Exception:  # the pause still holds in this process
            log.exception("could not share a pause of the %s budget", name)
