"""`pendamping appointments add` says when a recurring appointment really happens."""

from __future__ import annotations

import calendar
import io
import shlex
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.cli.main import dispatch, parser
from bot.config import Settings
from handlers.programs.admin import add_organisation
from storage.db import Database
from storage.models import Appointment
from tests.helpers.participants import add_participant

WIT = ZoneInfo("Asia/Jayapura")


async def pendamping(database_url: str, command: str) -> tuple[int, str, str]:
    args = parser().parse_args(shlex.split(command))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = await dispatch(args.command, args, Settings(database_url=database_url))
    return code, out.getvalue(), err.getvalue()


def last_days(first_month: date, count: int) -> list[date]:
    """The 31st, or the last day of shorter months, for `count` months from `first_month`."""
    found, year, month = [], first_month.year, first_month.month
    for _ in range(count):
        found.append(date(year, month, min(31, calendar.monthrange(year, month)[1])))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


async def test_monthly_on_the_31st_reports_the_real_first_date_and_the_short_months(
    db: Database, database_url: str
) -> None:
    now = datetime.now(UTC)
    await add_participant(db, "Budi Santoso", now=now, timezone="Asia/Jayapura")
    async with db.transaction() as tx:
        await add_organisation(tx, "Bapas Ambon", "bapas", "Asia/Jayapura", now)
    asked = (now.astimezone(WIT) + timedelta(days=40)).date().replace(day=7)
    code, out, err = await pendamping(
        database_url,
        f'appointments add --participant 1 --org "Bapas Ambon" --kind wajib_lapor '
        f'--start "{asked} 09:00" --every monthly:31 --place "Kantor Bapas Ambon"',
    )
    assert code == 0, err
    expected = last_days(asked, 4)
    first = expected[0]  # the 31st of that month, or its last day: never the 7th asked for
    assert f"first {first} 09:00 WIT, monthly on day 31 (the last day in shorter months)" in out
    assert f"note: --start {asked} 09:00 WIT is not on the day the rule gives" in out
    listed = out.split("dates: ", 1)[1].split(", ...")[0]
    assert listed == ", ".join(f"{day:%a %Y-%m-%d}" for day in expected)
    assert any(day.day < 31 for day in expected)  # a short month among them, clamped
    async with db.transaction() as tx:
        [appointment] = (await tx.execute(select(Appointment))).scalars()
    assert appointment.starts_at == datetime.combine(first, datetime.min.time(), WIT).replace(
        hour=9
    )
    _code, out, _err = await pendamping(database_url, "appointments list")
    assert f"{first} 09:00 WIT" in out and f"{asked} 09:00" not in out


async def test_a_weekly_series_starts_on_the_start_given(db: Database, database_url: str) -> None:
    now = datetime.now(UTC)
    await add_participant(db, "Budi Santoso", now=now, timezone="Asia/Jayapura")
    async with db.transaction() as tx:
        await add_organisation(tx, "Bapas Ambon", "bapas", "Asia/Jayapura", now)
    asked = (now.astimezone(WIT) + timedelta(days=3)).date()
    code, out, err = await pendamping(
        database_url,
        f'appointments add --participant 1 --org "Bapas Ambon" --kind konseling '
        f'--start "{asked} 10:00" --every 2weeks --place "Kantor Bapas Ambon"',
    )
    assert code == 0, err
    assert f"first {asked} 10:00 WIT, every 2 weeks" in out
    assert "note:" not in out
    weeks = [asked + timedelta(weeks=2 * n) for n in range(4)]
    assert f"dates: {', '.join(f'{day:%a %Y-%m-%d}' for day in weeks)}, ..." in out


async def test_until_ends_the_dates_shown_and_one_before_the_first_date_is_refused(
    db: Database, database_url: str
) -> None:
    now = datetime.now(UTC)
    await add_participant(db, "Budi Santoso", now=now, timezone="Asia/Jayapura")
    async with db.transaction() as tx:
        await add_organisation(tx, "Bapas Ambon", "bapas", "Asia/Jayapura", now)
    asked = (now.astimezone(WIT) + timedelta(days=40)).date().replace(day=7)
    first, second, third, _fourth = last_days(asked, 4)
    base = (
        'appointments add --participant 1 --org "Bapas Ambon" --kind wajib_lapor '
        f'--start "{asked} 09:00" --every monthly:31 --place "Kantor Bapas Ambon"'
    )
    code, out, err = await pendamping(database_url, f"{base} --until {asked + timedelta(days=5)}")
    assert code == 2
    assert f"--until {asked + timedelta(days=5)} is before the first appointment, {first}" in err
    code, out, err = await pendamping(database_url, f"{base} --until {second}")
    assert code == 0, err
    assert f"dates: {first:%a %Y-%m-%d}, {second:%a %Y-%m-%d} (the last one)" in out
    assert f"{third}" not in out
