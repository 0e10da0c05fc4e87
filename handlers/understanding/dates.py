"""Understanding a typed day and time of day, as staff type them on a phone: "besok", "senin",
"12/12", "12 Desember"; "09.00", "9 pagi", "jam 2 siang", "14:30"."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from handlers.understanding.choices import normalise

RELATIVE = {"hari ini": 0, "today": 0, "besok": 1, "besuk": 1, "tomorrow": 1, "lusa": 2}
WEEKDAYS = {
    "senin": 0, "monday": 0, "selasa": 1, "tuesday": 1, "rabu": 2, "wednesday": 2,
    "kamis": 3, "thursday": 3, "jumat": 4, "jum at": 4, "friday": 4, "sabtu": 5, "saturday": 5,
    "minggu": 6, "ahad": 6, "sunday": 6,
}  # fmt: skip
MONTHS = {
    "januari": 1, "jan": 1, "january": 1, "februari": 2, "feb": 2, "pebruari": 2,
    "february": 2, "maret": 3, "mar": 3, "march": 3, "april": 4, "apr": 4, "mei": 5,
    "may": 5, "juni": 6, "jun": 6, "june": 6, "juli": 7, "jul": 7, "july": 7, "agustus": 8,
    "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8, "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "nopember": 11, "desember": 12, "des": 12, "december": 12, "dec": 12,
}  # fmt: skip
FILLER = ("hari", "tanggal", "tgl", "pada", "nanti", "depan", "ini", "on", "next")
# As `normalise` folds what is typed ("minggu" -> "mingu", "tomorrow" -> "tomorow").
_RELATIVE = {normalise(word): days for word, days in RELATIVE.items()}
_WEEKDAYS = {normalise(word): day for word, day in WEEKDAYS.items()}
_MONTHS = {normalise(word): month for word, month in MONTHS.items()}
_FILLER = frozenset(normalise(word) for word in FILLER)
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2}|\d{4}))?$")
_NAMED = re.compile(r"^(\d{1,2}) ([a-z]+)(?: (\d{4}))?$")
# After noon unless the hour says so already: "1 siang" is 13.00, "11 siang" is 11.00.
LATER = {"siang": 11, "sore": 12, "malam": 12, "pm": 12}
_CLOCK = re.compile(
    r"^(?:jam |pukul |pkl |jm |at )?(\d{1,2})(?:[.:](\d{2}))?"
    r"(?: ?(pagi|siang|sore|malam|am|pm))?(?: (?:wib|wita|wit))?$"
)


def parse_day(text: str, today: date) -> date | None:
    """The day `text` names, counted from `today` (the reader's local date); None when it names
    none, or names a day already past. A weekday is its next one after today; a date without a
    year is this year's, or next year's once this year's has passed."""
    raw = " ".join(text.casefold().split())
    numeric = _NUMERIC.match(raw)
    if numeric:
        day, month, year = numeric.groups()
        return _dated(today, int(day), int(month), _year(year))
    words = normalise(text)
    if words in _RELATIVE:
        return today + timedelta(days=_RELATIVE[words])
    kept = " ".join(w for w in words.split() if w not in _FILLER)
    if kept in _WEEKDAYS:
        ahead = (_WEEKDAYS[kept] - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    named = _NAMED.match(kept)
    if named and named.group(2) in _MONTHS:
        year = int(named.group(3)) if named.group(3) else None
        return _dated(today, int(named.group(1)), _MONTHS[named.group(2)], year)
    return None


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    return int(text) + 2000 if len(text) == 2 else int(text)


def _dated(today: date, day: int, month: int, year: int | None) -> date | None:
    try:
        found = date(year or today.year, month, day)
        if year is None and found < today:
            found = date(today.year + 1, month, day)
    except ValueError:
        return None
    return found if found >= today else None


def parse_clock(text: str) -> time | None:
    """The time of day `text` names: "09.00", "9:30", "9 pagi", "jam 2 siang", "19.00"."""
    found = _CLOCK.match(" ".join(text.casefold().split()))
    if found is None:
        return None
    hour, minute = int(found.group(1)), int(found.group(2) or 0)
    part = found.group(3)
    if part in LATER and hour < LATER[part]:
        hour += 12
    if part in ("pagi", "am") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
