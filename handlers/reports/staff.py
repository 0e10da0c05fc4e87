"""/laporan (admins): last month's report (or the month typed, "/laporan 2026-10") as an XLSX
with a chart, and its main figures in the message; audited as an export. And the weekly digest
template's "Buka": the chart of the last 8 weeks, as it is now."""

from __future__ import annotations

import asyncio

from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.reports.chart import draw_weekly
from handlers.reports.kinds import OPEN_ACTION
from handlers.reports.monthly import MonthlyReport, monthly_report, parse_month, previous_month
from handlers.reports.weekly import iso_week, this_monday, weekly_figures, weekly_text
from handlers.reports.workbook import file_name, month_title, write_report
from handlers.staff.audit import AuditAction, audit_turn
from handlers.staff.commands import staff_button, staff_command, staff_payload
from handlers.staff.scope import StaffView
from handlers.types import Button, Document, Reply
from storage.models import Organisation, Staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def summary(report: MonthlyReport) -> str:
    rate = report.response_rate
    lines = [
        _("Report for {month}: {organisation}").format(
            month=month_title(report), organisation=report.organisation
        ),
        _("Participants: {active} active, {new} new, {stopped} stopped.").format(
            active=report.people.active, new=report.people.new, stopped=report.people.stopped
        ),
        _("Check-ins: {answered} of {asked} answered ({rate}).").format(
            answered=report.checkins.answered,
            asked=report.checkins.asked,
            rate=f"{rate:.0%}" if rate is not None else "-",
        ),
    ]
    marked = sum(p.marked for p in report.attendance)
    if marked:
        attended = sum(p.attended for p in report.attendance)
        lines.append(
            _("Attendance: {attended} of {marked} marked present ({rate}).").format(
                attended=attended, marked=marked, rate=f"{attended / marked:.0%}"
            )
        )
    lines.append(_("All figures and the charts are in the file."))
    return "\n".join(lines)


async def laporan(turn: Turn, staff: StaffView, args: str) -> None:
    organisation = await turn.tx.get(Organisation, staff.organisation_id)
    if organisation is None:
        return
    try:
        month = (
            parse_month(args) if args.strip() else previous_month(turn.now, organisation.timezone)
        )
    except ValueError:
        turn.say(
            _("Which month? Type it like this: /laporan 2026-11"),
            (Button(_("Menu"), staff_payload("cmd", "menu")),),
        )
        return
    report = await monthly_report(
        turn.tx, organisation.id, organisation.name, organisation.timezone, month
    )
    content = await asyncio.to_thread(write_report, report)
    await audit_turn(
        turn,
        staff,
        AuditAction.EXPORT,
        organisation_id=organisation.id,
        detail=f"report month={month:%Y-%m}",
    )
    document = Document(file_name(report), content, XLSX)
    turn.replies.append(Reply(summary(report), document=document))


async def open_weekly(turn: Turn, view: StaffView, argument: str) -> None:
    """The weekly digest's chart, drawn now (the row it announced only says it was due)."""
    staff = await turn.tx.get(Staff, view.staff_id)
    assert staff is not None  # the engine found them active a moment ago
    figures = await weekly_figures(turn.tx, staff, turn.now)
    png = await asyncio.to_thread(draw_weekly, figures)
    week = iso_week(this_monday(turn.now, staff.timezone))
    document = Document(f"ringkasan-{week}.png", png, "image/png")
    turn.replies.append(Reply(weekly_text(figures), document=document))


staff_button(OPEN_ACTION, open_weekly)
staff_command(
    "laporan", laporan, N_("Monthly report (Excel)"), admin_only=True, title=N_("Monthly report")
)
