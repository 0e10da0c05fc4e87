"""Reading single values staff type about sessions (zones, dates, times, offsets, seats,
cities, programs), on the command line or in a file's cells; a value that cannot be read raises
InputError, whose message (in the reader's language) says what is expected."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from handlers.i18n import _
from handlers.regions.search import match_regencies, province, regency_by_key, suggest_regencies
from handlers.timefmt import ZONES, zone_abbr

LIMITS = {"title": 120, "place": 200, "map_url": 300, "bring": 200, "contact": 120}
MAX_OFFSET = 30 * 24 * 60  # a month, in minutes
_TIMEZONES = {name.casefold(): tz for abbr, tz in ZONES.items() for name in (abbr, tz)}
_YES = frozenset({"ya", "y", "iya", "yes", "true", "1", "benar"})
_NO = frozenset({"tidak", "tdk", "no", "n", "false", "0", "bukan", ""})
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.]00)?")


class InputError(ValueError):
    """A value staff typed that cannot be read; the message says what is expected."""


@dataclass(frozen=True)
class ProgramRef:
    """A program as the importer needs it: its id and exact name."""

    id: int
    name: str


# --- single values ------------------------------------------------------------------------------


def parse_timezone(text: str, what: str = "timezone") -> str:
    """WIB/WITA/WIT or the IANA name -> "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"."""
    found = _TIMEZONES.get(text.strip().casefold())
    if found is None:
        raise InputError(
            _(
                "{what} {text} is not an Indonesian time zone: use WIB (Asia/Jakarta), "
                "WITA (Asia/Makassar) or WIT (Asia/Jayapura)"
            ).format(what=what, text=repr(text))
        )
    return found


def parse_date(text: str, what: str = "date") -> date:
    """YYYY-MM-DD, or DD/MM/YYYY (also with - or . between) as Indonesian spreadsheets write it."""
    value = text.strip()
    if match := _ISO_DATE.fullmatch(value):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DMY_DATE.fullmatch(value):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise InputError(
            _("{what} {text} is not a date: use YYYY-MM-DD or DD/MM/YYYY").format(
                what=what, text=repr(text)
            )
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise InputError(
            _("{what} {text} is not a day of the calendar").format(what=what, text=repr(text))
        ) from None


def parse_clock(text: str, what: str = "time") -> time:
    """HH:MM or HH.MM, 24-hour clock ("09:00", "9.00", "13.30")."""
    match = _CLOCK.fullmatch(text.strip())
    hour, minute = (int(part) for part in match.groups()) if match else (99, 99)
    if hour > 23 or minute > 59:
        raise InputError(
            _("{what} {text} is not a time: use HH:MM or HH.MM on a 24-hour clock").format(
                what=what, text=repr(text)
            )
        )
    return time(hour, minute)


def parse_local(text: str, timezone: str, what: str, *, day: date | None = None) -> datetime:
    """A local "2026-12-01 09:00" (or only "12:00" when `day` is given) in `timezone`, as UTC."""
    parts = text.strip().replace("T", " ").split()
    try:
        if len(parts) == 1 and day is not None:
            clock = parse_clock(parts[0])
        elif len(parts) == 2:
            day, clock = parse_date(parts[0]), parse_clock(parts[1])
        else:
            raise InputError(text)
    except InputError:
        example = '"2026-12-01 09:00"' + (' or "12:00"' if day is not None else "")
        raise InputError(
            _("{what} {text} is not a date and time: write it like {example}").format(
                what=what, text=repr(text), example=example
            )
        ) from None
    return datetime.combine(day, clock, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def local_label(moment: datetime, timezone: str) -> str:
    """ "2026-12-01 09:00 WIB": how the admin CLI shows a time."""
    return f"{moment.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M} {zone_abbr(timezone)}"


def parse_offsets(text: str, what: str = "offsets") -> list[int] | None:
    """Minutes before the start, "1440,120" or "1440;120"; empty means the default (None)."""
    parts = [p for p in re.split(r"[,;/\s]+", text.strip()) if p]
    if not parts:
        return None
    if not all(p.isdigit() and 1 <= int(p) <= MAX_OFFSET for p in parts):
        raise InputError(
            _(
                "{what} {text} must be minutes before the start, each 1 to {most}, separated by "
                'commas or semicolons, e.g. "1440;120" (the day before and 2 hours before)'
            ).format(what=what, text=repr(text), most=MAX_OFFSET)
        )
    return sorted({int(p) for p in parts}, reverse=True)


def parse_flag(text: str, what: str = "open") -> bool:
    """ya/tidak, yes/no, true/false, 1/0; empty is no."""
    value = text.strip().casefold()
    if value in _YES or value in _NO:
        return value in _YES
    raise InputError(
        _("{what} {text} must be ya or tidak (yes/no, true/false, 1/0)").format(
            what=what, text=repr(text)
        )
    )


def parse_capacity(text: str, what: str = "capacity") -> int | None:
    """A positive whole number of seats; empty means no limit (None)."""
    value = text.strip()
    if value and (not value.isdigit() or not 1 <= int(value) <= 100_000):
        raise InputError(
            _("{what} {text} must be a whole number of seats, at least 1 (empty: no limit)").format(
                what=what, text=repr(text)
            )
        )
    return int(value) if value else None


def resolve_city(text: str, what: str = "city") -> str:
    """The key of the one kabupaten/kota the text names ("kota pekalongan" -> "kota-pekalongan")."""
    found = match_regencies(text)
    if len(found) == 1:
        return found[0].key
    if found:
        names = ", ".join(r.label() for r in found)
        raise InputError(
            _("{what} {text} could be {names}: write the one you mean in full").format(
                what=what, text=repr(text), names=names
            )
        )
    hint = (
        _(" or ").join(r.label() for r in suggest_regencies(text)) or "kota pekalongan, kab. serang"
    )
    raise InputError(
        _("{what} {text} is not a kabupaten/kota we know (like {hint})").format(
            what=what, text=repr(text), hint=hint
        )
    )


def city_zone_problem(city_key: str, timezone: str) -> str | None:
    """A city on another clock than the times were given in: almost surely a slip."""
    regency = regency_by_key(city_key)
    zone = province(regency.province).timezone if regency else timezone
    if zone == timezone:
        return None
    assert regency is not None
    return _("{city} is in {zone}, but the times are in {given}").format(
        city=regency.label(), zone=zone_abbr(zone), given=zone_abbr(timezone)
    )


def checked_text(text: str | None, what: str, limit: int) -> str | None:
    """Trimmed text, or None when empty; too long -> InputError."""
    value = " ".join((text or "").split())
    if len(value) > limit:
        raise InputError(
            _("{what} is {length} characters long; at most {limit} fit").format(
                what=what, length=len(value), limit=limit
            )
        )
    return value or None


def parse_map_url(text: str, what: str = "map_url") -> str | None:
    """A link to the place on a map; empty is none."""
    value = checked_text(text, what, LIMITS["map_url"])
    if value and (" " in value or not value.startswith(("https://", "http://"))):
        raise InputError(
            _("{what} {text} must be a web address starting with https://").format(
                what=what, text=repr(value)
            )
        )
    return value


def programs_named(ref: str, programs: Sequence[ProgramRef]) -> list[ProgramRef]:
    """Programs an id or an exact name (case and spaces aside) points to."""
    value = " ".join(ref.split())
    if value.isdigit():
        return [p for p in programs if p.id == int(value)]
    return [p for p in programs if p.name.casefold() == value.casefold()]


def program_problem(ref: str, found: Sequence[ProgramRef]) -> str | None:
    if not found:
        return _(
            "there is no program {ref}: give its id or name (`pendamping programs list`)"
        ).format(ref=repr(ref))
    if len(found) > 1:
        ids = ", ".join(str(p.id) for p in found)
        return _("{count} programs are called {ref} (ids {ids}): give the id instead").format(
            count=len(found), ref=repr(ref), ids=ids
        )
    return None
