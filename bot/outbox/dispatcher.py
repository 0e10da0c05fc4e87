"""The dispatcher: claims due outbox rows, sends them through each person's channel, records results."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from bot.channels.protocol import Channel, SendResult
from bot.outbox.limits import Limiters, paced
from handlers.outbox.delivery import Delivery, complete, prepare
from handlers.reminders.rules import ReminderPolicy
from storage.db import Database
from storage.outbox import claim_due, mark_sending, next_due, release_stale

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    """Sends what is due. Safe to run in several processes on one PostgreSQL database.

    It knows no kind of message: rendering is registered per kind (handlers/outbox/registry.py).
    Each channel is paced by its own limiter; pass the composition root's `limiters` so that
    replies and the outbox share them (a channel already `Paced` keeps its own limiter).
    """

    def __init__(
        self,
        db: Database,
        channels: Mapping[str, Channel],
        policy: ReminderPolicy,
        *,
        limiters: Limiters | None = None,
        batch: int = 20,
        concurrency: int = 8,
        lease: timedelta = timedelta(minutes=5),
        clock: Callable[[], datetime] = utcnow,
        worker: str | None = None,
    ) -> None:
        self.db = db
        self.channels = paced(channels, limiters or Limiters())
        self.policy = policy
        self.batch = batch
        self.concurrency = concurrency
        self.lease = lease
        self.clock = clock
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._running = asyncio.Lock()
        self.stopping = False  # set on shutdown: finish the batch in hand, take no new one

    async def run_once(self) -> int:
        """Send everything due now; returns how many messages were handed to a platform.

        A producer claims and renders small chunks into a bounded queue while the workers send,
        so the rate limiter's slots never go unused between chunks.
        """
        async with self._running:
            async with self.db.transaction() as tx:
                released, interrupted = await release_stale(tx, self.clock(), self.lease)
            if released or interrupted:
                log.warning(
                    "a dispatcher stopped: %d unsent rows are due again, %d were mid-send "
                    "(marked interrupted, not resent)",
                    released,
                    interrupted,
                )
            queue: asyncio.Queue[Delivery | None] = asyncio.Queue(maxsize=2 * self.batch)
            later: list[asyncio.Task[bool]] = []  # messages waiting for their person's interval
            workers = [
                asyncio.create_task(self._consume(queue, later)) for _ in range(self.concurrency)
            ]
            try:
                await self._produce(queue)
            finally:
                for _ in workers:
                    await queue.put(None)
                sent = sum(await asyncio.gather(*workers))
                sent += sum(await asyncio.gather(*later))
        return sent

    async def next_due(self) -> datetime | None:
        async with self.db.transaction() as tx:
            return await next_due(tx)

    async def _produce(self, queue: asyncio.Queue[Delivery | None]) -> None:
        while not self.stopping:
            now = self.clock()
            async with self.db.transaction() as tx:
                ids = await claim_due(tx, now, self.worker, self.batch)
                deliveries = await prepare(tx, ids, now, self.policy, self.channels.keys())
            if not ids:
                return
            for delivery in deliveries:
                await queue.put(delivery)

    async def _consume(
        self, queue: asyncio.Queue[Delivery | None], later: list[asyncio.Task[bool]]
    ) -> int:
        sent = 0
        while (delivery := await queue.get()) is not None:
            if not self.channels[delivery.channel].limiter.ready(delivery.address):
                # The person had a message moments ago (WhatsApp: 6 s apart): it waits on its
                # own, and this sender goes on with other people's messages.
                later.append(asyncio.create_task(self._send_one(delivery)))
                continue
            sent += await self._send_one(delivery)
        return sent

    async def _send_one(self, delivery: Delivery) -> bool:
        channel = self.channels[delivery.channel]
        await channel.limiter.wait(delivery.address)
        async with self.db.transaction() as tx:
            await mark_sending(tx, delivery.row_id, self.clock())
        try:
            result = await channel.send(delivery.address, delivery.reply)
        except Exception as error:  # a channel bug must not lose the row: record it as failed
            log.exception("channel %s raised while sending", delivery.channel)
            result = SendResult(False, error=type(error).__name__)
        async with self.db.transaction() as tx:
            await complete(
                tx,
                delivery,
                self.clock(),
                ok=result.ok,
                external_id=result.external_id,
                error=result.error,
                unreachable=result.unreachable,
                attempts=result.attempts,
            )
        return result.ok
