"""Recurring appointments in local time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.programs.recurrence import RecurrenceError, occurrences, parse_recurrence

WIT = ZoneInfo("Asia/Jayapura")


@pytest.mark.parametrize(
    ("typed", "rule"),
    [("weekly", "weekly:1"), ("every 2 weeks", "weekly:2"), ("2weeks", "weekly:2"),
     ("monthly:5", "monthly:5"), ("bulanan tanggal 5", "monthly:5"), ("", None), ("once", None)],
)  # fmt: skip
def test_parse_recurrence(typed: str, rule: str | None) -> None:
    assert parse_recurrence(typed) == rule


def test_unreadable_recurrence_says_what_is_accepted() -> None:
    with pytest.raises(RecurrenceError, match="monthly:5"):
        parse_recurrence("kadang-kadang")


def test_every_monday_at_nine_local() -> None:
    first = datetime(2026, 11, 23, 9, 0, tzinfo=WIT)  # a Monday
    found = occurrences(first, "Asia/Jayapura", "weekly:1", None, first, first + timedelta(days=22))
    assert [d.astimezone(WIT).strftime("%a %d %H:%M") for d in found] == [
        "Mon 23 09:00", "Mon 30 09:00", "Mon 07 09:00", "Mon 14 09:00",
    ]  # fmt: skip


def test_every_two_weeks_from_a_later_window() -> None:
    first = datetime(2026, 11, 2, 10, 0, tzinfo=WIT)
    window = datetime(2026, 11, 20, tzinfo=WIT)
    found = occurrences(
        first, "Asia/Jayapura", "weekly:2", None, window, window + timedelta(days=30)
    )
    assert [d.astimezone(WIT).day for d in found] == [30, 14]


def test_monthly_on_the_31st_uses_the_last_day_of_short_months() -> None:
    first = datetime(2027, 1, 31, 8, 0, tzinfo=WIT)
    found = occurrences(
        first, "Asia/Jayapura", "monthly:31", None, first, first + timedelta(days=70)
    )
    assert [d.astimezone(WIT).date().isoformat() for d in found] == [
        "2027-01-31",
        "2027-02-28",
        "2027-03-31",
    ]


def test_until_stops_the_series_and_one_off_is_single() -> None:
    first = datetime(2026, 11, 23, 9, 0, tzinfo=WIT)
    until = first + timedelta(days=8)
    assert (
        len(
            occurrences(
                first, "Asia/Jayapura", "weekly:1", until, first, first + timedelta(days=60)
            )
        )
        == 2
    )
    assert occurrences(first, "Asia/Jayapura", None, None, first, first + timedelta(days=60)) == [
        first
    ]
