"""Cells made safe for a spreadsheet (OWASP's CSV injection rule): every formula-like start is
neutralised, in CSV and in XLSX alike; plain numbers and ordinary text stay as they are."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pytest

from handlers.exports.sheet import CellKind, Column, Line, cells, neutralised
from handlers.exports.writers import Format, open_writer
from tests.helpers.exports import read_csv, read_xlsx, xlsx_rows

DANGEROUS = [
    "=1+2",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+2",
    "\r=1+2",
    '=HYPERLINK("http://evil.example")',
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_formula_like_start_gets_an_apostrophe(text: str) -> None:
    assert neutralised(text) == "'" + text.replace("\r", "\n")


@pytest.mark.parametrize("text", ["+6281234567890", "-5", "Budi = guru", "Kota Ambon", "'a"])
def test_numbers_and_ordinary_text_stay_as_they_are(text: str) -> None:
    assert neutralised(text) == text


def test_characters_a_spreadsheet_file_cannot_hold_are_dropped() -> None:
    assert neutralised("Bu\x00di\x1b Santoso\nbaris dua") == "Budi Santoso\nbaris dua"
    assert neutralised("\x01=1+2") == "'=1+2"  # dropped first, then neutralised


@pytest.mark.parametrize("format", list(Format))
def test_both_formats_keep_the_apostrophe_and_never_write_a_formula(format: Format) -> None:
    columns = [Column("Name", personal=True), Column("ID", CellKind.NUMBER)]
    out = io.BytesIO()
    writer = open_writer(format, out, title="Test", headers=["Name", "ID"], columns=columns)
    for n, text in enumerate(DANGEROUS):
        writer.row(cells(columns, Line((text, n)), ZoneInfo("Asia/Jakarta")))
    writer.close()
    if format == Format.CSV:
        names = [row["Name"] for row in read_csv(out.getvalue())]
    else:
        sheet = read_xlsx(out.getvalue())
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        names = [str(row[0]) for row in xlsx_rows(sheet)[1:]]
    assert names == ["'" + text.replace("\r", "\n") for text in DANGEROUS]


def test_the_xlsx_writer_refuses_a_formula_that_skipped_the_sheet() -> None:
    columns = [Column("Name")]
    writer = open_writer(Format.XLSX, io.BytesIO(), title="Test", headers=["Name"], columns=columns)
    with pytest.raises(ValueError, match="starting with '='"):
        writer.row(["=1+2"])
    writer.discard()
