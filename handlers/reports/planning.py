"""Planning the weekly digests: one outbox row per staff member per ISO week, due on Monday at
the hour of their morning digest in their own zone; planned by the hourly planner
(bot/outbox/scheduler.py), idempotent by its key "weekly:<staff>:<iso week>"."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.outbox.queue import enqueue
from handlers.outbox.recipients import Recipient
from handlers.reports.weekly import iso_week, this_monday
from storage.models import OutboxKind, Staff, StaffStatus
from storage.staff.digests import digest_readers

LATE = timedelta(hours=1)  # planned after its hour (the bot was down): still goes
VALID = timedelta(days=1)  # never sent once its Monday is over


def weekly_key(staff_id: int, monday: datetime) -> str:
    return f"weekly:{staff_id}:{iso_week(monday.date())}"


async def plan_weekly_of(tx: AsyncSession, staff: Staff, now: datetime) -> int:
    """This week's digest (if its hour is ahead or just past) and next week's."""
    if staff.status != StaffStatus.ACTIVE or not staff.digest_on:
        return 0
    zone = ZoneInfo(staff.timezone)
    monday = this_monday(now, staff.timezone)
    added = 0
    for day in (monday, monday + timedelta(weeks=1)):
        due = datetime.combine(day, time(staff.digest_hour), tzinfo=zone)
        if due + LATE < now:
            continue
        added += await enqueue(
            tx,
            kind=OutboxKind.WEEKLY,
            recipient=Recipient.staff(staff.id),
            key=weekly_key(staff.id, due),
            due_at=due,
            event_at=datetime.combine(day + VALID, time(), tzinfo=zone),
        )
    return added


async def plan_weekly(tx: AsyncSession, now: datetime) -> int:
    """Every digest reader's weekly digests (run hourly)."""
    added = 0
    for staff in await digest_readers(tx):
        added += await plan_weekly_of(tx, staff, now)
    return added
