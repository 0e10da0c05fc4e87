"""APScheduler wakes the dispatcher when the next row falls due, and runs the hourly jobs: the
appointment, digest and check-in planners and the retention job (storage/retention.py).

It never holds the only copy of anything, and never runs database work itself: its jobs only set
an event that our own dispatch loop waits on. The outbox rows in the database are the truth, so a
restart loses nothing; a poll every `poll_seconds` picks up rows other processes (the CLI) added.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.outbox.broadcast_progress import BroadcastProgress
from bot.outbox.dispatcher import Dispatcher
from handlers.broadcasts.composing.writing import resume_writing
from handlers.checkins.planning import plan_checkins_after
from handlers.digest.planning import plan_digests
from handlers.reminders.planning import plan_all_appointments
from handlers.reports.planning import plan_weekly
from storage.checkins.answers import expire_unanswered
from storage.retention import apply_retention

log = logging.getLogger(__name__)

HELD_RETRY_SECONDS = 0.5  # due rows left to another dispatcher: looked at again this soon


class ReminderScheduler:
    def __init__(self, dispatcher: Dispatcher, poll_seconds: float = 30.0) -> None:
        self.dispatcher = dispatcher
        self.poll_seconds = poll_seconds
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._wake = asyncio.Event()
        self._plan_due = True
        self._retention_due = True
        self._stopping = False
        self._loop: asyncio.Task[None] | None = None
        self.progress = BroadcastProgress(dispatcher)  # broadcasts' senders told how it goes
        self._progress: asyncio.Task[None] | None = None
        self._checkins: asyncio.Task[None] | None = None  # the check-in planner, when it runs

    def start(self) -> None:
        # misfire_grace_time=None: a wake-up that comes late (a busy loop) still happens.
        self.scheduler.add_job(
            self._poke, IntervalTrigger(seconds=self.poll_seconds), id="poll",
            misfire_grace_time=None, coalesce=True,
        )  # fmt: skip
        self.scheduler.add_job(
            self._poke_planner, CronTrigger(minute=7), id="plan",
            misfire_grace_time=None, coalesce=True,
        )  # fmt: skip
        self.scheduler.add_job(
            self._poke_retention, CronTrigger(minute=37), id="retention",
            misfire_grace_time=None, coalesce=True,
        )  # fmt: skip
        self.scheduler.start()
        self._wake.set()  # look at once: rows may have fallen due while we were down
        self._loop = asyncio.create_task(self._run(), name="dispatch-loop")
        self._progress = asyncio.create_task(self.progress.run(), name="broadcast-progress")

    async def stop(self) -> None:
        """Stop waking up; a batch under way is finished, not cut off mid-send."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for task in (self._progress, self._checkins):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._loop is None:
            return
        self._stopping = True
        self.dispatcher.stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(self._loop, timeout=30)
        except TimeoutError:
            log.warning("dispatch did not finish within 30 s; stopping it")
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop

    def wake(self) -> None:
        """Look for due rows now (a row was just made due, e.g. a message to resend)."""
        self._wake.set()

    async def _poke(self) -> None:
        self._wake.set()

    async def _poke_planner(self) -> None:
        self._plan_due = True
        self._wake.set()

    async def _poke_retention(self) -> None:
        self._retention_due = True
        self._wake.set()

    async def _run(self) -> None:
        while not self._stopping:
            await self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            await self._retain()
            try:
                await self._plan()
                sent = await self.dispatcher.run_once()
                upcoming = await self.dispatcher.next_due()
            except Exception:
                log.exception("dispatch failed; trying again at the next poll")
                continue
            if upcoming is None or self._stopping:
                continue
            now = datetime.now(UTC)
            if upcoming <= now and sent:
                self._wake.set()  # more became due while we were sending
            else:
                # Due rows this dispatcher took none of are another process's people for now
                # (storage/outbox.py claim_due): look again shortly, not in a busy loop.
                upcoming = max(upcoming, now + timedelta(seconds=HELD_RETRY_SECONDS))
                self.scheduler.add_job(
                    self._poke, DateTrigger(run_date=upcoming), id="next-due",
                    replace_existing=True, misfire_grace_time=None,
                )  # fmt: skip

    async def _plan(self) -> None:
        if not self._plan_due:
            return
        self._plan_due = False
        async with self.dispatcher.db.transaction() as tx:
            added = await plan_all_appointments(tx, datetime.now(UTC), self.dispatcher.policy)
            digests = await plan_digests(tx, datetime.now(UTC))
            digests += await plan_weekly(tx, datetime.now(UTC))
        if added or digests:
            log.info("planned %d appointment reminder(s), %d digest(s)", added, digests)
        if self._checkins is None or self._checkins.done():
            self._checkins = asyncio.create_task(self._plan_checkins(), name="checkin-planner")
        # Broadcasts whose writing a crash cut short (at start-up, then hourly).
        channels = list(self.dispatcher.channels) or None
        await resume_writing(
            self.dispatcher.db, channels, self.dispatcher.policy.quiet, self.dispatcher.clock()
        )

    async def _plan_checkins(self) -> None:
        """Check-ins for everyone, a batch of people per transaction, beside the dispatch loop:
        planning thousands of people must not hold up what is due now."""
        now, policy = self.dispatcher.clock(), self.dispatcher.policy
        added, after = 0, 0
        try:
            while True:
                async with self.dispatcher.db.transaction() as tx:
                    more, last = await plan_checkins_after(tx, now, policy, after)
                if last is None:
                    break
                added, after = added + more, last
                if more:
                    self._wake.set()
            async with self.dispatcher.db.transaction() as tx:
                expired = await expire_unanswered(tx, now)
        except Exception:
            log.exception("check-in planning failed; trying again in an hour")
            return
        if added or expired:
            log.info("planned %d check-in message(s); %d went unanswered", added, expired)

    async def _retain(self) -> None:
        """Delete what the privacy rules keep no longer; a failure waits for the next hour."""
        if not self._retention_due:
            return
        self._retention_due = False
        try:
            async with self.dispatcher.db.transaction() as tx:
                purged = await apply_retention(tx, self.dispatcher.clock())
        except Exception:
            log.exception("retention job failed; trying again in an hour")
            return
        if purged.dedupe_keys or purged.addresses or purged.messages or purged.drafts:
            log.info(
                "retention: %d dedupe key(s) cleared, %d unconsented address(es), "
                "%d message row(s) and %d unsent broadcast draft(s) deleted",
                purged.dedupe_keys, purged.addresses, purged.messages, purged.drafts,
            )  # fmt: skip
