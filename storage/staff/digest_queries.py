"""What a caseload holds that staff need to hear about (the morning digest, handlers/digest/):
one statement per question for the whole caseload, however many people are in it.

`who` is a WHERE clause on `Participant` (a caseworker's people, or an organisation's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Appointment,
    Enrolment,
    EnrolmentStatus,
    Occurrence,
    Participant,
    ParticipantStatus,
    Program,
    ProgramSession,
    SessionStatus,
)
from storage.programs import OPEN_ANSWERS, unhandled

GONE = (ParticipantStatus.UNREACHABLE, ParticipantStatus.STOPPED)

SEEN = (
    ParticipantStatus.ACTIVE,
    ParticipantStatus.STOPPED,
    ParticipantStatus.UNREACHABLE,
    ParticipantStatus.PREREGISTERED,
)  # registering and erased people are nobody's to report


@dataclass(frozen=True)
class Person:
    id: int
    name: str | None
    caseworker_id: int | None


@dataclass(frozen=True)
class Meeting:
    """A participant's answer or attendance for one session (`session`) or appointment."""

    person: Person
    appointment: bool  # an appointment's occurrence (else a seat in a session)
    row_id: int  # the enrolment's or the occurrence's id
    title: str  # the session's title, or the appointment's kind (counselling, reporting)
    program: str  # for counts per program ("Konseling" for appointments: their kind)
    starts_at: datetime
    timezone: str
    answer: str | None  # rsvp: yes, no, reschedule, None

    @property
    def key(self) -> str:
        """Ids only, for what a digest reported: "e:<enrolment id>" or "o:<occurrence id>"."""
        return f"{'o' if self.appointment else 'e'}:{self.row_id}"


@dataclass(frozen=True)
class SessionCount:
    session_id: int
    title: str
    program: str
    starts_at: datetime
    timezone: str
    coming: int  # said Hadir
    not_coming: int  # said Tidak bisa, or asked for another date
    silent: int  # no answer yet


@dataclass(frozen=True)
class Change:
    """A person whose status or sign-up is news: stopped, unreachable, new, about to be released."""

    person: Person
    status: str
    on: date | None  # release date, for the pre-registered


def _person(row: object) -> Person:
    return Person(row.pid, row.pname, row.cwid)  # type: ignore[attr-defined]


_PEOPLE = (
    Participant.id.label("pid"),
    Participant.name.label("pname"),
    Participant.caseworker_id.label("cwid"),
)


def _title() -> ColumnElement[str]:
    return func.coalesce(ProgramSession.title, Program.name)


async def _session_meetings(
    tx: AsyncSession, who: ColumnElement[bool], condition: ColumnElement[bool]
) -> list[Meeting]:
    query = (
        select(
            *_PEOPLE,
            Enrolment.id.label("ref"),
            _title().label("title"),
            Program.name.label("program"),
            ProgramSession.starts_at,
            ProgramSession.timezone,
            Enrolment.rsvp,
        )
        .join(Participant, Participant.id == Enrolment.participant_id)
        .join(ProgramSession, ProgramSession.id == Enrolment.session_id)
        .join(Program, Program.id == ProgramSession.program_id)
        .where(who, Participant.status.in_(SEEN), ProgramSession.status != SessionStatus.CANCELLED)
        .where(condition)
        .order_by(ProgramSession.starts_at, Enrolment.id)
    )
    return [
        Meeting(_person(r), False, r.ref, r.title, r.program, r.starts_at, r.timezone, r.rsvp)
        for r in await tx.execute(query)
    ]


async def _appointment_meetings(
    tx: AsyncSession, who: ColumnElement[bool], condition: ColumnElement[bool]
) -> list[Meeting]:
    query = (
        select(
            *_PEOPLE,
            Occurrence.id.label("ref"),
            Appointment.kind,
            Occurrence.starts_at,
            Appointment.timezone,
            Occurrence.rsvp,
        )
        .join(Appointment, Appointment.id == Occurrence.appointment_id)
        .join(Participant, Participant.id == Appointment.participant_id)
        .where(who, Participant.status.in_(SEEN), Occurrence.cancelled.is_(False))
        .where(condition)
        .order_by(Occurrence.starts_at, Occurrence.id)
    )
    return [
        Meeting(_person(r), True, r.ref, r.kind, r.kind, r.starts_at, r.timezone, r.rsvp)
        for r in await tx.execute(query)
    ]


async def unhandled_answers(
    tx: AsyncSession, who: ColumnElement[bool], since: datetime
) -> list[Meeting]:
    """ "Tidak bisa" answers and reschedule requests no staff member has dealt with yet, for
    meetings from `since` on."""
    sessions = await _session_meetings(
        tx,
        who,
        unhandled(Enrolment) & (ProgramSession.starts_at >= since),
    )
    appointments = await _appointment_meetings(
        tx,
        who,
        unhandled(Occurrence) & (Occurrence.starts_at >= since),
    )
    return sorted(sessions + appointments, key=lambda m: m.starts_at)


async def missed_meetings(
    tx: AsyncSession, who: ColumnElement[bool], since: datetime
) -> list[Meeting]:
    """Sessions and appointments marked missed ("absent") since `since`."""
    sessions = await _session_meetings(
        tx,
        who,
        (Enrolment.attendance == "absent")
        & (func.coalesce(Enrolment.attendance_at, ProgramSession.starts_at) >= since),
    )
    appointments = await _appointment_meetings(
        tx,
        who,
        (Occurrence.attendance == "absent")
        & (func.coalesce(Occurrence.attendance_at, Occurrence.starts_at) >= since),
    )
    return sorted(sessions + appointments, key=lambda m: m.starts_at)


async def appointments_between(
    tx: AsyncSession, who: ColumnElement[bool], start: datetime, end: datetime
) -> list[Meeting]:
    return await _appointment_meetings(
        tx, who, (Occurrence.starts_at >= start) & (Occurrence.starts_at < end)
    )


async def sessions_between(
    tx: AsyncSession, who: ColumnElement[bool], start: datetime, end: datetime
) -> list[SessionCount]:
    """The sessions between `start` and `end` that people of `who` have a seat in, with how
    many of them said they come, said they cannot, and said nothing yet."""
    coming = func.sum(case((Enrolment.rsvp == "yes", 1), else_=0))
    not_coming = func.sum(case((Enrolment.rsvp.in_(OPEN_ANSWERS), 1), else_=0))
    silent = func.sum(case((Enrolment.rsvp.is_(None), 1), else_=0))
    query = (
        select(
            ProgramSession.id,
            _title().label("title"),
            Program.name.label("program"),
            ProgramSession.starts_at,
            ProgramSession.timezone,
            coming.label("coming"),
            not_coming.label("not_coming"),
            silent.label("silent"),
        )
        .join(Enrolment, Enrolment.session_id == ProgramSession.id)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .join(Program, Program.id == ProgramSession.program_id)
        .where(
            who,
            Participant.status.in_(SEEN),
            Enrolment.status == EnrolmentStatus.ENROLLED,
            ProgramSession.status != SessionStatus.CANCELLED,
            ProgramSession.starts_at >= start,
            ProgramSession.starts_at < end,
        )
        .group_by(ProgramSession.id, ProgramSession.title, Program.name)
        .order_by(ProgramSession.starts_at, ProgramSession.id)
    )
    return [
        SessionCount(
            r.id,
            r.title,
            r.program,
            r.starts_at,
            r.timezone,
            int(r.coming or 0),
            int(r.not_coming or 0),
            int(r.silent or 0),
        )
        for r in await tx.execute(query)
    ]


async def _changes(tx: AsyncSession, condition: ColumnElement[bool]) -> list[Change]:
    query = (
        select(*_PEOPLE, Participant.status, Participant.release_date)
        .where(condition)
        .order_by(Participant.id)
    )
    return [Change(_person(r), r.status, r.release_date) for r in await tx.execute(query)]


async def people_gone(tx: AsyncSession, who: ColumnElement[bool]) -> list[Change]:
    """People who stopped our messages or cannot be reached (blocked the bot)."""
    return await _changes(tx, who & Participant.status.in_(GONE))


async def new_sign_ups(tx: AsyncSession, who: ColumnElement[bool], since: datetime) -> list[Change]:
    return await _changes(
        tx,
        who
        & (Participant.status == ParticipantStatus.ACTIVE)
        & (Participant.registered_at >= since),
    )


async def releases_ahead(
    tx: AsyncSession, who: ColumnElement[bool], first: date, last: date
) -> list[Change]:
    """People registered before release, released between `first` and `last`, who have not
    claimed their code yet (still pre-registered)."""
    return await _changes(
        tx,
        who
        & (Participant.status == ParticipantStatus.PREREGISTERED)
        & Participant.release_date.between(first, last),
    )
