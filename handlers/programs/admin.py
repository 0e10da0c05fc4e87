"""What the admin commands do to organisations, programs, sessions, enrolments and appointments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.programs.changes import add_session, enrol_in_program, mark_attendance
from handlers.programs.csv_import import SessionKey, SessionRow, session_key
from handlers.programs.values import (
    InputError,
    ProgramRef,
    checked_text,
    local_label,
    program_problem,
    programs_named,
)
from handlers.reminders.rules import ReminderPolicy
from storage.models import (
    Enrolment,
    EnrolmentStatus,
    Membership,
    Organisation,
    Participant,
    ParticipantStatus,
    Program,
    ProgramSession,
    SessionStatus,
)
from storage.outbox import cancel_pending
from storage.programs import enrolment_of

ORG_KINDS = ("rutan", "lapas", "lpka", "bapas", "pemkot", "pemkab", "dinas", "polres", "lsm")
PROGRAM_KINDS: dict[str, tuple[str, ...]] = {  # code -> the Indonesian words staff may type
    "job_training": ("pelatihan_kerja", "pelatihan"),
    "counselling": ("konseling",),
    "legal": ("penyuluhan_hukum", "hukum"),
    "schooling": ("pendidikan_kesetaraan", "paket"),
    "economic": ("pemberdayaan_ekonomi", "umkm"),
    "reporting": ("wajib_lapor",),
    "other": ("lainnya",),
}
APPOINTMENT_KINDS = {
    w: code for code in ("counselling", "reporting") for w in (code, *PROGRAM_KINDS[code])
}


class Refused(Exception):
    """An action that cannot be done on the data as it is; the message says why and what to do."""


def program_kind(text: str) -> str:
    """A program kind code from the code or its Indonesian word ("pelatihan" -> "job_training")."""
    value = "_".join(text.strip().casefold().replace("-", " ").split())
    for code, words in PROGRAM_KINDS.items():
        if value == code or value in words:
            return code
    accepted = ", ".join(f"{code} ({'/'.join(words)})" for code, words in PROGRAM_KINDS.items())
    raise InputError(f"{text!r} is not a program kind; use one of {accepted}")


# --- organisations and programs -----------------------------------------------------------------


def _name(text: str) -> str:
    name = checked_text(text, "--name", 120)
    if name is None or name.isdigit():
        raise InputError("--name must be a name, not empty and not only digits (those are ids)")
    return name


CONTACT_MAX = 120


async def add_organisation(
    tx: AsyncSession,
    name: str,
    kind: str,
    timezone: str,
    now: datetime,
    contact: str | None = None,
) -> Organisation:
    name = _name(name)
    if (same := await _org_named(tx, name)) is not None:
        raise Refused(f"organisation {same.id} is already called {same.name!r}")
    org = Organisation(
        name=name, kind=kind, timezone=timezone, contact=parse_contact(contact), created_at=now
    )
    tx.add(org)
    await tx.flush()
    return org


def parse_contact(text: str | None) -> str | None:
    """How participants reach the organisation: a phone number or a link (wa.me/...), one line."""
    if text is None:
        return None
    value = " ".join(text.split())
    if not value:
        return None
    if len(value) > CONTACT_MAX or not any(ch.isdigit() for ch in value):
        raise Refused(
            f"a contact must be a phone number or a WhatsApp link of at most {CONTACT_MAX} "
            "characters, e.g. '0812-3456-7890' or 'https://wa.me/6281234567890'"
        )
    return value


async def organisations(tx: AsyncSession) -> list[Organisation]:
    return list((await tx.execute(select(Organisation).order_by(Organisation.id))).scalars())


async def find_organisation(tx: AsyncSession, ref: str) -> Organisation:
    """By id or by name (case aside)."""
    value = " ".join(ref.split())
    if value.isdigit():
        found = await tx.get(Organisation, int(value))
    else:
        found = await _org_named(tx, value)
    if found is None:
        raise Refused(f"there is no organisation {ref!r}; see `pendamping orgs list`")
    return found


async def _org_named(tx: AsyncSession, name: str) -> Organisation | None:
    query = select(Organisation).where(func.lower(Organisation.name) == name.lower())
    return (await tx.execute(query)).scalar_one_or_none()


async def add_program(
    tx: AsyncSession,
    org: Organisation,
    name: str,
    kind: str,
    offsets: list[int] | None,
    now: datetime,
) -> Program:
    name = _name(name)
    if same := programs_named(name, await program_refs(tx, org.id)):
        raise Refused(f"{org.name} already has program {same[0].id} called {same[0].name!r}")
    program = Program(
        organisation_id=org.id, name=name, kind=kind, reminder_offsets=offsets, created_at=now
    )
    tx.add(program)
    await tx.flush()
    return program


async def program_refs(tx: AsyncSession, org_id: int | None = None) -> list[ProgramRef]:
    query = select(Program.id, Program.name).order_by(Program.id)
    if org_id is not None:
        query = query.where(Program.organisation_id == org_id)
    return [ProgramRef(id, name) for id, name in (await tx.execute(query)).all()]


async def find_program(tx: AsyncSession, ref: str) -> Program:
    """By id or exact name; a name two organisations use must be given as an id."""
    found = programs_named(ref, await program_refs(tx))
    if problem := program_problem(ref, found):
        raise Refused(problem)
    program = await tx.get(Program, found[0].id)
    assert program is not None
    return program


async def programs_overview(tx: AsyncSession, now: datetime) -> list[tuple[Program, int, int]]:
    """Each program with its number of members and of upcoming sessions."""
    members = select(func.count()).where(Membership.program_id == Program.id).scalar_subquery()
    upcoming = (
        select(func.count())
        .where(
            ProgramSession.program_id == Program.id,
            ProgramSession.starts_at > now,
            ProgramSession.status != SessionStatus.CANCELLED,
        )
        .scalar_subquery()
    )
    query = select(Program, members, upcoming).order_by(Program.id)
    return [(p, int(m), int(u)) for p, m, u in (await tx.execute(query)).all()]


# --- sessions -----------------------------------------------------------------------------------


async def existing_session_keys(tx: AsyncSession, now: datetime) -> dict[SessionKey, int]:
    """Every upcoming session (cancelled ones too), by what makes a duplicate."""
    query = select(
        ProgramSession.id, ProgramSession.program_id, ProgramSession.starts_at, ProgramSession.place
    ).where(ProgramSession.starts_at > now)
    rows = (await tx.execute(query)).all()
    return {session_key(program_id, start, place): id for id, program_id, start, place in rows}


async def add_sessions(
    tx: AsyncSession, rows: list[SessionRow], now: datetime, policy: ReminderPolicy
) -> list[tuple[ProgramSession, int]]:
    """Save valid rows (each enrols the program's members); returns (session, enrolled) pairs."""
    added = []
    existing = await existing_session_keys(tx, now)
    for row in rows:
        where = f"line {row.line}: " if row.line else ""
        if row.starts_at <= now:
            raise Refused(
                f"{where}the start, {local_label(row.starts_at, row.timezone)}, is in the past"
            )
        if (same := existing.get(row.key)) is not None:
            raise Refused(f"{where}session {same} already has this program, start and place")
        event = ProgramSession(
            program_id=row.program_id, title=row.title, starts_at=row.starts_at,
            ends_at=row.ends_at, timezone=row.timezone, place=row.place, map_url=row.map_url,
            bring=row.bring, capacity=row.capacity, contact=row.contact, city_key=row.city_key,
            open=row.open, reminder_offsets=row.offsets, status=SessionStatus.SCHEDULED,
            created_at=now, updated_at=now,
        )  # fmt: skip
        added.append((event, await add_session(tx, event, now, policy)))
        existing[row.key] = event.id
    return added


async def sessions_overview(
    tx: AsyncSession, now: datetime, program_id: int | None, include_past: bool
) -> list[tuple[ProgramSession, int, int]]:
    """Sessions (upcoming or running, unless `include_past`), each with enrolled and waitlisted."""
    query = select(ProgramSession).order_by(ProgramSession.starts_at, ProgramSession.id)
    if program_id is not None:
        query = query.where(ProgramSession.program_id == program_id)
    if not include_past:
        query = query.where(ProgramSession.ends_at > now)
    events = list((await tx.execute(query)).scalars())
    counts = (
        select(Enrolment.session_id, Enrolment.status, func.count())
        .where(Enrolment.session_id.in_([e.id for e in events]))
        .group_by(Enrolment.session_id, Enrolment.status)
    )
    seats = {(sid, status): int(n) for sid, status, n in (await tx.execute(counts)).all()}
    enrolled, waitlisted = EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED
    return [(e, seats.get((e.id, enrolled), 0), seats.get((e.id, waitlisted), 0)) for e in events]


async def find_session(
    tx: AsyncSession, session_id: int, *, upcoming_at: datetime | None = None
) -> ProgramSession:
    """A session by id; with `upcoming_at`, only one not cancelled that has not started by then."""
    event = await tx.get(ProgramSession, session_id)
    if event is None:
        raise Refused(f"there is no session {session_id}; see `pendamping sessions list --all`")
    if upcoming_at is not None and event.status == SessionStatus.CANCELLED:
        raise Refused(f"session {session_id} is cancelled")
    if upcoming_at is not None and event.starts_at <= upcoming_at:
        when = local_label(event.starts_at, event.timezone)
        raise Refused(f"session {session_id} started at {when}; it can no longer be changed")
    return event


async def session_roster(tx: AsyncSession, session_id: int) -> list[tuple[Enrolment, Participant]]:
    """Who is in a session, with their answers to reminders and their attendance, in join order."""
    query = (
        select(Enrolment, Participant)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .where(Enrolment.session_id == session_id)
        .order_by(Enrolment.id)
    )
    return [(enrolment, participant) for enrolment, participant in (await tx.execute(query)).all()]


# --- participants: enrolment and attendance -----------------------------------------------------


async def find_participant(tx: AsyncSession, participant_id: int) -> Participant:
    """A participant who can be enrolled: signed up, not erased."""
    participant = await tx.get(Participant, participant_id)
    if participant is None:
        raise Refused(
            f"there is no participant {participant_id}; see `pendamping participants export`"
        )
    if participant.status == ParticipantStatus.ERASED:
        raise Refused(f"participant {participant_id} erased their data and cannot be enrolled")
    if participant.status == ParticipantStatus.REGISTERING:
        raise Refused(f"participant {participant_id} has not finished signing up; enrol them after")
    return participant


@dataclass(frozen=True)
class Joined:
    was_member: bool
    enrolled: int  # upcoming sessions with a seat
    waitlisted: int


async def join_program(
    tx: AsyncSession,
    participant: Participant,
    program: Program,
    now: datetime,
    policy: ReminderPolicy,
) -> Joined:
    member = select(Membership.id).where(
        Membership.participant_id == participant.id, Membership.program_id == program.id
    )
    was_member = (await tx.execute(member)).first() is not None
    await enrol_in_program(tx, participant, program, now, policy)
    query = (
        select(Enrolment.status, func.count())
        .join(ProgramSession, ProgramSession.id == Enrolment.session_id)
        .where(
            Enrolment.participant_id == participant.id,
            ProgramSession.program_id == program.id,
            ProgramSession.starts_at > now,
            ProgramSession.status != SessionStatus.CANCELLED,
        )
        .group_by(Enrolment.status)
    )
    counts = {status: int(n) for status, n in (await tx.execute(query)).all()}
    enrolled, waitlisted = EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED
    return Joined(was_member, counts.get(enrolled, 0), counts.get(waitlisted, 0))


async def mark_many(
    tx: AsyncSession,
    event: ProgramSession,
    participant_ids: list[int],
    attended: bool,
    now: datetime,
    policy: ReminderPolicy,
) -> None:
    """All or nothing: every participant must be enrolled; a missed session earns a follow-up."""
    if event.status == SessionStatus.CANCELLED:
        raise Refused(f"session {event.id} was cancelled; there is no attendance to take")
    if event.starts_at > now:
        when = local_label(event.starts_at, event.timezone)
        raise Refused(f"session {event.id} starts at {when}; take attendance once it has begun")
    missing = [p for p in participant_ids if await enrolment_of(tx, p, event.id) is None]
    if missing:
        ids = ", ".join(map(str, missing))
        raise Refused(
            f"not enrolled in session {event.id}: participant(s) {ids}; nothing was marked"
        )
    for participant_id in participant_ids:
        participant = await tx.get(Participant, participant_id)
        assert participant is not None
        await mark_attendance(tx, event, participant, attended, now, policy)
        if attended:  # a correction: the follow-up for "absent" must not go out
            await cancel_pending(tx, session_id=event.id, participant_id=participant_id)
