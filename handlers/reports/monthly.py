"""The monthly report an office sends upward: a month of its own participants' numbers, counted
in the organisation's time zone, gathered by storage/staff/reports.py's aggregate queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.checkins.questions import ACTIVITIES, HOUSING, NEEDS
from storage.models import Checkin
from storage.staff.reports import (
    CheckinCounts,
    People,
    ProgramAttendance,
    Span,
    answers_by,
    attendance_by_program,
    checkin_counts,
    help_requested,
    people_counts,
)

UNANSWERED = "unanswered"  # a check-in answered in part, without this question


@dataclass(frozen=True)
class MonthlyReport:
    organisation_id: int
    organisation: str
    month: date  # its first day
    timezone: str
    people: People
    checkins: CheckinCounts
    activities: list[tuple[str, int]]  # every activity (and UNANSWERED), in the question's order
    housing: list[tuple[str, int]]
    help: list[tuple[str, int]]  # the kinds of help asked for, most asked first; "none" last
    attendance: list[ProgramAttendance]

    @property
    def response_rate(self) -> float | None:
        asked = self.checkins.asked
        return self.checkins.answered / asked if asked else None


def parse_month(text: str) -> date:
    """ "2026-11" -> 1 November 2026; a ValueError that says what is expected otherwise."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise ValueError(f"must be a month like 2026-11, not {text!r}") from None


def previous_month(now: datetime, timezone: str) -> date:
    """The month before the one `now` falls in, in `timezone`."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    return date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1)


def month_span(month: date, timezone: str) -> Span:
    """The month, from local midnight on its first day to that of the next month, in UTC."""
    zone = ZoneInfo(timezone)
    following = (
        date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)
    )
    start = datetime.combine(month, time(), zone).astimezone(UTC)
    end = datetime.combine(following, time(), zone).astimezone(UTC)
    return Span(start, end)


def _in_order(counts: dict[str | None, int], codes: list[str]) -> list[tuple[str, int]]:
    rows = [(code, counts.get(code, 0)) for code in codes]
    unknown = sum(count for value, count in counts.items() if value not in codes)
    return [*rows, (UNANSWERED, unknown)]


async def monthly_report(
    tx: AsyncSession, organisation_id: int, name: str, timezone: str, month: date
) -> MonthlyReport:
    span = month_span(month, timezone)
    activities = await answers_by(tx, Checkin.activity, organisation_id, span)
    housing = await answers_by(tx, Checkin.housing, organisation_id, span)
    needs = await help_requested(tx, organisation_id, span)
    ranked = sorted(
        ((need, count) for need, count in needs.items() if need != "none"),
        key=lambda item: (-item[1], list(NEEDS).index(item[0]) if item[0] in NEEDS else 99),
    )
    if needs.get("none"):
        ranked.append(("none", needs["none"]))
    return MonthlyReport(
        organisation_id=organisation_id,
        organisation=name,
        month=month,
        timezone=timezone,
        people=await people_counts(tx, organisation_id, span),
        checkins=await checkin_counts(tx, organisation_id, span),
        activities=_in_order(activities, list(ACTIVITIES)),
        housing=_in_order(housing, list(HOUSING)),
        help=ranked,
        attendance=await attendance_by_program(tx, organisation_id, span),
    )
