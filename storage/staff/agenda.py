"""Queries behind staff acting from the phone: an organisation's sessions with their seats and
answers, the answers "Tidak bisa" and "Jadwal ulang" nobody has dealt with yet, and the place an
organisation last used for an appointment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Appointment,
    Enrolment,
    EnrolmentStatus,
    Occurrence,
    Participant,
    Program,
    ProgramSession,
    SessionStatus,
)
from storage.programs import unhandled

OPEN_LIMIT = 300  # open answers read at once, per kind (a list shows ten a page)


@dataclass
class Tally:
    """One session's seats, answers to reminders, and attendance."""

    seated: int = 0  # enrolled with a seat
    waitlisted: int = 0
    yes: int = 0  # said "Hadir" (and still in)
    no: int = 0  # said "Tidak bisa"
    reschedule: int = 0  # asked for another date
    unanswered: int = 0  # in (seat or waiting list), no answer yet
    attended: int = 0
    absent: int = 0


def _own(organisation_id: int) -> ColumnElement[bool]:
    programs = select(Program.id).where(Program.organisation_id == organisation_id)
    return ProgramSession.program_id.in_(programs)


async def organisation_sessions(
    tx: AsyncSession, organisation_id: int, since: datetime, until: datetime
) -> list[ProgramSession]:
    """The organisation's sessions starting in [since, until), cancelled ones too, by start."""
    query = (
        select(ProgramSession)
        .where(
            _own(organisation_id),
            ProgramSession.starts_at >= since,
            ProgramSession.starts_at < until,
        )
        .order_by(ProgramSession.starts_at, ProgramSession.id)
    )
    return list((await tx.execute(query)).scalars())


async def session_of_organisation(
    tx: AsyncSession, organisation_id: int, session_id: int
) -> ProgramSession | None:
    """Session `session_id` if one of the organisation's programs holds it (else None)."""
    query = select(ProgramSession).where(ProgramSession.id == session_id, _own(organisation_id))
    return (await tx.execute(query)).scalar_one_or_none()


async def tallies(tx: AsyncSession, session_ids: list[int]) -> dict[int, Tally]:
    """Each session's Tally, in one query."""
    found = {session_id: Tally() for session_id in session_ids}
    if not session_ids:
        return found
    query = (
        select(Enrolment.session_id, Enrolment.status, Enrolment.rsvp, Enrolment.attendance)
        .add_columns(func.count())
        .where(Enrolment.session_id.in_(session_ids))
        .group_by(Enrolment.session_id, Enrolment.status, Enrolment.rsvp, Enrolment.attendance)
    )
    for session_id, status, rsvp, attendance, count in (await tx.execute(query)).all():
        tally, n = found[session_id], int(count)
        if status == EnrolmentStatus.ENROLLED:
            tally.seated += n
        elif status == EnrolmentStatus.WAITLISTED:
            tally.waitlisted += n
        if rsvp == "yes" and status != EnrolmentStatus.WITHDRAWN:
            tally.yes += n
        elif rsvp == "no":
            tally.no += n
        elif rsvp == "reschedule":
            tally.reschedule += n
        elif rsvp is None and status != EnrolmentStatus.WITHDRAWN:
            tally.unanswered += n
        if attendance == "attended":
            tally.attended += n
        elif attendance == "absent":
            tally.absent += n
    return found


async def seated_roster(tx: AsyncSession, session_id: int) -> list[tuple[Enrolment, Participant]]:
    """Who has a seat in a session (the attendance checklist), in join order."""
    query = (
        select(Enrolment, Participant)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .where(Enrolment.session_id == session_id, Enrolment.status == EnrolmentStatus.ENROLLED)
        .order_by(Enrolment.id)
    )
    return [(enrolment, person) for enrolment, person in (await tx.execute(query)).all()]


@dataclass(frozen=True)
class OpenAnswer:
    """A "Tidak bisa" or "Jadwal ulang" answer nobody has dealt with yet."""

    row: Enrolment | Occurrence
    participant: Participant
    starts_at: datetime  # of the session or occurrence they cannot come to


async def open_answers(tx: AsyncSession, people: ColumnElement[bool]) -> list[OpenAnswer]:
    """Open answers of the participants `people` selects, longest waiting first."""
    enrolments = (
        select(Enrolment, Participant, ProgramSession.starts_at)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .join(ProgramSession, ProgramSession.id == Enrolment.session_id)
        .where(unhandled(Enrolment), people)
        .order_by(Enrolment.rsvp_at, Enrolment.id)
        .limit(OPEN_LIMIT)
    )
    occurrences = (
        select(Occurrence, Participant, Occurrence.starts_at)
        .join(Appointment, Appointment.id == Occurrence.appointment_id)
        .join(Participant, Participant.id == Appointment.participant_id)
        .where(unhandled(Occurrence), people)
        .order_by(Occurrence.rsvp_at, Occurrence.id)
        .limit(OPEN_LIMIT)
    )
    found = [OpenAnswer(*row) for row in (await tx.execute(enrolments)).all()]
    found += [OpenAnswer(*row) for row in (await tx.execute(occurrences)).all()]
    return sorted(found, key=lambda a: (a.row.rsvp_at or a.starts_at, a.starts_at))


async def other_sessions_of_program(
    tx: AsyncSession, program_id: int, excluded: int, now: datetime, limit: int
) -> list[ProgramSession]:
    """The program's next sessions (not cancelled, not started, not `excluded`)."""
    query = (
        select(ProgramSession)
        .where(
            ProgramSession.program_id == program_id,
            ProgramSession.id != excluded,
            ProgramSession.status != SessionStatus.CANCELLED,
            ProgramSession.starts_at > now,
        )
        .order_by(ProgramSession.starts_at)
        .limit(limit)
    )
    return list((await tx.execute(query)).scalars())


async def last_appointment_place(tx: AsyncSession, organisation_id: int) -> str | None:
    """Where the organisation's newest appointment takes place."""
    query = (
        select(Appointment.place)
        .where(Appointment.organisation_id == organisation_id)
        .order_by(Appointment.created_at.desc(), Appointment.id.desc())
        .limit(1)
    )
    return (await tx.execute(query)).scalar_one_or_none()
