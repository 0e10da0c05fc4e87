"""Reminder timing in each person's zone: offsets, quiet hours, grace."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.reminders.rules import (
    DEFAULT_OFFSETS,
    QuietHours,
    offsets_for,
    planned_reminders,
    send_time,
    too_late,
)

WIB = "Asia/Jakarta"
WIT = "Asia/Jayapura"


def local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def test_default_is_day_before_and_two_hours_before() -> None:
    assert offsets_for(None, None) == DEFAULT_OFFSETS == (1440, 120)
    assert offsets_for(None, [60, 2880]) == (2880, 60)
    assert offsets_for([30], [60, 2880]) == (30,)


def test_reminders_outside_quiet_hours_are_untouched() -> None:
    start = local(WIB, 2026, 12, 1, 9, 0)
    planned = planned_reminders(start, (1440, 120), WIB, QuietHours())
    assert [(o, t.astimezone(ZoneInfo(WIB))) for o, t in planned] == [
        (1440, local(WIB, 2026, 11, 30, 9, 0)),
        (120, local(WIB, 2026, 12, 1, 7, 0)),
    ]


def test_reminder_in_the_night_moves_to_the_evening_before() -> None:
    start = local(WIB, 2026, 12, 1, 7, 30)  # 2 hours before = 05.30, inside 21.00-06.00
    moved = send_time(start - timedelta(hours=2), WIB, QuietHours())
    assert moved.astimezone(ZoneInfo(WIB)) == local(WIB, 2026, 11, 30, 20, 59)


def test_reminder_late_evening_moves_earlier_the_same_evening() -> None:
    due = local(WIT, 2026, 12, 1, 22, 15)
    assert send_time(due, WIT, QuietHours()).astimezone(ZoneInfo(WIT)) == local(
        WIT, 2026, 12, 1, 20, 59
    )


def test_same_utc_moment_is_quiet_in_ambon_but_not_in_pekalongan() -> None:
    moment = datetime(2026, 12, 1, 12, 30, tzinfo=UTC)  # 19.30 WIB, 21.30 WIT
    assert send_time(moment, WIB, QuietHours()) == moment
    assert send_time(moment, WIT, QuietHours()).astimezone(ZoneInfo(WIT)) == local(
        WIT, 2026, 12, 1, 20, 59
    )


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("21:00-06:00", time(23, 0), time(12, 0)),
        ("22.00-05.00", time(4, 59), time(5, 0)),
        ("off", None, time(3, 0)),
    ],
)
def test_quiet_hours_parse(text: str, inside: time | None, outside: time) -> None:
    quiet = QuietHours.parse(text)
    if inside is not None:
        assert quiet.contains(inside)
    assert not quiet.contains(outside)


def test_too_late_after_grace_or_once_the_session_began() -> None:
    due = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    start = due + timedelta(hours=2)
    grace = timedelta(minutes=60)
    assert not too_late(due + timedelta(minutes=59), due, start, grace)
    assert too_late(due + timedelta(minutes=61), due, start, grace)
    assert too_late(start, start - timedelta(minutes=5), start, grace)
