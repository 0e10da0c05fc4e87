"""Writing a sheet as CSV (UTF-8 with a byte order mark, so that Excel reads Indonesian text
right) or as XLSX (a real spreadsheet: bold frozen header, dates as dates, column widths), one
row at a time."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import BinaryIO, Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from handlers.exports.sheet import Cell, Column

CSV_DATETIME = "%Y-%m-%d %H:%M"  # what spreadsheets read as a date and time in any language
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
XLSX_DATE = "yyyy-mm-dd"
SHEET_TITLE_MAX = 31  # Excel's limit
SHEET_TITLE_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MIME = {
    Format.CSV: "text/csv",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class SheetWriter(Protocol):
    def row(self, cells: Sequence[Cell]) -> None: ...

    def close(self) -> None:
        """Finish the file (its bytes are all in the output after this)."""

    def discard(self) -> None:
        """Give up on the file (an export that failed half-way): free what it holds."""


class CsvWriter:
    def __init__(self, out: BinaryIO, headers: Sequence[str]) -> None:
        self._out = out
        self._text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
        self._csv = csv.writer(self._text)
        self._csv.writerow(headers)

    def row(self, cells: Sequence[Cell]) -> None:
        self._csv.writerow([_csv_text(cell) for cell in cells])

    def close(self) -> None:
        self._text.flush()
        self._text.detach()  # the caller owns `out`: leave it open

    def discard(self) -> None:
        self.close()


def _csv_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime(CSV_DATETIME)
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


class XlsxWriter:
    """openpyxl's write-only workbook: rows go to a temporary file as they come, not to memory."""

    def __init__(
        self, out: BinaryIO, title: str, headers: Sequence[str], columns: Sequence[Column]
    ) -> None:
        self._out = out
        self._book = Workbook(write_only=True)
        sheet = self._book.create_sheet(title.translate(SHEET_TITLE_FORBIDDEN)[:SHEET_TITLE_MAX])
        sheet.freeze_panes = "A2"  # the header stays in view while scrolling
        for index, column in enumerate(columns, start=1):
            width = max(column.width, len(headers[index - 1]) + 2)
            sheet.column_dimensions[get_column_letter(index)].width = width
        bold = Font(bold=True)
        header_cells = []
        for text in headers:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        self._sheet = sheet

    def row(self, cells: Sequence[Cell]) -> None:
        written: list[object] = []
        for value in cells:
            if isinstance(value, datetime):
                cell = WriteOnlyCell(self._sheet, value=value)
                cell.number_format = XLSX_DATETIME
                written.append(cell)
            elif isinstance(value, date):
                cell = WriteOnlyCell(self._sheet)
                cell.value = value  # a day: Excel stores it as that day's midnight
                cell.number_format = XLSX_DATE
                written.append(cell)
            elif isinstance(value, str) and value.startswith("="):
                # openpyxl would write it as a formula; sheet.py never lets one through
                raise ValueError("a cell starting with '=' reached the XLSX writer")
            else:
                written.append(value)  # text (never a formula), a number or nothing
        self._sheet.append(written)

    def close(self) -> None:
        self._book.save(self._out)

    def discard(self) -> None:
        self._book.save(io.BytesIO())  # finishes the sheet and removes its temporary file


def open_writer(
    format: Format, out: BinaryIO, *, title: str, headers: Sequence[str], columns: Sequence[Column]
) -> SheetWriter:
    if format == Format.CSV:
        return CsvWriter(out, headers)
    return XlsxWriter(out, title, headers, columns)
