"""The worker that handles stored WhatsApp deliveries: in order of arrival, each message handed to
the engine, each status applied to the message log, the raw body deleted once done.

A delivery whose handling raised is tried again a little later, a few times, then recorded as
failed without its body. A message already handled when a delivery is handled again (after a
crash half-way, or because Meta delivered it twice) is recognised by its dedupe key
(`whatsapp:<wamid>`) in the message log and changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import traceback
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.channels.protocol import Receive
from bot.channels.whatsapp.errors import Outcome
from bot.channels.whatsapp.updates import (
    CHANNEL,
    Delivery,
    StatusUpdate,
    UnreadableDelivery,
    read_delivery,
)
from handlers.outbox.fallback import send_as_template
from handlers.outbox.reachability import mark_unreachable
from storage.addresses import address_value, resolve_whatsapp
from storage.db import Database
from storage.deliveries import (
    Claimed,
    claim_deliveries,
    fail_delivery,
    finish_delivery,
    holders,
    next_free_at,
    release_holders,
    renew_lease,
    retry_later,
)
from storage.messages import apply_status
from storage.models import MessageStatus

log = logging.getLogger(__name__)

# Seconds before looking again at a delivery whose statuses name messages we do not know yet
# (a status that overtook the record of its send); then such statuses are let go.
UNKNOWN_STATUS_DELAYS = (1.0, 5.0)

LEASE = timedelta(seconds=30)  # renewed every third of it while a delivery is in hand
BATCH = 16  # deliveries claimed at once
RETRY_DELAYS = (2.0, 15.0)  # seconds before the 2nd and 3rd try; then it is given up on
POLL = 10.0  # seconds: also look for deliveries another process stored and could not handle


def utcnow() -> datetime:
    return datetime.now(UTC)


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


_RUNNING: set[str] = set()  # the workers of this process now


def died(worker: str, me: str) -> bool:
    """Whether a worker named by `worker_name` is surely gone: it ran on this machine, and its
    process is no more (or is this one: a restart that got the same process id, as a container's
    first process does). Workers on other machines are waited for until their lease ends."""
    if worker in _RUNNING:
        return False
    parts = worker.split(":")
    my_parts = me.split(":")
    if len(parts) != 3 or parts[0] != my_parts[0] or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():  # not one of ours now: an earlier process with this id
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, someone else's
        return False
    return False


class InboundWorker:
    def __init__(
        self,
        db: Database,
        *,
        lease: timedelta = LEASE,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        batch: int = BATCH,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.clock = clock
        self.name = worker_name()
        self.lease = lease
        self.retry_delays = tuple(retry_delays)
        self.batch = batch
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._receive: Receive | None = None
        self._on_requeue: Callable[[], None] | None = None

    def start(self, receive: Receive, on_requeue: Callable[[], None] | None = None) -> None:
        """Handle deliveries from now on: first those stored and not finished before (a crash,
        a restart, posts taken before the engine was ready), then each new one."""
        if self._task is not None:
            raise RuntimeError("the WhatsApp inbound worker is running already")
        self._receive, self._on_requeue = receive, on_requeue
        self._stopping = False
        _RUNNING.add(self.name)
        self._task = asyncio.create_task(self._run(), name="whatsapp-inbound")
        self._wake.set()

    def wake(self) -> None:
        """A delivery was stored: look now."""
        self._wake.set()

    async def stop(self) -> None:
        """Finish the delivery in hand; the others claimed are let go, for the next start."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            task, self._task = self._task, None
            await task
        _RUNNING.discard(self.name)

    async def _run(self) -> None:
        try:
            await self._take_over_dead()
        except Exception as error:
            log.warning(
                "whatsapp inbound: could not look for dead workers (%s)", type(error).__name__
            )
        failures = 0
        while not self._stopping:
            self._wake.clear()
            try:
                worked = await self._work_once()
                failures = 0
            except Exception as error:  # the database is away: try again a little later
                failures += 1
                log.warning(
                    "whatsapp inbound: cannot reach the stored deliveries (%s)",
                    type(error).__name__,
                )
                await self._sleep(min(30.0, 0.5 * 2**failures))
                continue
            if not worked and not self._stopping:
                await self._sleep(await self._idle_time())

    async def _take_over_dead(self) -> None:
        """Deliveries held by a process of this machine that died (kill -9) are handled now,
        not only when their lease runs out."""
        async with self.db.transaction() as tx:
            dead = [w for w in await holders(tx, CHANNEL) if died(w, self.name)]
            released = await release_holders(tx, CHANNEL, dead)
        if released:
            log.info("whatsapp inbound: %d delivery(ies) of a stopped process taken over", released)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, seconds))

    async def _idle_time(self) -> float:
        async with self.db.transaction() as tx:
            free_at = await next_free_at(tx, CHANNEL)
        if free_at is None:
            return POLL
        wait = (free_at - self.clock()).total_seconds()
        return min(POLL, max(0.05, wait))

    async def _work_once(self) -> bool:
        async with self.db.transaction() as tx:
            claimed = await claim_deliveries(
                tx, CHANNEL, self.name, self.clock(), self.lease, self.batch
            )
        if not claimed:
            return False
        held = [c.id for c in claimed]
        keeper = asyncio.create_task(self._keep_leases(held))
        try:
            for delivery in claimed:
                if self._stopping:
                    break
                await self._handle(delivery)
                held.remove(delivery.id)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            if held:  # stopping: the rest go back, free at once
                async with self.db.transaction() as tx:
                    for delivery_id in held:
                        await retry_later(tx, delivery_id, self.clock())
        return True

    async def _keep_leases(self, held: list[int]) -> None:
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                async with self.db.transaction() as tx:
                    await renew_lease(tx, self.name, held, self.clock() + self.lease)
            except Exception as error:
                log.warning("whatsapp inbound: lease not renewed (%s)", type(error).__name__)

    async def _handle(self, claimed: Claimed) -> None:
        try:
            delivery = read_delivery(claimed.body, self.clock())
        except UnreadableDelivery as error:
            log.warning("whatsapp delivery %s given up: %s", claimed.id, error)
            await self._fail(claimed.id, str(error))
            return
        try:
            unknown = await self._process(claimed.id, delivery)
        except Exception as error:
            # Only the type and the code's path: an exception's text may quote what a person
            # wrote or who they are (a database error repeats its parameters).
            frames = "".join(traceback.format_tb(error.__traceback__))
            if claimed.attempts > len(self.retry_delays):
                log.error(
                    "whatsapp delivery %s given up after %d tries: %s\n%s",
                    claimed.id, claimed.attempts, type(error).__name__, frames,
                )  # fmt: skip
                await self._fail(claimed.id, f"handling raised {type(error).__name__}")
                return
            delay = self.retry_delays[claimed.attempts - 1]
            log.warning(
                "whatsapp delivery %s failed (try %d, again in %.0f s): %s\n%s",
                claimed.id, claimed.attempts, delay, type(error).__name__, frames,
            )  # fmt: skip
            async with self.db.transaction() as tx:
                await retry_later(tx, claimed.id, self.clock() + timedelta(seconds=delay))
            return
        if unknown and claimed.attempts <= len(UNKNOWN_STATUS_DELAYS):
            # A status can overtake the record of the send it is about (send results are
            # written in batches, 50 ms apart): look again shortly. Its messages are not
            # handled twice (their keys are logged), and a status applied twice changes nothing.
            delay = UNKNOWN_STATUS_DELAYS[claimed.attempts - 1]
            async with self.db.transaction() as tx:
                await retry_later(tx, claimed.id, self.clock() + timedelta(seconds=delay))
            return
        async with self.db.transaction() as tx:
            await finish_delivery(tx, claimed.id)

    async def _fail(self, delivery_id: int, reason: str) -> None:
        async with self.db.transaction() as tx:
            await fail_delivery(tx, delivery_id, reason, self.clock())

    async def _process(self, delivery_id: int, delivery: Delivery) -> int:
        """Hand its messages to the engine, apply its statuses; how many statuses were about
        messages we do not know (yet)."""
        assert self._receive is not None
        for error in delivery.errors:
            log.warning(
                "whatsapp delivery %s: Meta reports error %s (%s)",
                delivery_id, error.code, error.outcome,
            )  # fmt: skip
        if delivery.skipped:
            log.info(
                "whatsapp delivery %s: %d message(s) with no sender skipped, types %s",
                delivery_id, len(delivery.skipped), sorted(set(delivery.skipped)),
            )  # fmt: skip
        for inbound in delivery.messages:
            async with self.db.transaction() as tx:
                resolved = await resolve_whatsapp(
                    tx, inbound.sender.user_id, inbound.sender.phone, inbound.incoming.received_at
                )
            if resolved.merged:
                log.info("whatsapp: two addresses were one person; merged into one")
            elif resolved.conflict:
                log.warning(
                    "whatsapp: one person has two addresses with a participant each; "
                    "both kept (staff can link them)"
                )
            await self._receive(replace(inbound.incoming, address=resolved.value))
        if not delivery.statuses:
            return 0
        return await self._apply_statuses(delivery_id, delivery.statuses)

    async def _apply_statuses(self, delivery_id: int, statuses: list[StatusUpdate]) -> int:
        now = self.clock()
        unknown = requeued = 0
        async with self.db.transaction() as tx:
            for update in statuses:
                status = MessageStatus.READ if update.status == "played" else update.status
                error = update.error.describe() if update.error is not None else None
                applied = await apply_status(
                    tx, CHANNEL, update.external_id, status, update.at, error
                )
                if applied is None:
                    unknown += 1
                    continue
                recipient = update.recipient
                if recipient is not None and recipient.user_id and recipient.phone:
                    await resolve_whatsapp(tx, recipient.user_id, recipient.phone, now)
                if status != MessageStatus.FAILED or not applied.changed or update.error is None:
                    continue
                outcome = update.error.outcome
                log.info(
                    "whatsapp message %s failed: %s (%s)",
                    applied.message_id, update.error.code, outcome,
                )  # fmt: skip
                if outcome == Outcome.UNREACHABLE and applied.address_id is not None:
                    value = await address_value(tx, applied.address_id)
                    if value is not None and await mark_unreachable(tx, CHANNEL, value, now):
                        log.info(
                            "address unreachable channel=%s message=%s", CHANNEL, applied.message_id
                        )
                elif outcome == Outcome.WINDOW_CLOSED and await send_as_template(
                    tx, applied.message_id, now
                ):
                    requeued += 1
        if unknown:
            log.info(
                "whatsapp delivery %s: %d status(es) for messages we do not know",
                delivery_id,
                unknown,
            )
        if requeued and self._on_requeue is not None:
            self._on_requeue()
        return unknown
