"""Reading a table of sessions (a CSV file, or a spreadsheet's cells as text): the header, then
each row checked with the single-value readers of handlers/programs/values.py."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo

from handlers.i18n import _
from handlers.programs.values import (
    LIMITS,
    InputError,
    ProgramRef,
    checked_text,
    city_zone_problem,
    local_label,
    parse_capacity,
    parse_clock,
    parse_date,
    parse_flag,
    parse_map_url,
    parse_offsets,
    parse_timezone,
    program_problem,
    programs_named,
    resolve_city,
)

COLUMNS = (
    "program", "title", "date", "start", "end", "timezone", "place", "map_url", "bring",
    "capacity", "contact", "city", "open", "offsets",
)  # fmt: skip
REQUIRED = ("program", "date", "start", "end", "timezone", "place")
_T = TypeVar("_T")


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
