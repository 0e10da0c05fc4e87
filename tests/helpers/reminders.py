"""Shared set-up for reminder tests: organisations, programs, sessions and signed-up people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.inbox import Inbox
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.limits import ChannelLimits, Limiters
from handlers.reminders.planning import enrol
from handlers.reminders.rules import ReminderPolicy
from storage.db import Database
from storage.models import Organisation, Participant, Program, ProgramSession, ScheduledMessage
from tests.fakes.channel import CollectingChannel, Person

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 09.00 WIB, 11.00 WIT


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


async def register(person: Person, city: str, *, discreet: bool = False) -> None:
    """A full sign-up typed by `person`, living in `city`."""
    name = "ya" if person.profile_name else "Sari Dewi"  # confirm the profile name, or type one
    for text in ("halo", "setuju", name, "remaja", city, "ya", "lewati", "pelatihan", "pagi"):
        await person.says(text)
    await person.says("ya" if discreet else "tidak")
    await person.says("benar")


async def make_session(
    db: Database,
    *,
    starts_local: datetime,
    title: str = "Pelatihan Las Dasar",
    place: str = "BLK Pekalongan, Jl. Sriwijaya 44",
    program_kind: str = "job_training",
    org_name: str = "Rutan Kelas IIA Pekalongan",
    capacity: int | None = None,
    open_: bool = False,
    city_key: str | None = None,
    offsets: list[int] | None = None,
) -> int:
    async with db.transaction() as tx:
        org = (
            await tx.execute(select(Organisation).where(Organisation.name == org_name))
        ).scalar_one_or_none()
        if org is None:
            org = Organisation(name=org_name, kind="rutan", timezone="Asia/Jakarta")
            tx.add(org)
            await tx.flush()
        program = Program(
            organisation_id=org.id, name=f"{title} ({program_kind})", kind=program_kind
        )
        tx.add(program)
        await tx.flush()
        event = ProgramSession(
            program_id=program.id,
            title=title,
            starts_at=starts_local.astimezone(UTC),
            ends_at=(starts_local + timedelta(hours=3)).astimezone(UTC),
            timezone=str(starts_local.tzinfo),
            place=place,
            bring="KTP dan alat tulis",
            contact="Bu Rina 0812-1111-2222",
            capacity=capacity,
            open=open_,
            city_key=city_key,
            reminder_offsets=offsets,
            status="scheduled",
        )
        tx.add(event)
        await tx.flush()
        return event.id


WEDNESDAY_9_WIB = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


async def siti_enrolled(db: Database, inbox: Inbox, channel: CollectingChannel) -> int:
    """Siti of Kota Pekalongan, enrolled (no confirmation) in a session on Wednesday 09.00 WIB;
    returns the session id, with the channel's record of sign-up messages cleared."""
    await register(Person(inbox, channel, address="11"), "kota pekalongan")
    sid = await make_session(db, starts_local=WEDNESDAY_9_WIB.astimezone(ZoneInfo("Asia/Jakarta")))
    await enrol_person(db, await participant_id(db, "11"), sid, NOW, confirm=False)
    channel.sent.clear()
    return sid


async def participant_id(db: Database, address: str) -> int:
    from storage.models import Address

    async with db.transaction() as tx:
        found = (await tx.execute(select(Address).where(Address.value == address))).scalar_one()
        assert found.participant_id is not None
        return found.participant_id


async def enrol_person(
    db: Database, pid: int, session_id: int, now: datetime, *, confirm: bool = True
) -> str:
    async with db.transaction() as tx:
        participant = await tx.get(Participant, pid)
        event = await tx.get(ProgramSession, session_id)
        assert participant is not None and event is not None
        result = await enrol(tx, participant, event, now, ReminderPolicy(), confirm=confirm)
        return result.enrolment.status


async def outbox(db: Database) -> list[ScheduledMessage]:
    async with db.transaction() as tx:
        return list(
            (await tx.execute(select(ScheduledMessage).order_by(ScheduledMessage.id))).scalars()
        )


def dispatcher(
    db: Database, channel: CollectingChannel, clock: Clock, **kwargs: object
) -> Dispatcher:
    limiters = Limiters(unlisted=ChannelLimits(per_second=10_000, per_chat_interval=0))
    return Dispatcher(
        db, {channel.name: channel}, ReminderPolicy(), limiters=limiters, clock=clock, **kwargs
    )  # type: ignore[arg-type]


def local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))  # type: ignore[misc]
