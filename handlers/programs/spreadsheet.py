"""Session files as staff send them: CSV (UTF-8, comma or semicolon) or an Excel workbook (.xlsx),
read into the same table and checked by the same rules (`csv_import.parse_session_table`)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from pathlib import PurePosixPath
from typing import Any

from openpyxl import load_workbook

from handlers.programs.csv_import import (
    Parsed,
    SessionKey,
    decode,
    parse_session_table,
    parse_sessions_csv,
)
from handlers.programs.values import InputError, ProgramRef

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMES = frozenset({"text/csv", "text/comma-separated-values", "application/csv", "text/plain"})
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive
MAX_ROWS = 5_000  # rows read from a sheet: a session plan is far shorter


def kind_of(filename: str | None, mime: str | None) -> str | None:
    """ "csv", "xlsx", "xls" (the old Excel format, not read), or None for any other file."""
    suffix = PurePosixPath(filename or "").suffix.casefold()
    bare = (mime or "").split(";", 1)[0].strip().casefold()
    if suffix == ".xlsx" or bare == XLSX_MIME:
        return "xlsx"
    if suffix == ".xls" or bare == "application/vnd.ms-excel":
        return "xls"
    if suffix in (".csv", ".txt") or bare in CSV_MIMES:
        return "csv"
    return None


def parse_sessions_file(
    data: bytes,
    *,
    programs: Sequence[ProgramRef],
    existing: Mapping[SessionKey, int],
    now: datetime,
) -> Parsed:
    """A CSV or XLSX file of sessions (told apart by its bytes); a file that cannot be used at
    all raises InputError."""
    if data.startswith(ZIP_MAGIC):
        header, rows = xlsx_table(data)
        return parse_session_table(header, rows, programs=programs, existing=existing, now=now)
    return parse_sessions_csv(decode(data), programs=programs, existing=existing, now=now)


def xlsx_table(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The first sheet's header row and its other rows (with their row numbers), as text: dates
    and times written as Excel dates or as text both read as the CSV's columns do."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise InputError(
            "the file is not an Excel workbook (.xlsx) that can be read: save it again as "
            "Excel Workbook (.xlsx) or as CSV UTF-8"
        ) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise InputError("line 1: the workbook has no sheet")
        header: list[str] = []
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                raise InputError(f"the sheet has more than {MAX_ROWS} rows: split it into files")
            if number == 1:
                header = [_text(value, "") for value in values]
                continue
            rows.append(
                (number, [_cell(header, index, value) for index, value in enumerate(values)])
            )
    finally:
        workbook.close()
    while header and not header[-1].strip():
        header.pop()
    return header, rows


def _cell(header: list[str], index: int, value: Any) -> str:
    name = header[index].strip().casefold() if index < len(header) else ""
    return _text(value, name)


def _text(value: Any, column: str) -> str:
    """A cell as the CSV would have it: an Excel date as YYYY-MM-DD, a time as HH:MM, a whole
    number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if column in ("start", "end"):
            return f"{value:%H:%M}"
        return f"{value:%Y-%m-%d}" if column == "date" or not value.time() else f"{value}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
