"""For the broadcast tests: organisations, programs, sessions and participants with chats made
straight in the database, and the outbox rows a broadcast wrote."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage.db import Database
from storage.models import (
    Address,
    Checkin,
    CheckinStatus,
    Enrolment,
    EnrolmentStatus,
    Membership,
    Organisation,
    Participant,
    ParticipantStatus,
    Program,
    ProgramSession,
    ScheduledMessage,
)

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09:00 WIB on a Tuesday
_values = itertools.count(500_000)


async def add_org(db: Database, name: str) -> int:
    async with db.transaction() as tx:
        org = Organisation(name=name, kind="bapas", timezone="Asia/Jakarta", created_at=NOW)
        tx.add(org)
        await tx.flush()
        return org.id


async def add_program(db: Database, organisation_id: int, name: str = "Las") -> int:
    async with db.transaction() as tx:
        program = Program(
            organisation_id=organisation_id, name=name, kind="job_training", created_at=NOW
        )
        tx.add(program)
        await tx.flush()
        return program.id


async def add_session(db: Database, program_id: int, starts_at: datetime | None = None) -> int:
    starts_at = starts_at or NOW + timedelta(days=3)
    async with db.transaction() as tx:
        session = ProgramSession(
            program_id=program_id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            timezone="Asia/Jakarta",
            place="Aula",
        )
        tx.add(session)
        await tx.flush()
        return session.id


@dataclass
class Person:
    """What a test participant is like; every field has an ordinary default."""

    organisation_id: int | None
    status: str = ParticipantStatus.ACTIVE
    category: str = "former_inmate"
    city_key: str = "kota jakarta selatan"
    province: str = "DKI Jakarta"
    timezone: str = "Asia/Jakarta"
    language: str = "id"
    discreet: bool = False
    interests: list[str] = field(default_factory=list)
    chats: tuple[str, ...] = ("telegram",)  # one address per channel
    blocked: bool = False
    programs: tuple[int, ...] = ()
    sessions: tuple[int, ...] = ()
    expired_checkins: int = 0


async def add_person(db: Database, person: Person) -> int:
    async with db.transaction() as tx:
        participant = Participant(
            status=person.status,
            name="Peserta",
            category=person.category,
            city_key=person.city_key,
            province=person.province,
            timezone=person.timezone,
            language=person.language,
            discreet=person.discreet,
            interests=list(person.interests),
            organisation_id=person.organisation_id,
            created_at=NOW,
            updated_at=NOW,
        )
        tx.add(participant)
        await tx.flush()
        for channel in person.chats:
            tx.add(
                Address(
                    participant_id=participant.id,
                    channel=channel,
                    value=str(next(_values)),
                    last_inbound_at=NOW - timedelta(hours=1),
                    blocked_at=NOW if person.blocked else None,
                    created_at=NOW,
                )
            )
        for program_id in person.programs:
            tx.add(Membership(participant_id=participant.id, program_id=program_id, created_at=NOW))
        for session_id in person.sessions:
            tx.add(
                Enrolment(
                    participant_id=participant.id,
                    session_id=session_id,
                    status=EnrolmentStatus.ENROLLED,
                    created_at=NOW,
                )
            )
        for n in range(person.expired_checkins):
            tx.add(
                Checkin(
                    participant_id=participant.id,
                    status=CheckinStatus.EXPIRED,
                    started_at=NOW - timedelta(days=30 - n),
                )
            )
        return participant.id


async def broadcast_rows(db: Database, broadcast_id: int) -> list[ScheduledMessage]:
    async with db.transaction() as tx:
        query = (
            select(ScheduledMessage)
            .where(ScheduledMessage.broadcast_id == broadcast_id)
            .order_by(ScheduledMessage.participant_id)
        )
        return list((await tx.execute(query)).scalars())
