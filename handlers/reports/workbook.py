"""The monthly report as a spreadsheet: one sheet of labelled numbers (label in column A, number
in B), then attendance per program as a small table, and native Excel bar charts of the help
asked for and of attendance per program. No formulas: every figure is a plain number."""

from __future__ import annotations

import io
from typing import cast

from babel.dates import format_date
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from handlers.checkins.questions import ACTIVITIES, HOUSING, NEEDS, title
from handlers.exports.sheet import neutralised
from handlers.i18n import _, current_language
from handlers.reports.monthly import UNANSWERED, MonthlyReport
from handlers.timefmt import zone_abbr

PERCENT = "0%"
MOOD = "0.0"
BOLD = Font(bold=True)


def _label(table: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]], code: str) -> str:
    return _("No answer") if code == UNANSWERED else title(table, code)


def month_title(report: MonthlyReport) -> str:
    """ "November 2026" in the current language."""
    return format_date(report.month, "LLLL yyyy", locale=current_language())


class _Sheet:
    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 0

    def line(
        self,
        *values: str | int | float | None,
        bold: bool = False,
        number_format: str | None = None,
    ) -> int:
        self.row += 1
        for column, value in enumerate(values, start=1):
            if isinstance(value, str):
                value = neutralised(value)
            cell = self.sheet.cell(row=self.row, column=column, value=value)
            if bold:
                cell.font = BOLD
            if number_format is not None and column > 1:
                cell.number_format = number_format
        return self.row

    def gap(self) -> None:
        self.row += 1


def write_report(report: MonthlyReport) -> bytes:
    book = Workbook()
    sheet = cast(Worksheet, book.active)  # a new workbook's one sheet
    sheet.title = _("Report")[:31]
    sheet.column_dimensions["A"].width = 40
    for letter in "BCD":
        sheet.column_dimensions[letter].width = 14
    out = _Sheet(sheet)
    out.line(
        _("Monthly report: {organisation}, {month}").format(
            organisation=report.organisation, month=month_title(report)
        ),
        bold=True,
    )
    out.line(_("Counted in {zone}").format(zone=zone_abbr(report.timezone)))
    out.gap()

    people = report.people
    out.line(_("Participants"), _("Number"), bold=True)
    out.line(_("Active participants"), people.active)
    out.line(_("New participants this month"), people.new)
    out.line(_("Stopped this month"), people.stopped)
    out.gap()

    checkins = report.checkins
    out.line(_("Check-ins"), _("Number"), bold=True)
    out.line(_("Check-ins asked"), checkins.asked)
    out.line(_("Answered in full"), checkins.complete)
    out.line(_("Answered in part"), checkins.partial)
    out.line(_("Not answered"), checkins.expired)
    out.line(_("Response rate"), report.response_rate, number_format=PERCENT)
    mood = checkins.mood_sum / checkins.mood_count if checkins.mood_count else None
    out.line(_("Average mood (1-5)"), mood, number_format=MOOD)
    out.gap()

    out.line(_("Main activity (check-ins answered)"), _("Number"), bold=True)
    for code, count in report.activities:
        out.line(_label(ACTIVITIES, code), count)
    out.gap()

    out.line(_("A safe place to live (check-ins answered)"), _("Number"), bold=True)
    for code, count in report.housing:
        out.line(_label(HOUSING, code), count)
    out.gap()

    help_header = out.line(_("Help asked for, most asked first"), _("Check-ins"), bold=True)
    for code, count in report.help:
        out.line(title(NEEDS, code), count)
    help_last = out.row
    out.gap()

    attendance_header = out.line(
        _("Attendance per program"), _("Attended"), _("Absent"), _("Attendance rate"), bold=True
    )
    for program in report.attendance:
        rate = program.attended / program.marked if program.marked else None
        out.line(program.name, program.attended, program.absent, rate)
        sheet.cell(row=out.row, column=4).number_format = PERCENT
    attendance_last = out.row

    anchor_row = 1
    if help_last > help_header:
        chart = _bar_chart(_("Help asked for"), _("Check-ins"))
        chart.add_data(
            Reference(sheet, min_col=2, min_row=help_header, max_row=help_last),
            titles_from_data=True,
        )
        chart.set_categories(
            Reference(sheet, min_col=1, min_row=help_header + 1, max_row=help_last)
        )
        sheet.add_chart(chart, f"F{anchor_row}")
        anchor_row += 18
    if attendance_last > attendance_header:
        chart = _bar_chart(_("Attendance per program"), _("People"))
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.add_data(
            Reference(
                sheet, min_col=2, max_col=3, min_row=attendance_header, max_row=attendance_last
            ),
            titles_from_data=True,
        )
        chart.set_categories(
            Reference(sheet, min_col=1, min_row=attendance_header + 1, max_row=attendance_last)
        )
        sheet.add_chart(chart, f"F{anchor_row}")
    out_bytes = io.BytesIO()
    book.save(out_bytes)
    return out_bytes.getvalue()


def _bar_chart(chart_title: str, axis_title: str) -> BarChart:
    chart = BarChart()
    chart.type = "bar"  # horizontal: long labels stay readable
    chart.title = chart_title
    chart.x_axis.title = None
    chart.y_axis.title = axis_title
    chart.height, chart.width = 8, 16
    return chart


def file_name(report: MonthlyReport) -> str:
    """ "laporan-2026-11.xlsx"."""
    name = _("report")
    return f"{name}-{report.month:%Y-%m}.xlsx"
