"""Planning the morning digests: one outbox row per staff member per day, at their hour in
their own time zone, planned a day ahead by the hourly planner (bot/outbox/scheduler.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digest.sections import LOOKBACK, sections
from handlers.outbox.queue import enqueue
from handlers.outbox.recipients import Recipient
from storage.models import OutboxKind, Staff, StaffStatus
from storage.outbox import cancel_pending
from storage.staff.digests import digest_readers, forget_reported_before

DEFAULT_HOUR = 7
LATE = timedelta(hours=1)  # a digest planned after its hour (a new staff member) still goes


def digest_key(staff_id: int, day: date) -> str:
    return f"digest:{staff_id}:{day.isoformat()}"


def _at(staff: Staff, day: date) -> datetime:
    return datetime.combine(day, time(staff.digest_hour), tzinfo=ZoneInfo(staff.timezone))


async def plan_digests_of(tx: AsyncSession, staff: Staff, now: datetime) -> int:
    """Today's digest (if its hour is still ahead, or just past) and tomorrow's; idempotent."""
    if staff.status != StaffStatus.ACTIVE or not staff.digest_on:
        return 0
    today = now.astimezone(ZoneInfo(staff.timezone)).date()
    added = 0
    for day in (today, today + timedelta(days=1)):
        due = _at(staff, day)
        if due + LATE < now:
            continue
        end_of_day = datetime.combine(day + timedelta(days=1), time(0), tzinfo=due.tzinfo)
        added += await enqueue(
            tx,
            kind=OutboxKind.DIGEST,
            recipient=Recipient.staff(staff.id),
            key=digest_key(staff.id, day),
            due_at=due,
            event_at=end_of_day,  # never sent once its day is over
        )
    return added


async def plan_digests(tx: AsyncSession, now: datetime) -> int:
    """Every active staff member's digests (run hourly); forgets old reports too."""
    states = [found.name for found in sections() if found.state]
    await forget_reported_before(tx, now - LOOKBACK - timedelta(days=1), keep=states)
    added = 0
    for staff in await digest_readers(tx):
        added += await plan_digests_of(tx, staff, now)
    return added


async def replan(tx: AsyncSession, staff: Staff, now: datetime) -> None:
    """After a change of hour (or on/off): the digests not sent yet are planned again."""
    await cancel_pending(tx, staff_id=staff.id, kind=OutboxKind.DIGEST)
    await plan_digests_of(tx, staff, now)
