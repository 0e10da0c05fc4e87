"""The monthly report: every figure of a seeded November, counted in the organisation's zone,
adding up, another organisation's people never counted; the XLSX opened and its chart found."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from handlers.i18n import use_language
from handlers.reports.monthly import monthly_report
from handlers.reports.workbook import write_report
from storage.db import Database
from tests.helpers.reports import seeded_month

NOVEMBER = date(2026, 11, 1)


async def test_the_months_figures_are_counted_in_the_organisations_zone(db: Database) -> None:
    w = await seeded_month(db)
    async with db.transaction() as tx:
        report = await monthly_report(tx, w.org_a, "Rutan A", "Asia/Jakarta", NOVEMBER)

    assert (report.people.active, report.people.new, report.people.stopped) == (2, 2, 1)
    checkins = report.checkins
    assert (checkins.complete, checkins.partial, checkins.expired) == (3, 1, 1)
    assert report.response_rate == 4 / 5
    assert checkins.mood_sum / checkins.mood_count == 3.5  # 4, 2, 3, 5: not B's 1, not December's
    assert dict(report.activities) == {
        "work": 1, "business": 0, "training": 1, "school": 0, "looking": 1, "none": 0,
        "unanswered": 1,
    }  # fmt: skip
    assert sum(count for _code, count in report.activities) == checkins.answered
    assert dict(report.housing) == {"yes": 2, "no": 1, "unsure": 0, "unanswered": 1}
    assert sum(count for _code, count in report.housing) == checkins.answered
    assert report.help == [("work", 2), ("documents", 1), ("none", 1)]  # not B's legal aid
    assert [(p.name, p.attended, p.absent) for p in report.attendance] == [
        ("Kelas Menjahit", 0, 1),
        ("Pelatihan Las", 2, 1),
    ]


async def test_the_other_organisation_counts_only_its_own(db: Database) -> None:
    w = await seeded_month(db)
    async with db.transaction() as tx:
        report = await monthly_report(tx, w.org_b, "Bapas B", "Asia/Jakarta", NOVEMBER)
    assert (report.people.active, report.people.new, report.people.stopped) == (1, 1, 0)
    assert (report.checkins.complete, report.checkins.asked) == (1, 1)
    assert report.help == [("legal", 1)]
    assert [(p.name, p.attended, p.absent) for p in report.attendance] == [("Pelatihan Tani", 1, 0)]


def cell_values(content: bytes) -> dict[str, list[object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return {
        str(row[0]): list(row[1:4])
        for row in sheet.iter_rows(values_only=True)
        if row[0] is not None
    }


async def test_the_xlsx_holds_every_figure_with_indonesian_labels_and_charts(
    db: Database,
) -> None:
    w = await seeded_month(db)
    async with db.transaction() as tx:
        report = await monthly_report(tx, w.org_a, "Rutan A", "Asia/Jakarta", NOVEMBER)
    with use_language("id"):
        content = write_report(report)

    book = load_workbook(io.BytesIO(content))
    sheet = book.active
    assert sheet is not None
    rows = cell_values(content)
    assert "Laporan bulanan: Rutan A, November 2026" in rows
    assert rows["Peserta aktif"][0] == 2
    assert rows["Peserta baru bulan ini"][0] == 2
    assert rows["Berhenti bulan ini"][0] == 1
    assert rows["Kabar yang diminta"][0] == 5
    assert rows["Tingkat jawaban"][0] == 0.8
    assert sheet.cell(row=_row_of(sheet, "Tingkat jawaban"), column=2).number_format == "0%"
    assert rows["Rata-rata suasana hati (1-5)"][0] == 3.5
    assert rows["Bekerja"][0] == 1 and rows["Mencari kerja"][0] == 1
    assert rows["Pekerjaan"][0] == 2 and rows["Dokumen KTP/KK/BPJS"][0] == 1
    assert rows["Pelatihan Las"] == [2, 1, 2 / 3]
    assert rows["Kelas Menjahit"] == [0, 1, 0]
    assert len(sheet._charts) == 2  # help asked for; attendance per program
    assert all(not str(v).startswith("=") for r in rows.values() for v in r if v is not None)


def _row_of(sheet: object, label: str) -> int:
    for row in sheet.iter_rows():  # type: ignore[attr-defined]
        if row[0].value == label:
            return int(row[0].row)
    raise AssertionError(f"no row {label!r}")
