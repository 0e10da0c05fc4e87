"""Shared set-up for check-in tests: signed-up people, their dates, planning, the outbox rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from bot.inbox import Inbox
from handlers.checkins.planning import plan_all_checkins, plan_checkins
from handlers.reminders.rules import QuietHours, ReminderPolicy
from storage.checkins.answers import checkins_of, needs_of
from storage.db import Database
from storage.models import Checkin, Flag, Participant, ScheduledMessage
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.reminders import participant_id, register

POLICY = ReminderPolicy()  # quiet hours 21.00-06.00


async def signed_up(
    inbox: Inbox, channel: CollectingChannel, address: str, city: str = "kota ambon"
) -> tuple[Person, int]:
    """Someone in `city` who chose mornings ("pagi") at sign-up; the channel's record cleared."""
    person = Person(inbox, channel, address=address, profile_name="Yusuf Latuconsina")
    await register(person, city)
    channel.sent.clear()
    return person, await participant_id(inbox.db, address)


async def update(db: Database, pid: int, **values: object) -> None:
    async with db.transaction() as tx:
        participant = await tx.get(Participant, pid)
        assert participant is not None
        for name, value in values.items():
            setattr(participant, name, value)


async def plan(db: Database, pid: int, now: datetime, quiet: QuietHours | None = None) -> int:
    policy = ReminderPolicy(quiet=quiet) if quiet is not None else POLICY
    async with db.transaction() as tx:
        participant = await tx.get(Participant, pid)
        assert participant is not None
        return await plan_checkins(tx, participant, now, policy)


async def plan_everyone(db: Database, now: datetime) -> int:
    async with db.transaction() as tx:
        return await plan_all_checkins(tx, now, POLICY)


async def rows(db: Database, kind: str = "checkin") -> list[ScheduledMessage]:
    async with db.transaction() as tx:
        query = select(ScheduledMessage).where(ScheduledMessage.kind == kind)
        return list((await tx.execute(query.order_by(ScheduledMessage.due_at))).scalars())


async def checkins(db: Database, pid: int) -> list[Checkin]:
    async with db.transaction() as tx:
        return await checkins_of(tx, pid)


async def needs(db: Database, checkin_id: int) -> list[str]:
    async with db.transaction() as tx:
        return await needs_of(tx, checkin_id)


async def flags(db: Database, pid: int) -> list[tuple[str, bool, int | None]]:
    """(reason, urgent, check-in id) of each flag of the participant, oldest first."""
    async with db.transaction() as tx:
        query = select(Flag).where(Flag.participant_id == pid).order_by(Flag.id)
        return [(f.reason, f.urgent, f.checkin_id) for f in (await tx.execute(query)).scalars()]


def on(day: date) -> str:
    return day.isoformat()
