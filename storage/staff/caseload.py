"""A staff member's people, most urgent first: THE definition of urgency, pages and searches.

Urgency (lower comes first), decided here only:

0. DANGER: an open flag marked urgent (self-harm, violence, arrest, relapse), or any open flag
   a check-in raised (very bad mood, no safe place, asks to be contacted).
1. ANSWER: a "Tidak bisa" or a reschedule request, for a session or appointment from the last
   RECENT days or ahead, that no staff member handled yet (`handled_at` is NULL).
2. MISSED: marked absent at a session or appointment in the last RECENT days.
3. FLAG: any other open flag (a message that waits for staff).
4. SILENT: stopped messages, or unreachable (blocked the bot), or "tidak merespons": their
   last two check-ins both went unanswered (storage/checkins/answers.py `unresponsive`).
5. REST: everyone else; 6. ERASED: what is left of people who erased their data.

Within a level: the most recent message from the person first, then the newest participant.
A partner organisation sees the referred people's status only (their answers, absences and
flags at the other organisation are not its business), so for it they are SILENT or REST.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Address,
    Appointment,
    Checkin,
    CheckinStatus,
    Enrolment,
    Flag,
    FlagStatus,
    Occurrence,
    Participant,
    ParticipantStatus,
    ProgramSession,
)
from storage.programs import unhandled

RECENT = timedelta(days=14)
ABSENT = "absent"


class Urgency(IntEnum):
    DANGER = 0
    ANSWER = 1
    MISSED = 2
    FLAG = 3
    SILENT = 4
    REST = 5
    ERASED = 6


@dataclass(frozen=True)
class Row:
    """One participant in a list, with why they are where they are."""

    participant: Participant
    urgency: Urgency
    last_inbound_at: datetime | None


def _open_answer(now: datetime) -> ColumnElement[bool]:
    since = now - RECENT
    session = (
        select(Enrolment.id)
        .join(ProgramSession, ProgramSession.id == Enrolment.session_id)
        .where(
            Enrolment.participant_id == Participant.id,
            unhandled(Enrolment),
            ProgramSession.starts_at >= since,
        )
        .exists()
    )
    appointment = (
        select(Occurrence.id)
        .join(Appointment, Appointment.id == Occurrence.appointment_id)
        .where(
            Appointment.participant_id == Participant.id,
            unhandled(Occurrence),
            Occurrence.starts_at >= since,
        )
        .exists()
    )
    return or_(session, appointment)


def _missed(now: datetime) -> ColumnElement[bool]:
    since = now - RECENT
    session = (
        select(Enrolment.id)
        .join(ProgramSession, ProgramSession.id == Enrolment.session_id)
        .where(
            Enrolment.participant_id == Participant.id,
            Enrolment.attendance == ABSENT,
            ProgramSession.starts_at >= since,
        )
        .exists()
    )
    appointment = (
        select(Occurrence.id)
        .join(Appointment, Appointment.id == Occurrence.appointment_id)
        .where(
            Appointment.participant_id == Participant.id,
            Occurrence.attendance == ABSENT,
            Occurrence.starts_at >= since,
        )
        .exists()
    )
    return or_(session, appointment)


def _flag(*, urgent: bool) -> ColumnElement[bool]:
    query = select(Flag.id).where(
        Flag.participant_id == Participant.id, Flag.status == FlagStatus.OPEN
    )
    if urgent:
        query = query.where(or_(Flag.urgent.is_(True), Flag.checkin_id.is_not(None)))
    return query.exists()


def _unresponsive() -> ColumnElement[bool]:
    """Their last two check-ins both expired unanswered."""

    def nth(offset: int) -> ColumnElement[str | None]:
        return (
            select(Checkin.status)
            .where(Checkin.participant_id == Participant.id)
            .order_by(Checkin.started_at.desc(), Checkin.id.desc())
            .offset(offset)
            .limit(1)
            .scalar_subquery()
        )

    return and_(nth(0) == CheckinStatus.EXPIRED, nth(1) == CheckinStatus.EXPIRED)


def urgency(organisation_id: int, now: datetime) -> ColumnElement[int]:
    """The participant's urgency as seen by a staff member of `organisation_id`."""
    silent = Participant.status.in_((ParticipantStatus.STOPPED, ParticipantStatus.UNREACHABLE))
    own = Participant.organisation_id == organisation_id
    return case(
        (Participant.status == ParticipantStatus.ERASED, literal(int(Urgency.ERASED))),
        (and_(own, _flag(urgent=True)), literal(int(Urgency.DANGER))),
        (and_(own, _open_answer(now)), literal(int(Urgency.ANSWER))),
        (and_(own, _missed(now)), literal(int(Urgency.MISSED))),
        (and_(own, _flag(urgent=False)), literal(int(Urgency.FLAG))),
        (silent, literal(int(Urgency.SILENT))),
        (and_(own, _unresponsive()), literal(int(Urgency.SILENT))),
        else_=literal(int(Urgency.REST)),
    )


def _last_inbound() -> ColumnElement[datetime | None]:
    return (
        select(func.max(Address.last_inbound_at))
        .where(Address.participant_id == Participant.id)
        .scalar_subquery()
    )


async def urgent_page(
    tx: AsyncSession,
    where: ColumnElement[bool],
    *,
    organisation_id: int,
    now: datetime,
    offset: int,
    limit: int,
) -> tuple[list[Row], int]:
    """A page of the participants `where` allows, most urgent first, and how many there are
    (two statements, whatever the caseload)."""
    total = (await tx.execute(select(func.count(Participant.id)).where(where))).scalar_one()
    rank = urgency(organisation_id, now).label("urgency")
    last = _last_inbound().label("last_inbound_at")
    query = (
        select(Participant, rank, last)
        .where(where)
        .order_by(rank, last.desc().nulls_last(), Participant.id.desc())
        .offset(offset)
        .limit(limit)
    )
    rows = [
        Row(participant, Urgency(int(level)), seen)
        for participant, level, seen in (await tx.execute(query)).tuples()
    ]
    return rows, int(total)


def matching(text: str, phones: tuple[str, ...]) -> ColumnElement[bool]:
    """Participants whose name or city holds `text` (any case), or who have one of `phones`
    (E.164, "+62812...") as their phone or as their WhatsApp number."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    found: list[ColumnElement[bool]] = []
    if text:
        found += [
            func.lower(Participant.name).like(pattern.lower(), escape="\\"),
            func.lower(Participant.city).like(pattern.lower(), escape="\\"),
        ]
    if phones:
        forms = [*phones, *(p.lstrip("+") for p in phones)]
        whatsapp = select(Address.participant_id).where(
            Address.channel == "whatsapp", or_(Address.value.in_(forms), Address.alias.in_(forms))
        )
        found += [Participant.phone.in_(phones), Participant.id.in_(whatsapp)]
    return or_(*found) if found else literal(False)
