"""When each recipient gets a broadcast: now, or the chosen local date and time in their own zone
(WIB, WITA, WIT), moved out of their quiet hours; and reading "besok 09.00", "jumat jam 8",
"12/12 14.00" as staff type them."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from handlers.reminders.rules import QuietHours, next_allowed
from handlers.understanding.dates import parse_clock, parse_day
from storage.broadcasts.writing import DueFor


def due_for(
    now: datetime, quiet: QuietHours, local_date: date | None, local_time: time | None
) -> DueFor:
    """A recipient's due time from their zone. Already past in their zone: now. Never in quiet
    hours: the moment they end."""

    def due(zone: str) -> datetime:
        if local_date is None or local_time is None:
            moment = now
        else:
            local = datetime.combine(local_date, local_time, tzinfo=ZoneInfo(zone))
            moment = max(local.astimezone(now.tzinfo), now)
        return next_allowed(moment, zone, quiet)

    return due


def parse_moment(text: str, today: date) -> tuple[date, time] | None:
    """A day and a time of day typed together: "besok 09.00", "jumat jam 8", "12/12 14.00"."""
    words = text.split()
    for cut in range(1, len(words)):
        day = parse_day(" ".join(words[:cut]), today)
        clock = parse_clock(" ".join(words[cut:]))
        if day is not None and clock is not None:
            return day, clock
    return None
