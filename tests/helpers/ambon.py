"""The Ambon story's world: an office in WIT whose caseworker and admin use WhatsApp, two people
released three days before today's check-in (one answers, one never does), and the hourly
planner and outbox run on a clock we set, through the real WhatsApp channel against the fake
Graph API the running bot uses too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.channels.whatsapp.channel import WhatsAppChannel, db_window
from bot.channels.whatsapp.client import GraphClient
from bot.channels.whatsapp.templates import load_catalogue
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.limits import Limiters
from handlers.checkins.planning import plan_all_checkins
from handlers.reminders.rules import ReminderPolicy
from storage import migrate
from storage.db import Database
from storage.models import Address, Organisation, Participant, ScheduledMessage, Staff
from tests.fakes.whatsapp import FakeGraphAPI
from tests.fakes.whatsapp.webhooks import WhatsAppUser
from tests.helpers.reminders import Clock

WIT = ZoneInfo("Asia/Jayapura")
YUSUF = WhatsAppUser(phone="6281234560101", name="Yusuf Latuconsina")  # answers, troubled
MARIA = WhatsAppUser(phone="6281234560102", name="Maria Pattikawa")  # never answers
BUDI = WhatsAppUser(phone="6281234569101", name="Budi Santoso")  # their caseworker
RINA = WhatsAppUser(phone="6281234569102", name="Rina Wattimena")  # the office's admin
LONG_SILENT = timedelta(hours=50)  # since everyone last wrote: every 24-hour window is closed
POLICY = ReminderPolicy()  # quiet hours 21.00-06.00


@dataclass(frozen=True)
class Ambon:
    org: int
    budi: int
    rina: int
    yusuf: int
    maria: int
    checkin_day: date  # the day of their day-3 check-in, in WIT: today or yesterday


def checkin_day(now: datetime) -> date:
    """The latest day whose 16.00 WIT is already past (so the whole story runs in order)."""
    return (now.astimezone(WIT) - timedelta(hours=16)).date()


def wit(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=WIT).astimezone(UTC)


async def seed(database_url: str, now: datetime) -> Ambon:
    db = Database(database_url)
    await migrate.upgrade(db)
    day = checkin_day(now)
    released = day - timedelta(days=3)
    silent = now - LONG_SILENT
    async with db.transaction() as tx:
        office = Organisation(
            name="Bapas Kelas II Ambon", kind="bapas", timezone="Asia/Jayapura",
            contact="0911-123456",
        )  # fmt: skip
        tx.add(office)
        await tx.flush()
        staff = {}
        for user, role in ((BUDI, "caseworker"), (RINA, "admin")):
            member = Staff(
                organisation_id=office.id, role=role, name=user.name, timezone="Asia/Jayapura"
            )
            tx.add(member)
            await tx.flush()
            tx.add(
                Address(
                    staff_id=member.id, channel="whatsapp", value=user.phone,
                    last_inbound_at=silent,
                )
            )  # fmt: skip
            staff[role] = member.id
        people = {}
        for user, when in ((YUSUF, "afternoon"), (MARIA, "morning")):
            person = Participant(
                status="active", name=user.name, category="dewasa", city="Kota Ambon",
                province="Maluku", timezone="Asia/Jayapura", language="id", interests=[],
                contact_time=when, consent_at=now - timedelta(days=20),
                registered_at=now - timedelta(days=20), release_date=released,
                organisation_id=office.id, caseworker_id=staff["caseworker"],
            )  # fmt: skip
            tx.add(person)
            await tx.flush()
            tx.add(
                Address(
                    participant_id=person.id, channel="whatsapp", value=user.phone,
                    last_inbound_at=silent,
                )
            )  # fmt: skip
            people[when] = person.id
    await db.dispose()
    return Ambon(
        office.id, staff["caseworker"], staff["admin"], people["afternoon"], people["morning"], day
    )


@asynccontextmanager
async def outbox_on_a_clock(
    database_url: str, fake: FakeGraphAPI, clock: Clock
) -> AsyncIterator[Dispatcher]:
    """The outbox's dispatcher on `clock`, sending through the real WhatsApp channel."""
    db = Database(database_url)
    client = GraphClient(fake.api_url, fake.phone_number_id, fake.token, backoff=0.01)
    channel = WhatsAppChannel(client, load_catalogue(None), db_window(db))
    try:  # WhatsApp's own limits, as the bot keeps them
        yield Dispatcher(db, {"whatsapp": channel}, POLICY, limiters=Limiters(), clock=clock)
    finally:
        await client.aclose()
        await db.dispose()


async def hour_by_hour(outbox: Dispatcher, clock: Clock, until: datetime) -> None:
    """What the scheduler does every hour, on the clock: plan check-ins (and record the ones
    that went unanswered), then send what is due."""
    while clock.now < until:
        clock.now = min(clock.now + timedelta(hours=1), until)
        async with outbox.db.transaction() as tx:
            await plan_all_checkins(tx, clock.now, POLICY)
        await outbox.run_once()


async def checkin_rows(database_url: str, pid: int) -> list[ScheduledMessage]:
    db = Database(database_url)
    async with db.transaction() as tx:
        query = select(ScheduledMessage).where(ScheduledMessage.participant_id == pid)
        rows = list((await tx.execute(query.order_by(ScheduledMessage.due_at))).scalars())
    await db.dispose()
    return rows
