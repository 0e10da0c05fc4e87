"""Counts for reports: a month of an organisation's numbers and a week of check-ins, each an
aggregate query (never a loop over people). Callers give the moments in UTC; the bounds of a
month or week in the organisation's zone are theirs to work out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import (
    Checkin,
    CheckinHelp,
    CheckinStatus,
    Enrolment,
    Participant,
    ParticipantStatus,
    Program,
    ProgramSession,
)

ANSWERED = (CheckinStatus.COMPLETE, CheckinStatus.PARTIAL)  # partial answers count as answers
SIGNED_UP = (ParticipantStatus.ACTIVE, ParticipantStatus.STOPPED, ParticipantStatus.UNREACHABLE)


@dataclass(frozen=True)
class Span:
    """[start, end) in UTC."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class People:
    active: int  # signed up before the end and active now
    new: int  # signed up within the span
    stopped: int  # stopped now, last changed within the span


@dataclass(frozen=True)
class CheckinCounts:
    complete: int
    partial: int
    expired: int  # prompts nobody answered
    mood_sum: int
    mood_count: int

    @property
    def answered(self) -> int:
        return self.complete + self.partial

    @property
    def asked(self) -> int:
        return self.answered + self.expired


@dataclass(frozen=True)
class ProgramAttendance:
    program_id: int
    name: str
    attended: int
    absent: int

    @property
    def marked(self) -> int:
        return self.attended + self.absent


def _within(
    column: InstrumentedAttribute[datetime | None] | InstrumentedAttribute[datetime], span: Span
) -> ColumnElement[bool]:
    return and_(column >= span.start, column < span.end)


async def people_counts(tx: AsyncSession, organisation_id: int, span: Span) -> People:
    own = Participant.organisation_id == organisation_id
    registered = Participant.registered_at
    query = select(
        func.count().filter(Participant.status == ParticipantStatus.ACTIVE, registered < span.end),
        func.count().filter(Participant.status.in_(SIGNED_UP), _within(registered, span)),
        func.count().filter(
            Participant.status == ParticipantStatus.STOPPED,
            _within(Participant.updated_at, span),
        ),
    ).where(own)
    active, new, stopped = (await tx.execute(query)).one()
    return People(active, new, stopped)


def _checkin_scope(organisation_id: int, caseworker_id: int | None) -> ColumnElement[bool]:
    """An organisation's check-ins, or only those of a caseworker's own people."""
    if caseworker_id is None:
        return Checkin.organisation_id == organisation_id
    return Checkin.participant_id.in_(
        select(Participant.id).where(
            Participant.organisation_id == organisation_id,
            Participant.caseworker_id == caseworker_id,
        )
    )


async def checkin_counts(
    tx: AsyncSession, organisation_id: int, span: Span, caseworker_id: int | None = None
) -> CheckinCounts:
    query = select(
        func.count().filter(Checkin.status == CheckinStatus.COMPLETE),
        func.count().filter(Checkin.status == CheckinStatus.PARTIAL),
        func.count().filter(Checkin.status == CheckinStatus.EXPIRED),
        func.coalesce(func.sum(Checkin.mood).filter(Checkin.status.in_(ANSWERED)), 0),
        func.count(Checkin.mood).filter(Checkin.status.in_(ANSWERED)),
    ).where(_checkin_scope(organisation_id, caseworker_id), _within(Checkin.started_at, span))
    complete, partial, expired, mood_sum, mood_count = (await tx.execute(query)).one()
    return CheckinCounts(complete, partial, expired, int(mood_sum), mood_count)


async def answers_by(
    tx: AsyncSession, column: InstrumentedAttribute[str | None], organisation_id: int, span: Span
) -> dict[str | None, int]:
    """How many answered check-ins gave each value of `column` (None: not answered)."""
    query = (
        select(column, func.count())
        .where(
            Checkin.organisation_id == organisation_id,
            Checkin.status.in_(ANSWERED),
            _within(Checkin.started_at, span),
        )
        .group_by(column)
    )
    return {value: count for value, count in (await tx.execute(query)).all()}


async def help_requested(tx: AsyncSession, organisation_id: int, span: Span) -> dict[str, int]:
    """Each kind of help and how many answered check-ins asked for it ("none" included)."""
    query = (
        select(CheckinHelp.need, func.count())
        .join(Checkin, Checkin.id == CheckinHelp.checkin_id)
        .where(
            Checkin.organisation_id == organisation_id,
            Checkin.status.in_(ANSWERED),
            _within(Checkin.started_at, span),
        )
        .group_by(CheckinHelp.need)
    )
    return {need: count for need, count in (await tx.execute(query)).all()}


async def attendance_by_program(
    tx: AsyncSession, organisation_id: int, span: Span, caseworker_id: int | None = None
) -> list[ProgramAttendance]:
    """Attendance marked at the organisation's programs' sessions that began within the span
    (a caseworker: of their own people only), per program, by name."""
    attended = func.count().filter(Enrolment.attendance == "attended")
    absent = func.count().filter(Enrolment.attendance == "absent")
    query = (
        select(Program.id, Program.name, attended, absent)
        .join(ProgramSession, ProgramSession.program_id == Program.id)
        .join(Enrolment, Enrolment.session_id == ProgramSession.id)
        .where(
            Program.organisation_id == organisation_id,
            Enrolment.attendance.in_(("attended", "absent")),
            _within(ProgramSession.starts_at, span),
        )
        .group_by(Program.id, Program.name)
        .order_by(Program.name)
    )
    if caseworker_id is not None:
        query = query.join(Participant, Participant.id == Enrolment.participant_id).where(
            Participant.caseworker_id == caseworker_id
        )
    return [ProgramAttendance(*row) for row in (await tx.execute(query)).all()]


def mood_average(counts: CheckinCounts) -> float | None:
    return counts.mood_sum / counts.mood_count if counts.mood_count else None
