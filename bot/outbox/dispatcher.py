"""The dispatcher: claims due outbox rows, sends them through each person's channel, records results."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.protocol import Channel, SendResult
from bot.outbox.commits import GroupCommit
from bot.outbox.limits import Limiters, Paced, paced
from bot.outbox.workers import dead_here, new_worker
from handlers.outbox.delivery import Delivery, Outcome, complete_all, prepare
from handlers.reminders.rules import ReminderPolicy
from storage.db import Database
from storage.messages import mark_failed
from storage.outbox import (
    claim_due,
    mark_sending,
    next_due,
    release_stale,
    release_worker,
    workers_holding_rows,
)

log = logging.getLogger(__name__)

IN_HAND_SECONDS = 0.5  # each lane claims about this many seconds of sending at its rate at once
MIN_BATCH, MAX_BATCH = 20, 500  # rows claimed at once by a lane
MAX_SENDERS = 200  # sends in flight on one lane (a fast channel's rate times its latency)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Lane:
    """One channel's queue and its senders: each channel claims and sends at its own pace, so
    a mixed due set is never held to the slower channel's rate."""

    def __init__(self, channel: Paced, batch: int | None, concurrency: int) -> None:
        rate = max(channel.limiter.per_second, channel.bulk.per_second if channel.bulk else 0.0)
        self.channel = channel
        by_rate = min(max(math.ceil(rate * IN_HAND_SECONDS), MIN_BATCH), MAX_BATCH)
        self.batch = batch or by_rate
        # Enough senders that each may take a quarter of a second per message (the platform's
        # answer and two group commits) and the lane still keeps its rate.
        self.senders = max(concurrency, min(math.ceil(rate / 4), MAX_SENDERS))
        self.queue: asyncio.Queue[Delivery | None] = asyncio.Queue(maxsize=2 * self.batch)
        # The messages of people waiting for their interval, by address, in order.
        self.waiting: dict[str, list[Delivery]] = {}


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
        batch: int | None = None,  # rows claimed at once; None: half a second at each rate
        concurrency: int = 8,  # the fewest senders per channel
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
        self.worker = worker or new_worker()
        self._running = asyncio.Lock()
        self.stopping = False  # set on shutdown: finish the batch in hand, take no new one
        # Many senders' "sending now" and "sent" each in one transaction (bot/outbox/commits.py).
        self._mark_sending = GroupCommit[int](db, self._write_sending)
        self._complete = GroupCommit[Outcome](db, self._write_results)
        self._lost: set[int] = set()  # rows another dispatcher took back before we sent them

    async def run_once(self) -> int:
        """Send everything due now; returns how many messages were handed to a platform.

        Each channel has its lane: a producer claims and renders that channel's rows in small
        chunks into a bounded queue while the lane's senders send, so the rate limiter's slots
        never go unused between chunks, and a slow channel never holds up a fast one. Rows whose
        recipient has no address on a running channel are claimed apart (and mostly skipped).
        """
        async with self._running:
            async with self.db.transaction() as tx:
                released, interrupted = await release_stale(tx, self.clock(), self.lease)
                for worker in await workers_holding_rows(tx):
                    if worker != self.worker and dead_here(worker):
                        gone = await release_worker(tx, worker)
                        released, interrupted = released + gone[0], interrupted + gone[1]
            if released or interrupted:
                log.warning(
                    "a dispatcher stopped: %d unsent rows are due again, %d were mid-send "
                    "(marked interrupted, not resent)",
                    released,
                    interrupted,
                )
            lanes = {
                name: Lane(channel, self.batch, self.concurrency)
                for name, channel in self.channels.items()
            }
            later: list[asyncio.Task[int]] = []  # people whose messages wait for their interval
            senders = [
                asyncio.create_task(self._consume(lane.queue, later, lane.waiting))
                for lane in lanes.values()
                for _ in range(lane.senders)
            ]
            try:
                await asyncio.gather(
                    *(self._produce(lanes, name, lane.batch) for name, lane in lanes.items()),
                    self._produce(lanes, None, self.batch or MIN_BATCH),
                )
            finally:
                for lane in lanes.values():
                    for _ in range(lane.senders):
                        await lane.queue.put(None)
                sent = sum(await asyncio.gather(*senders))
                sent += sum(await asyncio.gather(*later))
        return sent

    async def next_due(self) -> datetime | None:
        async with self.db.transaction() as tx:
            return await next_due(tx)

    async def _produce(self, lanes: Mapping[str, Lane], lane: str | None, batch: int) -> None:
        """Claim and render `lane`'s due rows (None: those reached on no running channel)."""
        while not self.stopping:
            now = self.clock()
            quiet = (
                timedelta(seconds=self.channels[lane].limiter.per_chat_interval)
                if lane is not None
                else None
            )
            async with self.db.transaction() as tx:
                ids = await claim_due(
                    tx, now, self.worker, batch, lane=lane, channels=self.channels.keys(),
                    quiet=quiet,
                )  # fmt: skip
                deliveries = await prepare(tx, ids, now, self.policy, self.channels.keys())
            if not ids:
                return
            for delivery in deliveries:
                await lanes[delivery.channel].queue.put(delivery)

    async def _consume(
        self,
        queue: asyncio.Queue[Delivery | None],
        later: list[asyncio.Task[int]],
        waiting: dict[str, list[Delivery]],
    ) -> int:
        sent = 0
        while (delivery := await queue.get()) is not None:
            limiter = self.channels[delivery.channel].limiter_for(delivery.reply)
            queued = waiting.get(delivery.address)
            if queued is not None:  # an earlier message to them waits: this one goes after it
                queued.append(delivery)
                continue
            if not limiter.ready(delivery.address):
                # The person had a message moments ago (WhatsApp: 6 s apart): their messages
                # wait on their own, in order, and this sender goes on with other people's.
                waiting[delivery.address] = [delivery]
                later.append(asyncio.create_task(self._send_in_order(delivery.address, waiting)))
                continue
            sent += await self._send_one(delivery)
        return sent

    async def _send_in_order(self, address: str, waiting: dict[str, list[Delivery]]) -> int:
        """Send one person's waiting messages one after the other, in the order they came."""
        sent = 0
        queued = waiting[address]
        while queued:
            sent += await self._send_one(queued.pop(0))
        del waiting[address]  # in the same step as finding it empty: nothing is left behind
        return sent

    async def _send_one(self, delivery: Delivery) -> bool:
        channel = self.channels[delivery.channel]
        limiter = channel.limiter_for(delivery.reply)
        slot = await limiter.wait(delivery.address)
        await self._mark_sending(delivery.row_id)
        if delivery.row_id in self._lost:  # taken back by another dispatcher: theirs to send
            self._lost.discard(delivery.row_id)
            log.warning("outbox row %s was taken back before it was sent; not sent here",
                        delivery.row_id)  # fmt: skip
            async with self.db.transaction() as tx:
                await mark_failed(tx, delivery.message_id, "taken back by another dispatcher", 0)
            return False
        await limiter.still_on_time(delivery.address, slot)
        try:
            result = await channel.send(delivery.address, delivery.reply)
        except Exception as error:  # a channel bug must not lose the row: record it as failed
            log.exception("channel %s raised while sending", delivery.channel)
            result = SendResult(False, error=type(error).__name__)
        await self._complete(
            Outcome(
                delivery,
                result.ok,
                result.external_id,
                result.error,
                result.unreachable,
                result.attempts,
            )
        )
        return result.ok

    async def _write_sending(self, tx: AsyncSession, row_ids: list[int]) -> None:
        marked = await mark_sending(tx, row_ids, self.clock(), self.worker)
        self._lost.update(set(row_ids) - marked)

    async def _write_results(self, tx: AsyncSession, outcomes: list[Outcome]) -> None:
        await complete_all(tx, outcomes, self.clock())
