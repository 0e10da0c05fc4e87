"""Who a broadcast is for: an organisation's participants, narrowed by combinable filters.

Filters of one kind are alternatives (Jakarta or Bekasi), filters of different kinds all apply
(Jakarta and program 3). Everything is within the organisation: a program or session id of
another organisation matches nobody. Only active participants with a reachable address on a
running channel are recipients; the others the filters match are left out, counted by reason.
Everything here is SQL: counts are grouped queries and recipients are read page by page.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, cast, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Address,
    Enrolment,
    EnrolmentStatus,
    Membership,
    Participant,
    ParticipantStatus,
    Program,
    ProgramSession,
)
from storage.staff.caseload import _unresponsive as unresponsive_clause


class LeftOut:
    """Why someone the filters match gets nothing (the keys of `Broadcast.left_out`)."""

    STOPPED = "stopped"  # asked for no messages (/berhenti)
    ERASED = "erased"  # erased their data (/hapus)
    UNREACHABLE = "unreachable"  # blocked the bot, the chat is gone, or no app we run
    NO_CHAT = "no_chat"  # registered before release, or sign-up not finished: no chat yet


@dataclass(frozen=True)
class Audience:
    organisation_id: int
    categories: tuple[str, ...] = ()
    city_keys: tuple[str, ...] = ()  # kabupaten/kota keys (storage: Participant.city_key)
    provinces: tuple[str, ...] = ()
    program_ids: tuple[int, ...] = ()  # members of a program
    session_ids: tuple[int, ...] = ()  # enrolled (or waiting) in a session
    interests: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()  # the app they would get it on
    languages: tuple[str, ...] = ()
    unresponsive: bool = False  # "tidak merespons": their last two check-ins went unanswered

    @property
    def everyone(self) -> bool:
        return self == Audience(self.organisation_id)

    def to_json(self) -> dict[str, Any]:
        """Only the filters set, so the stored definition reads as what was chosen."""
        data: dict[str, Any] = {"organisation_id": self.organisation_id}
        for field in fields(self)[1:]:
            value = getattr(self, field.name)
            if value:
                data[field.name] = list(value) if isinstance(value, tuple) else value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        values: dict[str, Any] = {"organisation_id": int(data["organisation_id"])}
        for field in fields(cls)[1:]:
            value = data.get(field.name)
            if value is None:
                continue
            if field.name == "unresponsive":
                values[field.name] = bool(value)
            elif field.name in ("program_ids", "session_ids"):
                values[field.name] = tuple(int(v) for v in value)
            else:
                values[field.name] = tuple(str(v) for v in value)
        return cls(**values)

    def adding(self, name: str, value: str | int) -> Audience:
        """The same audience with one more alternative of a filter (unresponsive: switched on)."""
        if name == "unresponsive":
            return replace(self, unresponsive=True)
        current: tuple[str | int, ...] = getattr(self, name)
        if value in current:
            return self
        changes: dict[str, Any] = {name: (*current, value)}
        return replace(self, **changes)

    def summary(self) -> str:
        """The definition as one line of ids and codes, for the audit log (no personal data)."""
        parts = [
            f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in self.to_json().items()
            if k != "organisation_id"
        ]
        return " ".join(parts) if parts else "everyone"


Running = Collection[str] | None  # the channels this deployment runs (None: any)


def best_channel(running: Running) -> ColumnElement[str | None]:
    """The app a participant would get it on: the channel of their reachable address on a running
    channel, the most recently used first (as handlers/outbox/recipients.py `best_address`)."""
    query = select(Address.channel).where(
        Address.participant_id == Participant.id, Address.blocked_at.is_(None)
    )
    if running is not None:
        query = query.where(Address.channel.in_(list(running)))
    return (
        query.order_by(
            case((Address.last_inbound_at.is_(None), 1), else_=0),
            func.coalesce(Address.last_inbound_at, Address.created_at).desc(),
            Address.id.desc(),
        )
        .limit(1)
        .scalar_subquery()
    )


def _interest(code: str) -> ColumnElement[bool]:
    # Interests are a JSON list of plain codes: the code in quotes is one element of it.
    return cast(Participant.interests, String).like(f'%"{code}"%')


def matching(audience: Audience, running: Running) -> ColumnElement[bool]:
    """The participants the filters choose, whatever their status."""
    clauses: list[ColumnElement[bool]] = [Participant.organisation_id == audience.organisation_id]
    if audience.categories:
        clauses.append(Participant.category.in_(audience.categories))
    if audience.city_keys:
        clauses.append(Participant.city_key.in_(audience.city_keys))
    if audience.provinces:
        clauses.append(Participant.province.in_(audience.provinces))
    if audience.program_ids:
        clauses.append(
            exists(
                select(Membership.id)
                .join(Program, Program.id == Membership.program_id)
                .where(
                    Membership.participant_id == Participant.id,
                    Membership.program_id.in_(audience.program_ids),
                    Program.organisation_id == audience.organisation_id,
                )
            )
        )
    if audience.session_ids:
        clauses.append(
            exists(
                select(Enrolment.id)
                .join(ProgramSession, ProgramSession.id == Enrolment.session_id)
                .join(Program, Program.id == ProgramSession.program_id)
                .where(
                    Enrolment.participant_id == Participant.id,
                    Enrolment.session_id.in_(audience.session_ids),
                    Enrolment.status != EnrolmentStatus.WITHDRAWN,
                    Program.organisation_id == audience.organisation_id,
                )
            )
        )
    if audience.interests:
        clauses.append(or_(*(_interest(code) for code in audience.interests)))
    if audience.languages:
        clauses.append(Participant.language.in_(audience.languages))
    if audience.unresponsive:
        clauses.append(unresponsive_clause())
    if audience.channels:
        chosen = [c for c in audience.channels if running is None or c in running]
        # Their app now, or, with none reachable, any chat on it (so they count as left out).
        any_chat = exists(
            select(Address.id).where(
                Address.participant_id == Participant.id, Address.channel.in_(audience.channels)
            )
        )
        channel = best_channel(running)
        clauses.append(
            or_(channel.in_(chosen) if chosen else false(), and_(channel.is_(None), any_chat))
        )
    return and_(*clauses)


def reason() -> ColumnElement[str | None]:
    """Why a matching participant is left out (None: a recipient), given `best_channel`."""
    return case(
        (Participant.status == ParticipantStatus.STOPPED, LeftOut.STOPPED),
        (Participant.status == ParticipantStatus.ERASED, LeftOut.ERASED),
        (Participant.status == ParticipantStatus.UNREACHABLE, LeftOut.UNREACHABLE),
        (Participant.status != ParticipantStatus.ACTIVE, LeftOut.NO_CHAT),
        else_=None,
    )


@dataclass(frozen=True)
class Count:
    """The preview's figures: recipients per channel and those left out by reason."""

    per_channel: dict[str, int]
    left_out: dict[str, int]

    @property
    def recipients(self) -> int:
        return sum(self.per_channel.values())

    @property
    def left_out_total(self) -> int:
        return sum(self.left_out.values())


async def count(tx: AsyncSession, audience: Audience, running: Running) -> Count:
    """One grouped query, whatever the audience's size."""
    channel = best_channel(running).label("channel")
    why = reason().label("why")
    inner = select(channel, why).where(matching(audience, running)).subquery()
    rows = (
        await tx.execute(
            select(inner.c.channel, inner.c.why, func.count()).group_by(
                inner.c.channel, inner.c.why
            )
        )
    ).all()
    per_channel: dict[str, int] = {}
    left_out: dict[str, int] = {}
    for app, why_not, n in rows:
        if why_not is None and app is None:
            why_not = LeftOut.UNREACHABLE  # active, but no chat we can write to
        if why_not is None:
            per_channel[app] = per_channel.get(app, 0) + n
        else:
            left_out[why_not] = left_out.get(why_not, 0) + n
    return Count(per_channel, left_out)


def recipients_clause(audience: Audience, running: Running) -> ColumnElement[bool]:
    return and_(
        matching(audience, running),
        Participant.status == ParticipantStatus.ACTIVE,
        best_channel(running).is_not(None),
    )


@dataclass(frozen=True)
class Page:
    """One page of recipients, taken from the next `limit` active participants of the
    organisation by id (the costly filters run on those only): `last` is the last id looked at
    (the cursor), `exhausted` says there are none after it."""

    recipients: list[tuple[int, str]]  # (participant id, time zone)
    last: int | None
    exhausted: bool


async def recipient_page(
    tx: AsyncSession,
    audience: Audience,
    running: Running,
    *,
    after: int,
    limit: int,
) -> Page:
    """The recipients among the next `limit` active participants after id `after`."""
    candidates = list(
        (
            await tx.execute(
                select(Participant.id)
                .where(
                    Participant.organisation_id == audience.organisation_id,
                    Participant.status == ParticipantStatus.ACTIVE,
                    Participant.id > after,
                )
                .order_by(Participant.id)
                .limit(limit)
            )
        ).scalars()
    )
    if not candidates:
        return Page([], None, True)
    query = (
        select(Participant.id, Participant.timezone)
        .where(Participant.id.in_(candidates), recipients_clause(audience, running))
        .order_by(Participant.id)
    )
    found = [(pid, zone) for pid, zone in (await tx.execute(query)).tuples()]
    return Page(found, candidates[-1], len(candidates) < limit)


async def discreet_recipients(tx: AsyncSession, audience: Audience, running: Running) -> int:
    """How many recipients chose discreet mode (the preview warns when the text names an
    institution)."""
    query = select(func.count(Participant.id)).where(
        recipients_clause(audience, running), Participant.discreet.is_(True)
    )
    return (await tx.execute(query)).scalar_one()


async def variants(
    tx: AsyncSession, audience: Audience, running: Running
) -> list[tuple[str, str, bool, int]]:
    """Each kind of recipient the preview shows the message for: (channel, language, discreet,
    how many), most first."""
    channel = best_channel(running).label("channel")
    inner = (
        select(channel, Participant.language, Participant.discreet)
        .where(recipients_clause(audience, running))
        .subquery()
    )
    query = select(inner.c.channel, inner.c.language, inner.c.discreet, func.count()).group_by(
        inner.c.channel, inner.c.language, inner.c.discreet
    )
    rows = [(c, lang, bool(d), n) for c, lang, d, n in (await tx.execute(query)).tuples()]
    return sorted(rows, key=lambda r: (-r[3], r[0], r[1], r[2]))
