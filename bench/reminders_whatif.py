"""What-if for `bench/reminders.py --designs whatif`: the real bot with a pipelined dispatcher.

    python bench/reminders_whatif.py run        # same as `python -m bot.cli run`, patched

An experiment for a suggested change, not the bot: it replaces `Dispatcher.run_once` at run time
(nothing under bot/ is edited). Today's `run_once` claims and renders a batch of 100 rows, sends
them all, and only then claims the next batch, so the platform's send slots go unused while each
batch is claimed and rendered (claim + `prepare`, ~0.3-1 s per 100 rows on SQLite), and the first
message of a burst waits for the whole first batch to be rendered.

Here a producer claims and renders small chunks (`WHATIF_CHUNK`, default 20 rows, one short
transaction each) into a bounded queue (at most `batch` rows ahead) while the same workers send
from it, paced by the same `RateLimiter`; exactly-once bookkeeping (`mark_sending` just before the
platform call, `complete` after) is unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.dispatcher import Dispatcher  # noqa: E402
from handlers.delivery import Delivery, prepare  # noqa: E402
from storage.outbox import claim_due, release_stale  # noqa: E402

log = logging.getLogger("bot.dispatcher")
CHUNK = int(os.environ.get("WHATIF_CHUNK", "20"))


async def pipelined_run_once(self: Dispatcher) -> int:
    async with self._running:
        async with self.db.transaction() as session:
            released, interrupted = await release_stale(session, self.clock(), self.lease)
        if released or interrupted:
            log.warning("a dispatcher stopped: %d due again, %d interrupted", released, interrupted)
        queue: asyncio.Queue[Delivery | None] = asyncio.Queue(maxsize=self.batch)

        async def produce() -> None:
            try:
                while not getattr(self, "stopping", False):
                    now = self.clock()
                    async with self.db.transaction() as session:
                        ids = await claim_due(session, now, self.worker, CHUNK)
                        deliveries = await prepare(
                            session, ids, now, self.policy, self.channels.keys()
                        )
                    if not ids:
                        return
                    for delivery in deliveries:
                        await queue.put(delivery)
            finally:
                for _ in range(self.concurrency):
                    await queue.put(None)

        async def work() -> int:
            sent = 0
            while (delivery := await queue.get()) is not None:
                sent += await self._send_one(delivery)
            return sent

        producer = asyncio.create_task(produce())
        results = await asyncio.gather(*(work() for _ in range(self.concurrency)))
        await producer
        return sum(results)


Dispatcher.run_once = pipelined_run_once  # type: ignore[method-assign]

if __name__ == "__main__":
    from bot.cli import main

    sys.exit(main(sys.argv[1:]))
