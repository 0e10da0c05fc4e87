"""Recurring appointments: "every Monday 09.00", "every 2 weeks", "monthly on the 5th"."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

_WEEKLY = re.compile(r"^weekly:(\d{1,2})$")
_MONTHLY = re.compile(r"^monthly:(\d{1,2})$")


class RecurrenceError(ValueError):
    """A recurrence rule that cannot be understood; the message says what is accepted."""


def parse_recurrence(text: str | None) -> str | None:
    """Normalise what staff type: "weekly", "2weeks", "every 2 weeks", "monthly:5" -> a rule."""
    if text is None or text.strip().lower() in ("", "none", "once", "sekali"):
        return None
    value = text.strip().lower().replace(" ", "").replace("every", "").replace("setiap", "")
    if value in ("weekly", "week", "minggu", "mingguan", "1week", "1weeks"):
        return "weekly:1"
    if match := re.fullmatch(r"(\d{1,2})(weeks?|minggu)", value):
        return _checked(f"weekly:{int(match.group(1))}")
    if match := re.fullmatch(r"(?:monthly|bulanan|month|bulan)(?::|on|tanggal)?(\d{1,2})", value):
        return _checked(f"monthly:{int(match.group(1))}")
    if _WEEKLY.match(value) or _MONTHLY.match(value):
        return _checked(value)
    raise RecurrenceError(
        f"cannot read the recurrence {text!r}: use weekly, 2weeks (every N weeks) or monthly:5 "
        "(every month on the 5th)"
    )


def _checked(rule: str) -> str:
    number = int(rule.split(":")[1])
    if rule.startswith("weekly") and not 1 <= number <= 12:
        raise RecurrenceError("every N weeks takes N from 1 to 12")
    if rule.startswith("monthly") and not 1 <= number <= 31:
        raise RecurrenceError("monthly takes a day of the month from 1 to 31")
    return rule


def occurrences(
    first: datetime,
    timezone: str,
    rule: str | None,
    until: datetime | None,
    window_start: datetime,
    window_end: datetime,
) -> list[datetime]:
    """Start times (aware, UTC-comparable) in [window_start, window_end), at most up to `until`."""
    zone = ZoneInfo(timezone)
    local_first = first.astimezone(zone)
    end = min(window_end, until) if until is not None else window_end
    found: list[datetime] = []
    if rule is None:
        candidates: list[datetime] = [first]
    elif match := _WEEKLY.match(rule):
        step = timedelta(weeks=int(match.group(1)))
        skip = max(0, (window_start - first) // step) if window_start > first else 0
        candidates = []
        moment = local_first + skip * step
        while moment.astimezone(first.tzinfo) < end:
            candidates.append(moment)
            moment += step
    elif match := _MONTHLY.match(rule):
        day = int(match.group(1))
        candidates = []
        year, month = local_first.year, local_first.month
        while True:
            last_day = calendar.monthrange(year, month)[1]
            moment = datetime.combine(date(year, month, min(day, last_day)), local_first.timetz())
            if moment >= end:
                break
            if moment >= local_first:
                candidates.append(moment)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    else:
        raise RecurrenceError(f"unknown recurrence rule {rule!r}")
    for moment in candidates:
        if window_start <= moment < end and moment >= first:
            found.append(moment.astimezone(first.tzinfo))
    return found
