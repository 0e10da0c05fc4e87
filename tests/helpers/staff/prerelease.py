"""Pre-release and re-link tests: an organisation with a program and a session ahead, staff,
the `prerelease` and `participants relink` commands run in-process, and one chat's turn with a
code claimed or a staff command run straight through handlers/staff (the engine's staff wiring
is st-chat's; tests/staff/test_prerelease_engine.py goes through the engine)."""

from __future__ import annotations

import argparse
import io
import re
import shlex
from collections.abc import Awaitable, Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

import handlers.prerelease.claims  # noqa: F401  (registers the claims, as the engine wiring will)
from bot.cli.people.prerelease import (
    add_prerelease_parsers,
    add_relink_parser,
    run_prerelease,
    run_relink,
)
from bot.config import Settings
from handlers.flow import FlowSettings, Turn
from handlers.i18n import use_language
from handlers.staff import codes
from handlers.staff.scope import StaffView, staff_of
from handlers.types import Incoming, Kind, Reply
from storage.addresses import lock_address
from storage.conversations import save_conversation
from storage.db import Database
from storage.models import (
    Address,
    AuditEntry,
    Organisation,
    Program,
    ProgramSession,
    Staff,
)

TELEGRAM_BOT = "pendamping_test_bot"
WHATSAPP_NUMBER = "6281100001111"
CODE = re.compile(r"\bK[0-9A-Z]{9}\b")


@dataclass(frozen=True)
class Setting:
    """An organisation with a program whose next session is a week ahead."""

    org_id: int
    program_id: int
    session_id: int


async def organisation_with_program(db: Database, name: str = "Bapas Ambon") -> Setting:
    async with db.transaction() as tx:
        org = Organisation(name=name, kind="bapas", timezone="Asia/Jayapura")
        tx.add(org)
        await tx.flush()
        program = Program(organisation_id=org.id, name=f"Pelatihan Las {name}", kind="job_training")
        tx.add(program)
        await tx.flush()
    session_id = await add_session(db, program.id, "Pelatihan Las Dasar", days_ahead=7)
    return Setting(org.id, program.id, session_id)


async def add_session(db: Database, program_id: int, title: str, *, days_ahead: int) -> int:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days_ahead)
    async with db.transaction() as tx:
        event = ProgramSession(
            program_id=program_id,
            title=title,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            timezone="Asia/Jayapura",
            place="BLK Ambon",
            status="scheduled",
        )
        tx.add(event)
        await tx.flush()
        return event.id


async def add_staff(
    db: Database, org_id: int, name: str, *, role: str = "caseworker", chat: tuple[str, str]
) -> int:
    """An active staff member whose chat is `chat` (channel, address value)."""
    async with db.transaction() as tx:
        staff = Staff(organisation_id=org_id, role=role, name=name)
        tx.add(staff)
        await tx.flush()
        tx.add(Address(channel=chat[0], value=chat[1], staff_id=staff.id))
        return staff.id


async def run_staff_cli(db: Database, command: str) -> tuple[int, str, str]:
    """`pendamping prerelease ...` or `pendamping participants relink ...`, parsed by the
    parsers bot/cli/main.py registers."""
    top = argparse.ArgumentParser(prog="pendamping")
    sub = top.add_subparsers(dest="command", required=True)
    add_prerelease_parsers(sub)
    people = sub.add_parser("participants").add_subparsers(dest="participants_command")
    add_relink_parser(people)
    args = top.parse_args(shlex.split(command))
    out, err = io.StringIO(), io.StringIO()
    links = {"telegram_username": TELEGRAM_BOT, "whatsapp_number": WHATSAPP_NUMBER}
    with redirect_stdout(out), redirect_stderr(err):
        if args.command == "prerelease":
            code = await run_prerelease(args, db, Settings(database_url=db.url), **links)
        else:
            code = await run_relink(args, db, **links)
    return code, out.getvalue(), err.getvalue()


def code_in(text: str) -> str:
    found = CODE.search(text)
    assert found is not None, text
    return found.group(0)


async def chat_turn(
    db: Database,
    settings: FlowSettings,
    channel: str,
    address: str,
    action: Callable[[Turn], Awaitable[None]],
    *,
    text: str = "/start",
) -> list[Reply]:
    """One message's turn as the engine runs it (address locked, conversation saved), with
    `action` where the engine would route; returns the replies, those told to the same chat
    included."""
    now = datetime.now(UTC)
    command = text[1:].partition(" ")[0] if text.startswith("/") else None
    incoming = Incoming(
        channel=channel,
        address=address,
        kind=Kind.COMMAND if command else Kind.TEXT,
        text=text,
        command=command,
        args=text.partition(" ")[2] if command else "",
        received_at=now,
    )
    async with db.transaction() as tx:
        chat, conversation = await lock_address(tx, channel, address, now)
        participant = chat.participant
        turn = Turn(tx, incoming, chat, conversation, participant, settings, now)
        language = participant.language if participant else conversation.data.get("lang", "id")
        with use_language(language):
            await action(turn)
        if not turn.erased:
            await save_conversation(tx, conversation, now)
    return turn.replies + [told.reply for told in turn.told if told.address.id == chat.id]


async def claim(
    db: Database, settings: FlowSettings, channel: str, address: str, code: str
) -> tuple[bool, list[Reply]]:
    """`codes.claim` from a chat, as the engine calls it for `/start <code>`."""
    claimed: list[bool] = []

    async def action(turn: Turn) -> None:
        claimed.append(await codes.claim(turn, code, turn.now))

    replies = await chat_turn(db, settings, channel, address, action, text=f"/start {code}")
    return claimed[0], replies


async def staff_view(db: Database, channel: str, address: str) -> StaffView:
    async with db.transaction() as tx:
        chat = (
            await tx.execute(
                select(Address).where(Address.channel == channel, Address.value == address)
            )
        ).scalar_one()
        view = await staff_of(tx, chat)
        assert view is not None
        return view


async def audit_rows(db: Database) -> list[tuple[str, int | None, int | None, str]]:
    """(action, staff id, participant id, channel) of every audit row, in order."""
    async with db.transaction() as tx:
        rows = await tx.execute(
            select(
                AuditEntry.action,
                AuditEntry.staff_id,
                AuditEntry.participant_id,
                AuditEntry.channel,
            ).order_by(AuditEntry.id)
        )
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]
