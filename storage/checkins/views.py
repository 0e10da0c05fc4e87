"""Check-ins as staff see them: the last few on a card, a caseload's for the digest (one
statement per question, whatever the caseload), and every one for an export."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    Checkin,
    CheckinHelp,
    CheckinStatus,
    Flag,
    FlagReason,
    FlagStatus,
    Participant,
    ParticipantStatus,
)
from storage.staff.digest_queries import SEEN, Person
from storage.staff.exports import BATCH

# Flags that are news for the digest's "open alerts" even when no check-in raised them.
DANGER = (FlagReason.SELF_HARM, FlagReason.VIOLENCE, FlagReason.ARREST, FlagReason.RELAPSE)
TREND = 6  # check-ins the card loads: the last few in full, the moods of all for the trend


@dataclass(frozen=True)
class CheckinLine:
    """One check-in with the help asked for (codes, in the order given)."""

    checkin: Checkin
    needs: list[str]


def _needs() -> ColumnElement[str | None]:
    return (
        select(func.aggregate_strings(CheckinHelp.need, ","))
        .where(CheckinHelp.checkin_id == Checkin.id)
        .scalar_subquery()
    )


def _split(joined: str | None) -> list[str]:
    return [need for need in (joined or "").split(",") if need]


async def latest_checkins(
    tx: AsyncSession, participant_id: int, limit: int = TREND
) -> list[CheckinLine]:
    """Their last `limit` check-ins, newest first, each with its needs (one statement)."""
    query = (
        select(Checkin, _needs().label("needs"))
        .where(Checkin.participant_id == participant_id)
        .order_by(Checkin.started_at.desc(), Checkin.id.desc())
        .limit(limit)
    )
    return [CheckinLine(c, _split(needs)) for c, needs in (await tx.execute(query)).tuples()]


_PEOPLE = (
    Participant.id.label("pid"),
    Participant.name.label("pname"),
    Participant.caseworker_id.label("cwid"),
)


def _person(row: Any) -> Person:
    return Person(row.pid, row.pname, row.cwid)


@dataclass(frozen=True)
class Alert:
    """An open flag a check-in raised, or a danger flag from a message."""

    person: Person
    flag_id: int
    reason: str
    urgent: bool
    created_at: datetime
    from_checkin: bool


async def open_alerts(tx: AsyncSession, who: ColumnElement[bool]) -> list[Alert]:
    """Open flags from check-ins or danger, urgent then oldest first."""
    query = (
        select(*_PEOPLE, Flag.id, Flag.reason, Flag.urgent, Flag.created_at, Flag.checkin_id)
        .join(Participant, Participant.id == Flag.participant_id)
        .where(who, Participant.status.in_(SEEN), Flag.status == FlagStatus.OPEN)
        .where(or_(Flag.checkin_id.is_not(None), Flag.reason.in_(DANGER)))
        .order_by(Flag.urgent.desc(), Flag.created_at, Flag.id)
    )
    return [
        Alert(_person(r), r.id, r.reason, bool(r.urgent), r.created_at, r.checkin_id is not None)
        for r in await tx.execute(query)
    ]


@dataclass(frozen=True)
class Answered:
    """A check-in someone answered (complete or partial), with their mood the time before."""

    person: Person
    checkin_id: int
    status: str
    started_at: datetime
    mood: int | None
    previous_mood: int | None
    flags: list[str]  # the reasons of the flags it raised


async def checkins_since(
    tx: AsyncSession, who: ColumnElement[bool], since: datetime
) -> list[Answered]:
    """Check-ins begun from `since` on that someone answered, oldest first (one statement)."""
    before = aliased(Checkin)
    previous = (
        select(before.mood)
        .where(
            before.participant_id == Checkin.participant_id,
            before.mood.is_not(None),
            before.started_at < Checkin.started_at,
        )
        .order_by(before.started_at.desc(), before.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    flags = (
        select(func.aggregate_strings(Flag.reason, ","))
        .where(Flag.checkin_id == Checkin.id)
        .scalar_subquery()
    )
    query = (
        select(
            *_PEOPLE,
            Checkin.id,
            Checkin.status,
            Checkin.started_at,
            Checkin.mood,
            previous.label("previous"),
            flags.label("flags"),
        )
        .join(Participant, Participant.id == Checkin.participant_id)
        .where(who, Participant.status.in_(SEEN), Checkin.started_at >= since)
        .where(Checkin.status != CheckinStatus.EXPIRED)
        .order_by(Checkin.started_at, Checkin.id)
    )
    return [
        Answered(_person(r), r.id, r.status, r.started_at, r.mood, r.previous, _split(r.flags))
        for r in await tx.execute(query)
    ]


async def stopped_responding(tx: AsyncSession, who: ColumnElement[bool]) -> list[Person]:
    """Active people whose last two check-ins both went unanswered (storage/checkins/answers.py
    `unresponsive`, for a whole caseload in one statement)."""
    rank = (
        func.row_number()
        .over(
            partition_by=Checkin.participant_id,
            order_by=(Checkin.started_at.desc(), Checkin.id.desc()),
        )
        .label("rank")
    )
    last = (
        select(Checkin.participant_id, Checkin.status, rank)
        .join(Participant, Participant.id == Checkin.participant_id)
        .where(who, Participant.status == ParticipantStatus.ACTIVE)
        .subquery()
    )
    expired = func.sum(case((last.c.status == CheckinStatus.EXPIRED, 1), else_=0))
    query = (
        select(*_PEOPLE)
        .join(last, last.c.participant_id == Participant.id)
        .where(last.c.rank <= 2)
        .group_by(Participant.id, Participant.name, Participant.caseworker_id)
        .having(expired == 2)
        .order_by(Participant.id)
    )
    return [_person(r) for r in await tx.execute(query)]


def checkins_query(
    where: ColumnElement[bool], *, organisation_id: int, since: datetime | None
) -> Select[Any]:
    """Every check-in of the participants `where` admits who belong to `organisation_id`
    (a partner never gets another organisation's check-ins), oldest first."""
    query = (
        select(
            Checkin.participant_id,
            Participant.name,
            Participant.status.label("participant_status"),
            Checkin.started_at,
            Checkin.finished_at,
            Checkin.status,
            Checkin.channel,
            Checkin.mood,
            Checkin.activity,
            Checkin.housing,
            _needs().label("needs"),
            Checkin.wants_contact,
            Checkin.free_text,
            Checkin.media_kind,
            Checkin.media_ref,
        )
        .join(Participant, Participant.id == Checkin.participant_id)
        .where(where, Participant.organisation_id == organisation_id)
        .order_by(Checkin.started_at, Checkin.id)
    )
    if since is not None:
        query = query.where(Checkin.started_at >= since)
    return query


async def checkin_rows(
    tx: AsyncSession,
    where: ColumnElement[bool],
    *,
    organisation_id: int,
    since: datetime | None = None,
) -> AsyncIterator[Row[Any]]:
    query = checkins_query(where, organisation_id=organisation_id, since=since)
    result = await tx.stream(query.execution_options(yield_per=BATCH))
    async for batch in result.partitions():
        for row in batch:
            yield row


def split_needs(joined: str | None) -> list[str]:
    """The needs an export row carries, joined by commas, as codes."""
    return _split(joined)
