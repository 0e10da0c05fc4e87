"""Reading what staff type about sessions (zones, times, offsets, cities), one by one or as CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

from handlers.i18n import _
from handlers.regions.search import match_regencies, province, regency_by_key, suggest_regencies
from handlers.timefmt import ZONES, zone_abbr

COLUMNS = (
    "program", "title", "date", "start", "end", "timezone", "place", "map_url", "bring",
    "capacity", "contact", "city", "open", "offsets",
)  # fmt: skip
REQUIRED = ("program", "date", "start", "end", "timezone", "place")
LIMITS = {"title": 120, "place": 200, "map_url": 300, "bring": 200, "contact": 120}
MAX_OFFSET = 30 * 24 * 60  # a month, in minutes
_TIMEZONES = {name.casefold(): tz for abbr, tz in ZONES.items() for name in (abbr, tz)}
_YES = frozenset({"ya", "y", "iya", "yes", "true", "1", "benar"})
_NO = frozenset({"tidak", "tdk", "no", "n", "false", "0", "bukan", ""})
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})(?:[:.]00)?")
_T = TypeVar("_T")


class InputError(ValueError):
    """A value staff typed that cannot be read; the message says what is expected."""


@dataclass(frozen=True)
class ProgramRef:
    """A program as the importer needs it: its id and exact name."""

    id: int
    name: str


SessionKey = tuple[int, datetime, str]  # program id, start (UTC), place (normalised)


def session_key(program_id: int, starts_at: datetime, place: str) -> SessionKey:
    """What makes two sessions the same one: program, start and place (case and spaces ignored)."""
    return program_id, starts_at.astimezone(UTC), " ".join(place.split()).casefold()


@dataclass(frozen=True)
class SessionRow:
    """One valid session, from a CSV row or the command line; times are aware, in UTC."""

    line: int
    program_id: int
    starts_at: datetime
    ends_at: datetime
    timezone: str
    place: str
    title: str | None = None
    map_url: str | None = None
    bring: str | None = None
    capacity: int | None = None
    contact: str | None = None
    city_key: str | None = None
    open: bool = False
    offsets: list[int] | None = None

    @property
    def key(self) -> SessionKey:
        return session_key(self.program_id, self.starts_at, self.place)


@dataclass(frozen=True)
class Parsed:
    """The rows that can be imported, and (line number, reason) for each problem found."""

    rows: list[SessionRow]
    errors: list[tuple[int, str]]


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


# --- CSV files ----------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """UTF-8 text, with or without a byte order mark; anything else says how to save it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            _("line {line}: the file is not UTF-8; save it as CSV UTF-8").format(line=line)
        ) from None


def parse_sessions_csv(
    text: str,
    *,
    programs: Sequence[ProgramRef],
    existing: Mapping[SessionKey, int],
    now: datetime,
) -> Parsed:
    """Every row checked; problems with the file as a whole (header) raise InputError."""
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])

    def lines() -> Iterator[tuple[int, list[str]]]:
        line = reader.line_num + 1
        for cells in reader:
            start_line, line = line, reader.line_num + 1
            yield start_line, cells

    return parse_session_table(
        header, lines(), programs=programs, existing=existing, now=now, delimiter=delimiter
    )


def parse_session_table(
    header_cells: Sequence[str],
    rows: Iterable[tuple[int, Sequence[str]]],
    *,
    programs: Sequence[ProgramRef],
    existing: Mapping[SessionKey, int],
    now: datetime,
    delimiter: str | None = None,
) -> Parsed:
    """A table of sessions (a CSV file's, or a spreadsheet's as text): the header's cells, then
    (line number, cells) for each row. `delimiter`: the CSV's, for the hint about quoting."""
    header = [" ".join(cell.split()).casefold().replace(" ", "_") for cell in header_cells]
    _check_header(header)
    parsed: list[SessionRow] = []
    errors: list[tuple[int, str]] = []
    seen: dict[SessionKey, int] = {}
    for start_line, cells in rows:
        if not any(cell.strip() for cell in cells):
            continue
        if any(cell.strip() for cell in cells[len(header) :]):
            row, problems = None, [_too_many(len(cells), len(header), delimiter)]
        else:
            row, problems = _row(dict(zip(header, cells, strict=False)), start_line, programs, now)
        if row is not None and row.key in existing:
            problems = [
                _("duplicates session {id} (same program, start and place)").format(
                    id=existing[row.key]
                )
            ]
        elif row is not None and row.key in seen:
            problems = [
                _("duplicates line {line} (same program, start and place)").format(
                    line=seen[row.key]
                )
            ]
        if problems or row is None:
            errors.extend((start_line, problem) for problem in problems)
        else:
            seen[row.key] = start_line
            parsed.append(row)
    return Parsed(parsed, errors)


def _too_many(cells: int, columns: int, delimiter: str | None) -> str:
    if delimiter is None:
        return _(
            "has {cells} cells but the header has {columns}: write nothing right of the last"
        ).format(cells=cells, columns=columns)
    return _(
        'has {cells} cells but the header has {columns}: put text with "{delimiter}" in quotes'
    ).format(cells=cells, columns=columns, delimiter=delimiter)


def _check_header(header: list[str]) -> None:
    named = [name for name in header if name]
    if not named:
        raise InputError(
            _(
                "line 1: the file is empty; the first line must name the columns, "
                "e.g. program,date,start,end,timezone,place"
            )
        )
    unknown = [name for name in named if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in named]
    doubled = sorted({name for name in named if named.count(name) > 1})
    problems = [
        *([_("unknown column(s) {names}").format(names=", ".join(unknown))] if unknown else []),
        *([_("missing column(s) {names}").format(names=", ".join(missing))] if missing else []),
        *(
            [_("column(s) named twice: {names}").format(names=", ".join(doubled))]
            if doubled
            else []
        ),
    ]
    if problems:
        raise InputError(
            _(
                "line 1 (header): {problems}. The columns are {columns}; {required} are required"
            ).format(
                problems="; ".join(problems),
                columns=", ".join(COLUMNS),
                required=", ".join(REQUIRED),
            )
        )


def _row(
    record: dict[str, str], line: int, programs: Sequence[ProgramRef], now: datetime
) -> tuple[SessionRow | None, list[str]]:
    """One row's values, or every problem with it."""
    cell = {name: record.get(name, "").strip() for name in COLUMNS}
    problems = [_("{name} is empty").format(name=name) for name in REQUIRED if not cell[name]]

    def read(name: str, parse: Callable[[str], _T]) -> _T | None:
        if name in REQUIRED and not cell[name]:
            return None
        try:
            return parse(cell[name])
        except InputError as error:
            problems.append(str(error))
            return None

    found = programs_named(cell["program"], programs) if cell["program"] else []
    if cell["program"] and (problem := program_problem(cell["program"], found)):
        problems.append(problem)
    zone = read("timezone", parse_timezone)
    day = read("date", parse_date)
    start = read("start", lambda value: parse_clock(value, "start"))
    end = read("end", lambda value: parse_clock(value, "end"))
    texts = {
        name: read(name, partial(checked_text, what=name, limit=n)) for name, n in LIMITS.items()
    }
    texts["map_url"] = read("map_url", parse_map_url)
    capacity = read("capacity", parse_capacity)
    city = read("city", resolve_city) if cell["city"] else None
    is_open = read("open", parse_flag)
    offsets = read("offsets", parse_offsets)
    if start is not None and end is not None and end <= start:
        if end == start:
            problem = _("end time {end} is the same as start time {start}")
        else:
            problem = _("end time {end} is before start time {start}")
        problems.append(problem.format(end=f"{end:%H:%M}", start=f"{start:%H:%M}"))
    if zone is None or day is None or start is None or end is None:
        return None, problems
    starts_at = datetime.combine(day, start, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    if starts_at <= now:
        problems.append(_("start {when} is in the past").format(when=local_label(starts_at, zone)))
    if city is not None and (problem := city_zone_problem(city, zone)):
        problems.append(problem)
    if problems or texts["place"] is None:
        return None, problems
    ends_at = datetime.combine(day, end, tzinfo=ZoneInfo(zone)).astimezone(UTC)
    row = SessionRow(
        line, found[0].id, starts_at, ends_at, zone, texts["place"], title=texts["title"],
        map_url=texts["map_url"], bring=texts["bring"], capacity=capacity,
        contact=texts["contact"], city_key=city, open=bool(is_open), offsets=offsets,
    )  # fmt: skip
    return row, []
