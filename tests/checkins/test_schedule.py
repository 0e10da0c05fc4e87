"""Check-ins are planned on the days of the schedule, at the person's time of day in their zone,
never in quiet hours; planning is idempotent, re-plans when the date changes, skips who is not
active; the organisation or program may set its own days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.inbox import Inbox
from handlers.checkins.schedule import DEFAULT_DAYS, parse_days
from handlers.reminders.rules import QuietHours
from storage.checkins.answers import set_schedule
from storage.db import Database
from storage.models import Organisation, ParticipantStatus, ScheduledStatus
from tests.fakes.channel import CollectingChannel
from tests.helpers.checkins import plan, plan_everyone, rows, signed_up, update

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
RELEASED = date(2026, 12, 1)


def local_times(found: list, zone: str) -> list[datetime]:  # type: ignore[type-arg]
    return [row.due_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None) for row in found]


def test_the_default_days_run_to_twelve_months() -> None:
    assert DEFAULT_DAYS[:6] == (3, 7, 14, 30, 60, 90)
    assert DEFAULT_DAYS[6:] == tuple(30 * month for month in range(4, 13))


@pytest.mark.parametrize(
    ("city", "zone"),
    [("kota ambon", "Asia/Jayapura"), ("kota pekalongan", "Asia/Jakarta"),
     ("kota makassar", "Asia/Makassar")],
)  # fmt: skip
async def test_checkins_come_at_eight_in_the_morning_in_each_zone(
    db: Database, inbox: Inbox, channel: CollectingChannel, city: str, zone: str
) -> None:
    _person, pid = await signed_up(inbox, channel, "51", city)  # chose "pagi" at sign-up
    await update(db, pid, release_date=RELEASED)
    added = await plan(db, pid, NOW)
    assert added == 2 * len(DEFAULT_DAYS)  # a prompt and its nudge for each day
    prompts = await rows(db, "checkin")
    assert local_times(prompts, zone)[:3] == [
        datetime(2026, 12, 4, 8, 0), datetime(2026, 12, 8, 8, 0), datetime(2026, 12, 15, 8, 0),
    ]  # fmt: skip
    nudges = await rows(db, "checkin_nudge")
    assert [n.due_at - p.due_at for p, n in zip(prompts, nudges, strict=True)] == [
        timedelta(days=1)
    ] * len(DEFAULT_DAYS)


async def test_the_preferred_time_of_day_is_kept_and_quiet_hours_are_never_used(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    _person, pid = await signed_up(inbox, channel, "52", "kota ambon")
    await update(db, pid, release_date=RELEASED, contact_time="afternoon")
    await plan(db, pid, NOW)
    assert local_times(await rows(db), "Asia/Jayapura")[0] == datetime(2026, 12, 4, 16, 0)
    # An organisation whose quiet hours start at 15.00: the check-in waits for them to end.
    await update(db, pid, contact_time="evening")
    await plan(db, pid, NOW, quiet=QuietHours(time(15, 0), time(7, 0)))
    [first, *_rest] = [r for r in await rows(db) if r.status == ScheduledStatus.PENDING]
    assert first.due_at.astimezone(ZoneInfo("Asia/Jayapura")).replace(tzinfo=None) == datetime(
        2026, 12, 5, 7, 0
    )


async def test_planning_again_or_after_a_restart_adds_nothing(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    _person, pid = await signed_up(inbox, channel, "53")
    await update(db, pid, release_date=RELEASED)
    assert await plan(db, pid, NOW) == 2 * len(DEFAULT_DAYS)
    assert await plan(db, pid, NOW) == 0
    assert await plan_everyone(db, NOW + timedelta(hours=1)) == 0  # the hourly planner job
    assert len(await rows(db)) == len(DEFAULT_DAYS)


async def test_days_already_past_are_not_planned(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    _person, pid = await signed_up(inbox, channel, "54")
    await update(db, pid, release_date=RELEASED - timedelta(days=20))
    await plan(db, pid, NOW)
    first = (await rows(db))[0].due_at.astimezone(ZoneInfo("Asia/Jayapura")).date()
    assert first == RELEASED - timedelta(days=20) + timedelta(days=30)


async def test_a_new_release_date_replans_every_checkin(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    _person, pid = await signed_up(inbox, channel, "55")
    await update(db, pid, release_date=RELEASED)
    await plan(db, pid, NOW)
    await update(db, pid, release_date=RELEASED + timedelta(days=10))
    await plan(db, pid, NOW)
    found = await rows(db)
    old = [r for r in found if r.status == ScheduledStatus.CANCELLED]
    new = [r for r in found if r.status == ScheduledStatus.PENDING]
    assert len(old) == len(new) == len(DEFAULT_DAYS)
    assert local_times(new, "Asia/Jayapura")[0] == datetime(2026, 12, 14, 8, 0)


async def test_without_a_release_date_they_count_from_sign_up(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    _person, pid = await signed_up(inbox, channel, "56")
    await update(db, pid, consent_at=datetime(2026, 11, 30, 3, 0, tzinfo=UTC))
    await plan(db, pid, NOW)
    assert local_times(await rows(db), "Asia/Jayapura")[0] == datetime(2026, 12, 3, 8, 0)


@pytest.mark.parametrize(
    "status", [ParticipantStatus.STOPPED, ParticipantStatus.ERASED, ParticipantStatus.UNREACHABLE]
)
async def test_nobody_stopped_erased_or_unreachable_is_planned(
    db: Database, inbox: Inbox, channel: CollectingChannel, status: str
) -> None:
    _person, pid = await signed_up(inbox, channel, "57")
    await update(db, pid, release_date=RELEASED, status=status)
    assert await plan(db, pid, NOW) == 0
    assert await plan_everyone(db, NOW) == 0
    assert await rows(db) == []


async def test_an_organisation_and_a_program_can_set_their_own_days(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    _person, pid = await signed_up(inbox, channel, "58")
    async with db.transaction() as tx:
        org = Organisation(name="Bapas Kelas II Ambon", kind="bapas", timezone="Asia/Jayapura")
        tx.add(org)
        await tx.flush()
        await set_schedule(tx, org.id, None, parse_days("5, 10,20"))
        org_id = org.id
    await update(db, pid, release_date=RELEASED, organisation_id=org_id)
    assert await plan(db, pid, NOW) == 6
    dates = [d.date() for d in local_times(await rows(db), "Asia/Jayapura")]
    assert dates == [date(2026, 12, 6), date(2026, 12, 11), date(2026, 12, 21)]


def test_days_that_are_not_numbers_are_refused_with_what_to_type() -> None:
    with pytest.raises(ValueError, match=r"e\.g\. 3,7,14"):
        parse_days("tiga")
    with pytest.raises(ValueError, match="from 1 to 1095"):
        parse_days("0,7")


async def test_a_date_changed_back_brings_the_first_plan_back_without_duplicates(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    _person, pid = await signed_up(inbox, channel, "59")
    for released in (RELEASED, RELEASED + timedelta(days=10), RELEASED):
        await update(db, pid, release_date=released)
        await plan(db, pid, NOW)
    found = await rows(db)
    pending = [r for r in found if r.status == ScheduledStatus.PENDING]
    assert len(found) == 2 * len(DEFAULT_DAYS)  # one row per key: the first ones revived
    assert local_times(pending, "Asia/Jayapura")[0] == datetime(2026, 12, 4, 8, 0)
