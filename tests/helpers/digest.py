"""Set-up for digest tests: organisations, staff members with a chat, their people, sessions
with answers and attendance, all made straight in the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from handlers.digest.planning import plan_digests
from storage.db import Database
from storage.models import (
    Address,
    Enrolment,
    Organisation,
    Participant,
    Program,
    ProgramSession,
    ScheduledMessage,
    Staff,
)
from tests.helpers.participants import add_participant

ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


async def add_org(db: Database, name: str) -> int:
    async with db.transaction() as tx:
        organisation = Organisation(name=name, kind="bapas", timezone="Asia/Jakarta")
        tx.add(organisation)
        await tx.flush()
        return organisation.id


async def add_staff(
    db: Database,
    organisation_id: int,
    name: str,
    *,
    address: str,
    channel: str = "telegram",
    role: str = "caseworker",
    zone: str = "WIB",
    wrote_at: datetime | None = None,
) -> int:
    """A staff member with one chat on `channel` (who last wrote at `wrote_at`)."""
    async with db.transaction() as tx:
        staff = Staff(organisation_id=organisation_id, role=role, name=name, timezone=ZONES[zone])
        tx.add(staff)
        await tx.flush()
        tx.add(Address(staff_id=staff.id, channel=channel, value=address, last_inbound_at=wrote_at))
        return staff.id


async def add_person(
    db: Database,
    name: str,
    organisation_id: int,
    caseworker_id: int | None,
    *,
    now: datetime,
    status: str = "active",
    release: date | None = None,
) -> int:
    pid = await add_participant(db, name, now=now)
    async with db.transaction() as tx:
        participant = await tx.get(Participant, pid)
        assert participant is not None
        participant.organisation_id = organisation_id
        participant.caseworker_id = caseworker_id
        participant.status = status
        participant.release_date = release
    return pid


async def session(
    db: Database, organisation_id: int, title: str, starts_at: datetime, program: str = "Las"
) -> int:
    async with db.transaction() as tx:
        found = (
            await tx.execute(
                select(Program).where(
                    Program.organisation_id == organisation_id, Program.name == program
                )
            )
        ).scalar_one_or_none()
        if found is None:
            found = Program(organisation_id=organisation_id, name=program, kind="job_training")
            tx.add(found)
            await tx.flush()
        event = ProgramSession(
            program_id=found.id, title=title, starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2), timezone="Asia/Jakarta",
            place="BLK Pekalongan", status="scheduled",
        )  # fmt: skip
        tx.add(event)
        await tx.flush()
        return event.id


async def seat(
    db: Database,
    pid: int,
    session_id: int,
    *,
    rsvp: str | None = None,
    attendance: str | None = None,
    at: datetime | None = None,
) -> int:
    async with db.transaction() as tx:
        enrolment = Enrolment(
            participant_id=pid, session_id=session_id, rsvp=rsvp, rsvp_at=at,
            attendance=attendance, attendance_at=at if attendance else None,
        )  # fmt: skip
        tx.add(enrolment)
        await tx.flush()
        return enrolment.id


async def plan(db: Database, now: datetime) -> int:
    async with db.transaction() as tx:
        return await plan_digests(tx, now)


async def digest_rows(db: Database) -> list[ScheduledMessage]:
    async with db.transaction() as tx:
        query = (
            select(ScheduledMessage)
            .where(ScheduledMessage.kind == "digest")
            .order_by(ScheduledMessage.due_at, ScheduledMessage.id)
        )
        return list((await tx.execute(query)).scalars())


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]
