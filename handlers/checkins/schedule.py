"""Pure rules for when check-ins are asked: which days, at what local hour, never in quiet hours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.reminders.rules import QuietHours, next_allowed

# Days after release (or sign-up): 3, 7, 14, 30, 60, 90, then monthly until 12 months.
DEFAULT_DAYS = (3, 7, 14, 30, 60, 90, *(30 * month for month in range(4, 13)))
# The local hour a check-in is asked at, by the time of day the person chose at sign-up
# (handlers/participants/labels.py CONTACT_HOURS): within their window, before quiet hours.
HOURS = {"morning": 8, "midday": 12, "afternoon": 16, "evening": 19}
UNSET_HOUR = HOURS["midday"]


def parse_days(text: str) -> list[int]:
    """ "3,7,14,30" -> [3, 7, 14, 30]; raises ValueError with what to type instead."""
    try:
        days = sorted({int(part) for part in text.replace(" ", "").split(",") if part})
    except ValueError:
        raise ValueError(
            f"--days takes whole numbers separated by commas, e.g. 3,7,14; not {text!r}"
        ) from None
    if not days or days[0] < 1 or days[-1] > 3 * 365:
        raise ValueError("--days takes days from 1 to 1095 after release, e.g. 3,7,14,30")
    return days


def prompt_time(
    base: date, day: int, timezone: str, contact_time: str | None, quiet: QuietHours
) -> datetime:
    """When the check-in of `day` goes out: at their time of day, in their zone, or when quiet
    hours end if their hour falls in them."""
    zone = ZoneInfo(timezone)
    hour = HOURS.get(contact_time or "", UNSET_HOUR)
    local = datetime.combine(base + timedelta(days=day), time(hour, 0), tzinfo=zone)
    return next_allowed(local, timezone, quiet).astimezone(ZoneInfo("UTC"))


def base_date(release: date | None, consented: datetime | None, timezone: str) -> date | None:
    """The date check-ins count from: the release date if known, else the sign-up date."""
    if release is not None:
        return release
    if consented is None:
        return None
    return consented.astimezone(ZoneInfo(timezone)).date()
