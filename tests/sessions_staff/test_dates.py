"""Days and times as staff type them on a phone, in Indonesian (and English)."""

from __future__ import annotations

from datetime import date, time

import pytest

from handlers.understanding.dates import parse_clock, parse_day

MONDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("hari ini", date(2026, 11, 30)),
        ("Besok", date(2026, 12, 1)),
        ("lusa", date(2026, 12, 2)),
        ("senin", date(2026, 12, 7)),  # a weekday is the next one, never today
        ("hari Jum'at", date(2026, 12, 4)),
        ("sabtu depan", date(2026, 12, 5)),
        ("Minggu", date(2026, 12, 6)),
        ("tanggal 24 Agustus", date(2027, 8, 24)),
        ("12/12", date(2026, 12, 12)),
        ("12-12-2026", date(2026, 12, 12)),
        ("5/1", date(2027, 1, 5)),  # this year's 5 January has passed: next year's
        ("12 Desember", date(2026, 12, 12)),
        ("tgl 3 jan", date(2027, 1, 3)),
        ("1 Mei 2027", date(2027, 5, 1)),
        ("tomorrow", date(2026, 12, 1)),
    ],
)
def test_a_typed_day(typed: str, day: date) -> None:
    assert parse_day(typed, MONDAY) == day


@pytest.mark.parametrize("typed", ["kapan-kapan", "31/2", "29/11/2026", "13/13", "", "12 foo"])
def test_no_day_or_a_day_past(typed: str) -> None:
    assert parse_day(typed, MONDAY) is None


@pytest.mark.parametrize(
    ("typed", "clock"),
    [
        ("09.00", time(9, 0)),
        ("9:30", time(9, 30)),
        ("14:30", time(14, 30)),
        ("9 pagi", time(9, 0)),
        ("jam 2 siang", time(14, 0)),
        ("11 siang", time(11, 0)),
        ("pukul 4 sore", time(16, 0)),
        ("7 malam", time(19, 0)),
        ("jam 10", time(10, 0)),
        ("08.15 WIB", time(8, 15)),
        ("3 pm", time(15, 0)),
    ],
)
def test_a_typed_time(typed: str, clock: time) -> None:
    assert parse_clock(typed) == clock


@pytest.mark.parametrize("typed", ["pagi-pagi", "25.00", "9.75", "besok", ""])
def test_no_time(typed: str) -> None:
    assert parse_clock(typed) is None
