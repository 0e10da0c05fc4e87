"""Organisations, staff members with a chat, and staff commands run on a real Turn, for the
tests of partnerships and referrals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from handlers.flow import FlowSettings, Turn
from handlers.i18n import use_language
from handlers.staff.commands import STAFF_COMMANDS
from handlers.staff.scope import StaffView
from handlers.types import Incoming, Kind, Reply
from storage.addresses import lock_address
from storage.db import Database
from storage.models import AuditEntry, Organisation, Participant, Program, Staff, StaffRole

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


@dataclass
class StaffChat:
    """A staff member and the chat they write from."""

    view: StaffView
    channel: str
    address: str


@dataclass
class Said:
    replies: list[Reply]
    told: list[tuple[str, Reply]]  # (address value, reply) sent to other chats

    def text(self) -> str:
        return "\n".join(r.text for r in self.replies)


async def add_org(
    db: Database, name: str, *, programs: tuple[str, ...] = ()
) -> tuple[int, list[int]]:
    async with db.transaction() as tx:
        org = Organisation(name=name, kind="lsm", timezone="Asia/Jakarta", created_at=NOW)
        tx.add(org)
        await tx.flush()
        ids = []
        for program in programs:
            row = Program(organisation_id=org.id, name=program, kind="training", created_at=NOW)
            tx.add(row)
            await tx.flush()
            ids.append(row.id)
        return org.id, ids


async def add_staff(
    db: Database, org: int, name: str, *, role: str = StaffRole.ADMIN, channel: str, address: str
) -> StaffChat:
    async with db.transaction() as tx:
        staff = Staff(organisation_id=org, role=role, name=name, language="id", created_at=NOW)
        tx.add(staff)
        await tx.flush()
        chat, _conversation = await lock_address(tx, channel, address, NOW)
        chat.staff_id = staff.id
        view = StaffView(staff.id, org, role, name, "id")
    return StaffChat(view, channel, address)


async def run(
    db: Database, who: StaffChat, command: str, args: str = "", *, now: datetime | None = None
) -> Said:
    """`/command args` typed by `who`, through the registered staff command, in one transaction
    (at the moment it runs, as the participants' messages are)."""
    now = now or datetime.now(UTC)
    async with db.transaction() as tx:
        address, conversation = await lock_address(tx, who.channel, who.address, now)
        incoming = Incoming(
            who.channel, who.address, Kind.COMMAND, f"/{command} {args}", command, args
        )
        turn = Turn(tx, incoming, address, conversation, None, FlowSettings(), now)
        with use_language("id"):
            await STAFF_COMMANDS[command].run(turn, who.view, args)
        return Said(turn.replies, [(t.address.value, t.reply) for t in turn.told])


async def set_organisation(
    db: Database, participant_id: int, org: int, caseworker: int | None = None
) -> None:
    async with db.transaction() as tx:
        participant = await tx.get(Participant, participant_id)
        assert participant is not None
        participant.organisation_id = org
        participant.caseworker_id = caseworker


async def audit_rows(db: Database, action: str) -> list[AuditEntry]:
    async with db.transaction() as tx:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list((await tx.execute(query)).scalars())
