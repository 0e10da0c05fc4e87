"""Relay tests: an organisation, its caseworkers and admin with chats on the test's channel, a
signed-up participant assigned to a caseworker, and the outbox run by a controlled clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.inbox import Inbox
from storage.db import Database
from storage.models import AuditEntry, Flag, Participant, RelayMessage, Staff, StaffStatus
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.reminders import Clock, dispatcher
from tests.helpers.signup import sign_up
from tests.helpers.staff.chat import add_organisation, place
from tests.helpers.staff.cli import add_staff

SITI = "5550001"  # the participant's chat
BUDI = "9001"  # her caseworker's chat
ANI = "9002"  # another caseworker of the same organisation
RINA = "9003"  # the organisation's admin
JOKO = "9004"  # a caseworker of another organisation


@dataclass
class Cast:
    participant_id: int
    org: int
    budi: int
    ani: int
    rina: int
    joko: int
    siti: Person
    budi_chat: Person
    ani_chat: Person
    rina_chat: Person
    joko_chat: Person


async def cast(db: Database, inbox: Inbox, channel: CollectingChannel) -> Cast:
    org = await add_organisation(db, "Bapas Kelas I Pekalongan")
    other = await add_organisation(db, "Rutan Kelas IIA Batang")
    on = channel.name
    budi = await add_staff(db, org, "Budi Santoso", chats=((on, BUDI),))
    ani = await add_staff(db, org, "Ani Lestari", chats=((on, ANI),))
    rina = await add_staff(db, org, "Rina Wati", role="admin", chats=((on, RINA),))
    joko = await add_staff(db, other, "Joko Susilo", chats=((on, JOKO),))
    siti = Person(inbox, channel, address=SITI, profile_name="Siti Aminah")
    await sign_up(siti)
    async with db.transaction() as tx:
        pid = (await tx.execute(select(Participant.id))).scalar_one()
    await place(db, pid, org, budi)
    chats = [Person(inbox, channel, address=a) for a in (BUDI, ANI, RINA, JOKO)]
    return Cast(pid, org, budi, ani, rina, joko, siti, *chats)


async def deliver(db: Database, channel: CollectingChannel) -> int:
    """Run the outbox once, a moment after now (relayed messages are due at once)."""
    clock = Clock(datetime.now(UTC) + timedelta(seconds=1))
    return await dispatcher(db, channel, clock).run_once()


def sent_to(channel: CollectingChannel, address: str, since: int = 0) -> list[str]:
    return [reply.text for to, reply in channel.sent[since:] if to == address]


async def relays(db: Database) -> list[RelayMessage]:
    async with db.transaction() as tx:
        return list((await tx.execute(select(RelayMessage).order_by(RelayMessage.id))).scalars())


async def flags(db: Database) -> list[Flag]:
    async with db.transaction() as tx:
        return list((await tx.execute(select(Flag).order_by(Flag.id))).scalars())


async def audit_of(db: Database, action: str) -> list[AuditEntry]:
    async with db.transaction() as tx:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list((await tx.execute(query)).scalars())


async def revoke(db: Database, staff_id: int) -> None:
    async with db.transaction() as tx:
        member = await tx.get(Staff, staff_id)
        assert member is not None
        member.status = StaffStatus.REVOKED
        member.revoked_at = datetime.now(UTC)
