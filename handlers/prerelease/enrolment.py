"""Staff register a person before release: the participant (status preregistered), the programs
and sessions planned for them, and the code they claim from their own chat on release day.

Nothing is sent to them and no reminder is planned before they consent: what staff typed is the
program's own record until then (name, group, city, release date, caseworker, plans).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.participants.labels import CATEGORIES, DISCREET_BY_DEFAULT
from handlers.participants.names import valid_name
from handlers.prerelease.invites import PRERELEASE_GRACE, make_invite
from handlers.programs.changes import enrol_in_program, withdraw
from handlers.regions import search as regions
from handlers.reminders.planning import enrol
from handlers.reminders.rules import ReminderPolicy
from handlers.staff.audit import AuditAction, audit
from handlers.staff.scope import StaffView
from storage.erasure import erase_participant
from storage.models import (
    Invite,
    InviteKind,
    Organisation,
    Participant,
    ParticipantStatus,
    Program,
    ProgramSession,
    SessionStatus,
    Staff,
    StaffStatus,
)
from storage.programs import upcoming_enrolments
from storage.staff.invites import invites_for


class PreregisterError(ValueError):
    """What staff typed cannot be registered; the message says what to do instead."""


@dataclass(frozen=True)
class Preregistered:
    participant_id: int
    invite_id: int
    code: str  # shown once: only its hash is stored
    expires_at: datetime


def code_expiry(release_date: date) -> datetime:
    """The end of the grace period after the release day (UTC midnight)."""
    return datetime.combine(release_date + PRERELEASE_GRACE, time(0, 0), tzinfo=UTC)


async def preregister(
    tx: AsyncSession,
    *,
    organisation: Organisation,
    name: str,
    category: str,
    release_date: date,
    now: datetime,
    policy: ReminderPolicy,
    caseworker_id: int | None = None,
    city: str | None = None,
    programs: list[Program] | None = None,
    sessions: list[ProgramSession] | None = None,
    by: StaffView | None = None,
    channel: str = "cli",
) -> Preregistered:
    """The participant, their planned programs and sessions, a PRERELEASE code and an audit row."""
    clean = valid_name(name)
    if clean is None:
        raise PreregisterError(f"{name!r} is not a name; give the person's name, e.g. 'Budi'")
    if category not in CATEGORIES:
        raise PreregisterError(f"category must be one of {', '.join(CATEGORIES)}")
    expires_at = code_expiry(release_date)
    if expires_at <= now:
        raise PreregisterError(
            f"the release date {release_date} is more than {PRERELEASE_GRACE.days} days ago; "
            "the person can sign up in the bot themselves"
        )
    if caseworker_id is not None:
        await _check_caseworker(tx, caseworker_id, organisation.id)
    person = Participant(
        status=ParticipantStatus.PREREGISTERED,
        name=clean,
        category=category,
        discreet=category in DISCREET_BY_DEFAULT,
        timezone=organisation.timezone,
        language="id",
        interests=[],
        organisation_id=organisation.id,
        caseworker_id=caseworker_id,
        release_date=release_date,
        created_at=now,
        updated_at=now,
    )
    if city:
        _set_city(person, city)
    tx.add(person)
    await tx.flush()
    for program in programs or []:
        if program.organisation_id != organisation.id:
            raise PreregisterError(f"program {program.id} is not {organisation.name}'s")
        await enrol_in_program(tx, person, program, now, policy)  # seats; no messages yet
    for event in sessions or []:
        if event.program.organisation_id != organisation.id:
            raise PreregisterError(f"session {event.id} is not one of {organisation.name}'s")
        if event.status == SessionStatus.CANCELLED or event.starts_at <= now:
            raise PreregisterError(f"session {event.id} is cancelled or has begun")
        await enrol(tx, person, event, now, policy, confirm=False)
    return await _with_code(
        tx, person, organisation.id, expires_at, by, channel, now, AuditAction.PRERELEASE, ""
    )


def _set_city(person: Participant, typed: str) -> None:
    found = regions.match_regencies(typed)
    if len(found) != 1:
        options = found or regions.suggest_regencies(typed)
        hint = "; one of: " + ", ".join(f"'{r.label()}'" for r in options) if options else ""
        raise PreregisterError(f"{typed!r} does not name one kota/kabupaten{hint}")
    regency = found[0]
    person.city = regency.label("id")
    person.city_key = regency.key
    person.province = regency.province
    person.timezone = regions.province(regency.province).timezone


async def _check_caseworker(tx: AsyncSession, staff_id: int, organisation_id: int) -> None:
    staff = await tx.get(Staff, staff_id)
    if (
        staff is None
        or staff.organisation_id != organisation_id
        or staff.status != StaffStatus.ACTIVE
    ):
        raise PreregisterError(
            f"there is no active staff member {staff_id} in this organisation; "
            "see `pendamping staff list`"
        )


@dataclass(frozen=True)
class Waiting:
    """A person registered before release who has not claimed their code."""

    participant_id: int
    name: str | None
    organisation_id: int | None
    caseworker_id: int | None
    release_date: date | None
    code_expires_at: datetime | None  # the newest code's; None: none was made
    code_usable: bool
    code_used: bool  # claimed by a sign-up that was then cancelled: a new code is needed


async def waiting_for_release(
    tx: AsyncSession, now: datetime, organisation_id: int | None = None
) -> list[Waiting]:
    """Who has not claimed their code yet, by release date."""
    query = select(Participant).where(Participant.status == ParticipantStatus.PREREGISTERED)
    if organisation_id is not None:
        query = query.where(Participant.organisation_id == organisation_id)
    people = list(
        (await tx.execute(query.order_by(Participant.release_date, Participant.id))).scalars()
    )
    invites = await invites_for(tx, [p.id for p in people], InviteKind.PRERELEASE)
    newest: dict[int | None, Invite] = {}
    for invite in invites:
        newest.setdefault(invite.participant_id, invite)
    found = []
    for person in people:
        found_invite = newest.get(person.id)
        usable = (
            found_invite is not None
            and found_invite.used_at is None
            and found_invite.revoked_at is None
            and found_invite.expires_at > now
        )
        found.append(
            Waiting(
                person.id,
                person.name,
                person.organisation_id,
                person.caseworker_id,
                person.release_date,
                found_invite.expires_at if found_invite is not None else None,
                usable,
                found_invite is not None and found_invite.used_at is not None,
            )
        )
    return found


async def remove_preregistered(
    tx: AsyncSession,
    participant: Participant,
    now: datetime,
    policy: ReminderPolicy,
    *,
    by: StaffView | None = None,
    channel: str = "cli",
) -> None:
    """A person registered before release who will not claim their code (not released, moved
    away): their seats go to others, their code stops working, what staff typed is erased (the
    anonymous rest stays, as after any erasure, so the audit log still points somewhere)."""
    if participant.status != ParticipantStatus.PREREGISTERED:
        raise PreregisterError(
            f"participant {participant.id} is {participant.status}, not waiting to claim a code; "
            "they erase their own data with /hapus"
        )
    for enrolment in await upcoming_enrolments(tx, participant.id, now):
        await withdraw(tx, enrolment, now, policy)
    for invite in await invites_for(tx, [participant.id], InviteKind.PRERELEASE):
        if invite.used_at is None and invite.revoked_at is None:
            invite.revoked_at = now
    await erase_participant(tx, participant, now)
    await audit(
        tx,
        staff=by,
        action=AuditAction.PRERELEASE,
        channel=channel,
        now=now,
        participant_id=participant.id,
        organisation_id=participant.organisation_id,
        detail="removed before claiming",
    )


async def was_preregistered(tx: AsyncSession, participant: Participant) -> bool:
    """Whether this participant was registered by staff before release (and claimed a code)."""
    return bool(await invites_for(tx, [participant.id], InviteKind.PRERELEASE))


async def new_code(
    tx: AsyncSession,
    participant: Participant,
    now: datetime,
    *,
    by: StaffView | None = None,
    channel: str = "cli",
) -> Preregistered:
    """A fresh code for someone still waiting to claim one (theirs was lost, expired, or used by
    a sign-up they cancelled); the old unused codes stop working."""
    if participant.status != ParticipantStatus.PREREGISTERED or participant.organisation_id is None:
        raise PreregisterError(
            f"participant {participant.id} is {participant.status}, not waiting to claim a code"
        )
    for old in await invites_for(tx, [participant.id], InviteKind.PRERELEASE):
        if old.used_at is None and old.revoked_at is None:
            old.revoked_at = now
    release = participant.release_date
    expires_at = code_expiry(release) if release is not None else now
    expires_at = max(expires_at, now + PRERELEASE_GRACE)
    return await _with_code(
        tx,
        participant,
        participant.organisation_id,
        expires_at,
        by,
        channel,
        now,
        AuditAction.INVITE,
        " (a new code)",
    )


async def _with_code(
    tx: AsyncSession,
    participant: Participant,
    organisation_id: int,
    expires_at: datetime,
    by: StaffView | None,
    channel: str,
    now: datetime,
    action: AuditAction,
    note: str,
) -> Preregistered:
    """A pre-release code for `participant`, audited (`action`, with `note` in the detail)."""
    invite, code = await make_invite(
        tx,
        kind=InviteKind.PRERELEASE,
        organisation_id=organisation_id,
        participant_id=participant.id,
        expires_at=expires_at,
        created_by=by.staff_id if by is not None else None,
        now=now,
    )
    detail = (
        f"invite {invite.id}"
        if action == AuditAction.PRERELEASE
        else f"prerelease invite {invite.id}"
    )
    await audit(
        tx,
        staff=by,
        action=action,
        channel=channel,
        now=now,
        participant_id=participant.id,
        organisation_id=organisation_id,
        detail=detail + note,
    )
    return Preregistered(participant.id, invite.id, code, expires_at)
