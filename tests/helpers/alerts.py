"""Set-up for alert tests: an organisation with a caseworker and an admin who each have a chat,
a participant of theirs who signed up through the bot, and the outbox sent with a set clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.inbox import Inbox
from handlers.types import Reply
from storage.db import Database
from storage.models import Flag, ScheduledMessage
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.checkins import signed_up, update
from tests.helpers.digest import add_org, add_staff
from tests.helpers.reminders import Clock, dispatcher

CASEWORKER = "9001"
ADMIN = "9002"
# Every question of a check-in answered: mood 1, no safe home, work, wants contact, their words.
TROUBLED = ("1", "belum ada kegiatan", "gak ada tempat tinggal", "kerja", "ya", "tolong saya")
FINE = ("4", "bekerja", "ya", "tidak perlu", "tidak", "lewati")


@dataclass
class Office:
    org: int
    caseworker: int
    admin: int
    person: Person
    pid: int
    caseworker_chat: Person
    admin_chat: Person


async def office(
    db: Database,
    inbox: Inbox,
    channel: CollectingChannel,
    *,
    address: str = "1001",
    assigned: bool = True,
    org_name: str = "Bapas Ambon",
) -> Office:
    org = await add_org(db, org_name)
    caseworker = await add_staff(db, org, "Budi Santoso", address=CASEWORKER, channel=channel.name)
    admin = await add_staff(
        db, org, "Rina Admin", address=ADMIN, channel=channel.name, role="admin"
    )
    person, pid = await signed_up(inbox, channel, address)
    await update(db, pid, organisation_id=org, caseworker_id=caseworker if assigned else None)
    return Office(
        org,
        caseworker,
        admin,
        person,
        pid,
        Person(inbox, channel, address=CASEWORKER),
        Person(inbox, channel, address=ADMIN),
    )


async def check_in(person: Person, answers: tuple[str, ...]) -> None:
    await person.says("/kabar")
    for text in answers:
        await person.says(text)


async def deliver(db: Database, channel: CollectingChannel, after: timedelta) -> int:
    """Run the dispatcher once, `after` from now (the turns ran on the real clock)."""
    return await dispatcher(db, channel, Clock(datetime.now(UTC) + after)).run_once()


def sent_to(channel: CollectingChannel, address: str) -> list[str]:
    return [reply.text for to, reply in channel.sent if to == address]


async def all_flags(db: Database, pid: int) -> list[Flag]:
    async with db.transaction() as tx:
        query = select(Flag).where(Flag.participant_id == pid).order_by(Flag.id)
        return list((await tx.execute(query)).scalars())


async def outbox(db: Database, kind: str) -> list[ScheduledMessage]:
    async with db.transaction() as tx:
        query = select(ScheduledMessage).where(ScheduledMessage.kind == kind)
        return list((await tx.execute(query.order_by(ScheduledMessage.id))).scalars())


def replies_to(channel: CollectingChannel, address: str) -> list[Reply]:
    return [reply for to, reply in channel.sent if to == address]
