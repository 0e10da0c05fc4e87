"""APScheduler wakes the dispatcher when the next row falls due, and runs the daily planners.

It never holds the only copy of anything: the outbox rows in the database are the truth, so a
restart loses nothing. A poll every `poll_seconds` picks up rows other processes (the CLI) added.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.dispatcher import Dispatcher
from handlers.reminders import plan_all_appointments

log = logging.getLogger(__name__)


class ReminderScheduler:
    def __init__(self, dispatcher: Dispatcher, poll_seconds: float = 30.0) -> None:
        self.dispatcher = dispatcher
        self.poll_seconds = poll_seconds
        self.scheduler = AsyncIOScheduler(timezone=UTC)

    def start(self) -> None:
        now = datetime.now(UTC)
        self.scheduler.add_job(
            self.tick, IntervalTrigger(seconds=self.poll_seconds), id="poll",
            next_run_time=now, max_instances=1, coalesce=True, misfire_grace_time=None,
        )  # fmt: skip
        self.scheduler.add_job(
            self.plan, CronTrigger(minute=7), id="plan",
            next_run_time=now, max_instances=1, coalesce=True, misfire_grace_time=None,
        )  # fmt: skip
        self.scheduler.start()

    async def stop(self) -> None:
        """Stop waking up, and let a dispatch under way finish its batch."""
        if self.scheduler.running:
            self.scheduler.pause()
            async with self.dispatcher.idle():
                self.scheduler.shutdown(wait=False)

    async def tick(self) -> None:
        """Send what is due, then sleep until the next row falls due (or the next poll)."""
        try:
            while True:
                await self.dispatcher.run_once()
                upcoming = await self.dispatcher.next_due()
                if upcoming is None:
                    return
                if upcoming > datetime.now(UTC):
                    self._wake_at(upcoming)
                    return
        except Exception:
            log.exception("dispatch failed; retrying at the next poll")

    async def plan(self) -> None:
        db = self.dispatcher.db
        try:
            async with db.transaction() as session:
                added = await plan_all_appointments(
                    session, datetime.now(UTC), self.dispatcher.policy
                )
        except Exception:
            log.exception("appointment planning failed; retrying within the hour")
            return
        if added:
            log.info("planned %d appointment reminder(s)", added)
            await self.tick()

    def _wake_at(self, moment: datetime) -> None:
        self.scheduler.add_job(
            self.tick, DateTrigger(run_date=moment), id="wake", replace_existing=True,
            max_instances=1, coalesce=True, misfire_grace_time=None,
        )  # fmt: skip
