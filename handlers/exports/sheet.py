"""The shape of an exported sheet: its columns, and each row's values made safe to open in a
spreadsheet (times in one stated zone, erased people's personal fields empty, nothing a
spreadsheet would run as a formula)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from handlers.i18n import _
from handlers.timefmt import zone_abbr

Cell = str | int | date | datetime | None


class CellKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"  # an id or a count
    DATE = "date"  # a day, no time of day (a release date)
    DATETIME = (
        "datetime"  # a moment, stored in UTC: shown in the export's zone, named in the header
    )


@dataclass(frozen=True)
class Column:
    header: str  # English source text (N_), translated when written
    kind: CellKind = CellKind.TEXT
    width: int = 16  # characters, for the XLSX column
    personal: bool = False  # about the person (name, phone, city...): empty once they are erased


@dataclass(frozen=True)
class Line:
    """One row as a kind produces it: a value per column, in order, and whether the person it is
    about erased their data."""

    values: tuple[object, ...]
    erased: bool = False


# OWASP "CSV injection": a cell starting with one of these may be run as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# ... unless it is only a number: "+6281234567890" or "-5" runs nothing (and a phone number
# keeps its "+").
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
# Characters an XLSX file cannot hold (XML 1.0 forbids them); tab and line breaks are kept.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def neutralised(text: str) -> str:
    """`text` as a cell no spreadsheet runs: a formula-like start gets a leading apostrophe
    (and every line break is a plain "\\n", as XLSX reads them back anyway)."""
    if _UNWRITABLE.search(text):
        text = _UNWRITABLE.sub("", text)
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        text = "'" + text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # one kind of line break
    return text


def headers(columns: Sequence[Column], timezone: str) -> list[str]:
    """The header row in the current language; a time column names its zone: "Terdaftar (WIB)"."""
    return [
        f"{_(c.header)} ({zone_abbr(timezone)})" if c.kind == CellKind.DATETIME else _(c.header)
        for c in columns
    ]


def cells(columns: Sequence[Column], line: Line, zone: ZoneInfo) -> list[Cell]:
    """A line's values as they go into the file."""
    if len(line.values) != len(columns):
        raise ValueError(f"a line has {len(line.values)} values for {len(columns)} columns")
    return [
        None if line.erased and column.personal else _cell(column, value, zone)
        for column, value in zip(columns, line.values, strict=True)
    ]


def _cell(column: Column, value: object, zone: ZoneInfo) -> Cell:
    if value is None or value == "":
        return None
    if column.kind == CellKind.DATETIME:
        if not isinstance(value, datetime):
            raise TypeError(f"{column.header}: a time column got {type(value).__name__}")
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return moment.astimezone(zone).replace(tzinfo=None)  # spreadsheets have no time zones
    if column.kind == CellKind.DATE:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise TypeError(f"{column.header}: a date column got {type(value).__name__}")
        return value
    if column.kind == CellKind.NUMBER:
        if not isinstance(value, int):
            raise TypeError(f"{column.header}: a number column got {type(value).__name__}")
        return value
    return neutralised(str(value))
