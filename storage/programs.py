"""Queries on organisations, programs, sessions, enrolments and appointments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Appointment,
    Enrolment,
    EnrolmentStatus,
    Membership,
    Occurrence,
    Organisation,
    Participant,
    Program,
    ProgramSession,
    SessionStatus,
)

LIVE = (SessionStatus.SCHEDULED, SessionStatus.MOVED)
SEATED = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
OPEN_ANSWERS = ("no", "reschedule")  # answers staff should deal with


def unhandled(answers: type[Enrolment] | type[Occurrence]) -> ColumnElement[bool]:
    """A "Tidak bisa" answer or a reschedule request no staff member has dealt with yet: the one
    definition behind /jadwalulang, the people list's urgency and the digest."""
    return answers.rsvp.in_(OPEN_ANSWERS) & answers.handled_at.is_(None)


async def enrolment_of(tx: AsyncSession, participant_id: int, session_id: int) -> Enrolment | None:
    query = select(Enrolment).where(
        Enrolment.participant_id == participant_id, Enrolment.session_id == session_id
    )
    return (await tx.execute(query)).scalar_one_or_none()


async def seats_taken(tx: AsyncSession, session_id: int) -> int:
    query = select(func.count()).where(
        Enrolment.session_id == session_id, Enrolment.status == EnrolmentStatus.ENROLLED
    )
    return int((await tx.execute(query)).scalar_one())


async def enrolments_of_session(tx: AsyncSession, session_id: int) -> list[Enrolment]:
    query = (
        select(Enrolment)
        .where(Enrolment.session_id == session_id, Enrolment.status.in_(SEATED))
        .order_by(Enrolment.id)
    )
    return list((await tx.execute(query)).scalars())


async def first_waitlisted(tx: AsyncSession, session_id: int) -> Enrolment | None:
    query = (
        select(Enrolment)
        .where(Enrolment.session_id == session_id, Enrolment.status == EnrolmentStatus.WAITLISTED)
        .order_by(Enrolment.id)
        .limit(1)
    )
    return (await tx.execute(query)).scalar_one_or_none()


async def upcoming_enrolments(
    tx: AsyncSession, participant_id: int, now: datetime
) -> list[Enrolment]:
    query = (
        select(Enrolment)
        .join(ProgramSession, ProgramSession.id == Enrolment.session_id)
        .where(
            Enrolment.participant_id == participant_id,
            Enrolment.status.in_(SEATED),
            ProgramSession.status.in_(LIVE),
            ProgramSession.ends_at > now,
        )
        .order_by(ProgramSession.starts_at)
    )
    return list((await tx.execute(query)).scalars())


async def upcoming_occurrences(
    tx: AsyncSession, participant_id: int, now: datetime, until: datetime
) -> list[Occurrence]:
    query = (
        select(Occurrence)
        .join(Appointment, Appointment.id == Occurrence.appointment_id)
        .where(
            Appointment.participant_id == participant_id,
            Appointment.active.is_(True),
            Occurrence.cancelled.is_(False),
            Occurrence.starts_at > now,
            Occurrence.starts_at < until,
        )
        .order_by(Occurrence.starts_at)
    )
    return list((await tx.execute(query)).scalars())


async def open_sessions_for(
    tx: AsyncSession,
    participant: Participant,
    program_kinds: list[str],
    now: datetime,
    limit: int,
) -> list[ProgramSession]:
    """Sessions a participant may join: open, upcoming, in their regency (or anywhere if unset),
    of a kind they are interested in, and not already joined."""
    joined = select(Enrolment.session_id).where(Enrolment.participant_id == participant.id)
    query = (
        select(ProgramSession)
        .join(Program, Program.id == ProgramSession.program_id)
        .where(
            ProgramSession.open.is_(True),
            ProgramSession.status.in_(LIVE),
            ProgramSession.starts_at > now,
            Program.kind.in_(program_kinds),
            ProgramSession.id.not_in(joined),
        )
        .order_by(ProgramSession.starts_at)
        .limit(limit)
    )
    if participant.city_key:
        query = query.where(
            (ProgramSession.city_key == participant.city_key) | ProgramSession.city_key.is_(None)
        )
    return list((await tx.execute(query)).scalars())


def _upcoming_of_program(program_id: int, after: datetime) -> Select[tuple[ProgramSession]]:
    return (
        select(ProgramSession)
        .where(
            ProgramSession.program_id == program_id,
            ProgramSession.status.in_(LIVE),
            ProgramSession.starts_at > after,
        )
        .order_by(ProgramSession.starts_at)
    )


async def next_session_of_program(
    tx: AsyncSession, program_id: int, after: datetime
) -> ProgramSession | None:
    query = _upcoming_of_program(program_id, after).limit(1)
    return (await tx.execute(query)).scalar_one_or_none()


async def upcoming_sessions_of_program(
    tx: AsyncSession, program_id: int, after: datetime
) -> list[ProgramSession]:
    return list((await tx.execute(_upcoming_of_program(program_id, after))).scalars())


async def members_of_program(tx: AsyncSession, program_id: int) -> list[int]:
    query = select(Membership.participant_id).where(Membership.program_id == program_id)
    return list((await tx.execute(query)).scalars())


async def active_appointments(tx: AsyncSession) -> list[Appointment]:
    query = select(Appointment).where(Appointment.active.is_(True)).order_by(Appointment.id)
    return list((await tx.execute(query)).scalars())


async def organisation_contact(
    tx: AsyncSession, participant_id: int | None
) -> tuple[str, str] | None:
    """(name, contact) of the organisation a person should call: the one behind their latest
    appointment or session that has a contact, else the only organisation with one."""
    if participant_id is not None:
        by_appointment = (
            select(Organisation.name, Organisation.contact, Appointment.created_at.label("at"))
            .join(Appointment, Appointment.organisation_id == Organisation.id)
            .where(Appointment.participant_id == participant_id)
        )
        by_session = (
            select(Organisation.name, Organisation.contact, Enrolment.created_at.label("at"))
            .join(Program, Program.organisation_id == Organisation.id)
            .join(ProgramSession, ProgramSession.program_id == Program.id)
            .join(Enrolment, Enrolment.session_id == ProgramSession.id)
            .where(Enrolment.participant_id == participant_id)
        )
        union = by_appointment.union_all(by_session).subquery()
        row = (
            await tx.execute(
                select(union.c.name, union.c.contact)
                .where(union.c.contact.is_not(None))
                .order_by(union.c.at.desc())
                .limit(1)
            )
        ).first()
        if row is not None:
            return row[0], row[1]
    only = (
        await tx.execute(
            select(Organisation.name, Organisation.contact)
            .where(Organisation.contact.is_not(None))
            .limit(2)
        )
    ).all()
    return (only[0][0], only[0][1]) if len(only) == 1 else None
