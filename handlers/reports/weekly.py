"""The weekly digest's figures: check-in response rate and average mood per week over the last
8 complete weeks (Monday to Sunday in the staff member's zone), and attendance per program over
those weeks. A caseworker's are of their own people; an admin's of the whole organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.i18n import _
from storage.models import Staff, StaffRole
from storage.staff.reports import ProgramAttendance, Span, attendance_by_program, checkin_counts

WEEKS = 8


@dataclass(frozen=True)
class Week:
    monday: date
    asked: int  # check-ins started or prompted and expired within the week
    answered: int  # in full or in part
    mood: float | None  # the average of the moods given; None: nobody said

    @property
    def rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None


@dataclass(frozen=True)
class WeeklyFigures:
    weeks: list[Week]  # oldest first
    attendance: list[ProgramAttendance]
    own_people_only: bool  # a caseworker's figures

    @property
    def empty(self) -> bool:
        return not any(w.asked for w in self.weeks) and not self.attendance


def this_monday(now: datetime, timezone: str) -> date:
    today = now.astimezone(ZoneInfo(timezone)).date()
    return today - timedelta(days=today.weekday())


def iso_week(day: date) -> str:
    """ "2026-W49": the key of a week's digest."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _span(first: date, last: date, timezone: str) -> Span:
    zone = ZoneInfo(timezone)
    return Span(
        datetime.combine(first, time(), zone).astimezone(UTC),
        datetime.combine(last, time(), zone).astimezone(UTC),
    )


async def weekly_figures(tx: AsyncSession, staff: Staff, now: datetime) -> WeeklyFigures:
    """The 8 weeks before the one `now` falls in, for `staff` (a query per week, each a count)."""
    caseworker_id = None if staff.role == StaffRole.ADMIN else staff.id
    current = this_monday(now, staff.timezone)
    mondays = [current - timedelta(weeks=n) for n in range(WEEKS, 0, -1)]
    weeks = []
    for monday in mondays:
        counts = await checkin_counts(
            tx,
            staff.organisation_id,
            _span(monday, monday + timedelta(weeks=1), staff.timezone),
            caseworker_id,
        )
        mood = counts.mood_sum / counts.mood_count if counts.mood_count else None
        weeks.append(Week(monday, counts.asked, counts.answered, mood))
    attendance = await attendance_by_program(
        tx, staff.organisation_id, _span(mondays[0], current, staff.timezone), caseworker_id
    )
    return WeeklyFigures(weeks, attendance, caseworker_id is not None)


def weekly_text(figures: WeeklyFigures) -> str:
    """The short message with the chart: last week's figures, said plainly."""
    last = figures.weeks[-1]
    lines = [
        _("<b>Weekly digest</b>: your people")
        if figures.own_people_only
        else _("<b>Weekly digest</b>: the whole organisation")
    ]
    if last.asked:
        lines.append(
            _("Last week {answered} of {asked} check-ins were answered ({rate}).").format(
                answered=last.answered, asked=last.asked, rate=f"{last.answered / last.asked:.0%}"
            )
        )
    else:
        lines.append(_("No check-ins were due last week."))
    if last.mood is not None:
        lines.append(_("Average mood: {mood} of 5.").format(mood=f"{last.mood:.1f}"))
    marked = sum(p.marked for p in figures.attendance)
    if marked:
        attended = sum(p.attended for p in figures.attendance)
        lines.append(
            _("Attendance over 8 weeks: {attended} of {marked} ({rate}).").format(
                attended=attended, marked=marked, rate=f"{attended / marked:.0%}"
            )
        )
    lines.append(_("The chart shows the last 8 weeks."))
    return "\n".join(lines)
