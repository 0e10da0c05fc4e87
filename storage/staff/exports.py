"""Queries behind the exports: rows streamed from the database in batches, never a whole table
in memory. Which rows a staff member may have is the caller's WHERE clause (the scope check
lives in handlers/staff/scope.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, case, func, literal, null, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    Address,
    Appointment,
    Enrolment,
    EnrolmentStatus,
    Note,
    Occurrence,
    Organisation,
    Participant,
    Program,
    ProgramSession,
    SessionStatus,
)
from storage.models import Staff as StaffMember

BATCH = 500  # rows fetched at a time


async def _stream(tx: AsyncSession, query: Select[Any]) -> AsyncIterator[Row[Any]]:
    result = await tx.stream(query.execution_options(yield_per=BATCH))
    async for batch in result.partitions():  # one trip to the driver per batch, not per row
        for row in batch:
            yield row


def participants_query(where: ColumnElement[bool], *, since: datetime | None) -> Select[Any]:
    caseworker = aliased(StaffMember)
    channels = (
        select(func.aggregate_strings(Address.channel, ","))
        .where(Address.participant_id == Participant.id)
        .scalar_subquery()
    )
    last_wrote = (
        select(func.max(Address.last_inbound_at))
        .where(Address.participant_id == Participant.id)
        .scalar_subquery()
    )
    query = (
        select(
            Participant.id,
            Participant.status,
            Participant.name,
            Participant.phone,
            Participant.category,
            Participant.city,
            Participant.province,
            Participant.language,
            Participant.interests,
            Participant.contact_time,
            Participant.release_date,
            Participant.registered_at,
            Participant.created_at,
            Organisation.name.label("organisation"),
            caseworker.name.label("caseworker"),
            channels.label("channels"),
            last_wrote.label("last_wrote"),
        )
        .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
        .outerjoin(caseworker, caseworker.id == Participant.caseworker_id)
        .where(where)
        .order_by(Participant.id)
    )
    if since is not None:
        query = query.where(Participant.created_at >= since)
    return query


async def participant_rows(
    tx: AsyncSession, where: ColumnElement[bool], *, since: datetime | None = None
) -> AsyncIterator[Row[Any]]:
    """The participants `where` allows, oldest id first, with their organisation's and
    caseworker's names, the channels they use (comma-separated) and when they last wrote."""
    async for row in _stream(tx, participants_query(where, since=since)):
        yield row


def meetings_query(
    *,
    participants: ColumnElement[bool],
    sessions: ColumnElement[bool],
    appointments: ColumnElement[bool],
    since: datetime | None,
    before: datetime | None,
    answered: bool,
) -> Select[Any]:
    """One row per participant and meeting (a session seat or a dated appointment), ordered by
    time; `before`: only meetings that started before it, not cancelled (attendance);
    `answered`: only those with an answer to the reminders."""
    seat = (
        select(
            Participant.id.label("participant_id"),
            Participant.status.label("participant_status"),
            Participant.name,
            literal("session").label("kind"),
            Program.name.label("activity"),
            ProgramSession.title,
            ProgramSession.starts_at,
            ProgramSession.place,
            ProgramSession.status.label("meeting_status"),
            Enrolment.status.label("seat"),
            Enrolment.rsvp,
            Enrolment.rsvp_at,
            Enrolment.reschedule_reason,
            Enrolment.reschedule_days,
            Enrolment.handled_at,
            Enrolment.attendance,
            Enrolment.attendance_at,
        )
        .join(Enrolment, Enrolment.participant_id == Participant.id)
        .join(ProgramSession, ProgramSession.id == Enrolment.session_id)
        .join(Program, Program.id == ProgramSession.program_id)
        .where(participants, sessions)
    )
    occurrence = (
        select(
            Participant.id,
            Participant.status,
            Participant.name,
            Appointment.kind,
            null(),
            null(),
            Occurrence.starts_at,
            Appointment.place,
            case(
                (Occurrence.cancelled, literal(SessionStatus.CANCELLED)),
                else_=literal(SessionStatus.SCHEDULED),
            ),
            literal(EnrolmentStatus.ENROLLED),
            Occurrence.rsvp,
            Occurrence.rsvp_at,
            Occurrence.reschedule_reason,
            Occurrence.reschedule_days,
            Occurrence.handled_at,
            Occurrence.attendance,
            Occurrence.attendance_at,
        )
        .join(Appointment, Appointment.participant_id == Participant.id)
        .join(Occurrence, Occurrence.appointment_id == Appointment.id)
        .where(participants, appointments)
    )
    if since is not None:
        seat = seat.where(ProgramSession.starts_at >= since)
        occurrence = occurrence.where(Occurrence.starts_at >= since)
    if before is not None:
        seat = seat.where(
            ProgramSession.starts_at < before,
            ProgramSession.status != SessionStatus.CANCELLED,
            (Enrolment.status == EnrolmentStatus.ENROLLED) | Enrolment.attendance.is_not(None),
        )
        occurrence = occurrence.where(Occurrence.starts_at < before, ~Occurrence.cancelled)
    if answered:
        seat = seat.where(Enrolment.rsvp.is_not(None))
        occurrence = occurrence.where(Occurrence.rsvp.is_not(None))
    both = union_all(seat, occurrence).subquery()
    return select(both).order_by(
        both.c.starts_at, both.c.kind, both.c.activity, both.c.title, both.c.participant_id
    )


async def meeting_rows(
    tx: AsyncSession,
    *,
    participants: ColumnElement[bool],
    sessions: ColumnElement[bool],
    appointments: ColumnElement[bool],
    since: datetime | None = None,
    before: datetime | None = None,
    answered: bool = False,
) -> AsyncIterator[Row[Any]]:
    query = meetings_query(
        participants=participants,
        sessions=sessions,
        appointments=appointments,
        since=since,
        before=before,
        answered=answered,
    )
    async for row in _stream(tx, query):
        yield row


def notes_query(
    where: ColumnElement[bool], *, organisation_id: int, since: datetime | None
) -> Select[Any]:
    """The notes `organisation_id`'s staff wrote about the participants `where` admits, oldest
    first (a partner's staff never get another organisation's notes)."""
    author = aliased(StaffMember)
    query = (
        select(
            Note.id,
            Note.participant_id,
            Participant.name,
            Participant.status.label("participant_status"),
            Note.created_at,
            author.name.label("author"),
            Note.text,
            Note.erased,
        )
        .join(Participant, Participant.id == Note.participant_id)
        .outerjoin(author, author.id == Note.staff_id)
        .where(where, Note.organisation_id == organisation_id)
        .order_by(Note.created_at, Note.id)
    )
    if since is not None:
        query = query.where(Note.created_at >= since)
    return query


def note_rows(
    tx: AsyncSession,
    where: ColumnElement[bool],
    *,
    organisation_id: int,
    since: datetime | None = None,
) -> AsyncIterator[Row[Any]]:
    return _stream(tx, notes_query(where, organisation_id=organisation_id, since=since))
