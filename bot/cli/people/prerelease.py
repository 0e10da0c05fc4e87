"""`pendamping prerelease add|list` and `pendamping participants relink ID`: codes staff hand
over on release day, or for a participant's new phone, printed with their links and QR codes
(bot/cli/main.py registers both).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.app import flow_settings
from bot.cli.common import table
from bot.config import Settings
from handlers.participants.labels import CATEGORIES
from handlers.prerelease.enrolment import (
    Preregistered,
    PreregisterError,
    new_code,
    preregister,
    remove_preregistered,
    waiting_for_release,
)
from handlers.prerelease.invites import Link, invite_links
from handlers.prerelease.relink import relink_invite, relink_refusal
from handlers.programs.admin import Refused, find_organisation, find_program, find_session
from handlers.reminders.rules import ReminderPolicy
from storage.db import Database
from storage.models import Participant, ParticipantStatus

WAITING_HEADERS = ("id", "name", "org", "caseworker", "release", "code until", "code")


def add_prerelease_parsers(sub: Any) -> None:
    group = sub.add_parser(
        "prerelease",
        help="people registered before release, and the codes they claim on release day",
        description="people registered before release, and the codes they claim on release day",
    ).add_subparsers(dest="prerelease_command", required=True)
    add = group.add_parser(
        "add",
        help="register a person before release and print their personal code",
        description=(
            "Registers a person before release: nothing is sent to them and nothing is planned "
            "to be sent until they open their code and agree. Prints the code (shown once), "
            "the links and, with --qr-dir, QR codes to print."
        ),
    )
    add.add_argument("--org", required=True, help="organisation id or name")
    add.add_argument("--name", required=True, help="the person's name, as they are called")
    add.add_argument("--category", required=True, choices=list(CATEGORIES))
    add.add_argument("--release-date", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
    add.add_argument("--caseworker", type=int, metavar="STAFF_ID", help="their caseworker")
    add.add_argument("--city", help='the kota/kabupaten they will live in, e.g. "kota ambon"')
    add.add_argument("--program", action="append", default=[], help="program id or name")
    add.add_argument("--session", action="append", default=[], type=int, help="session id")
    add.add_argument("--qr-dir", type=Path, help="write QR codes of the links here (PNG)")
    lst = group.add_parser(
        "list",
        help="who has not claimed their code yet, by release date",
        description="who has not claimed their code yet, by release date",
    )
    lst.add_argument("--org", help="organisation id or name")
    fresh = group.add_parser(
        "code",
        help="a new code for someone still waiting (lost, expired, or used by a cancelled sign-up)",
        description=(
            "A new code for a person registered before release who has not claimed theirs: "
            "it was lost, expired, or used by a sign-up they cancelled. Older codes stop working."
        ),
    )
    fresh.add_argument("id", type=int, help="the participant's id")
    fresh.add_argument("--qr-dir", type=Path, help="write QR codes of the links here (PNG)")
    remove = group.add_parser(
        "remove",
        help="someone who will not claim their code: free their seats, erase what was typed",
        description=(
            "For a person registered before release who will not claim their code: their seats "
            "go to others, the code stops working, and their name and city are erased."
        ),
    )
    remove.add_argument("id", type=int, help="the participant's id")


def add_relink_parser(people: Any) -> None:
    relink = people.add_parser(
        "relink",
        help="a code for a participant's new phone or number (48 hours, once)",
        description=(
            "Makes a one-time code (48 hours) the participant opens on their new phone or "
            "number: that chat takes over, the old one stops receiving anything, nothing is lost."
        ),
    )
    relink.add_argument("id", type=int, help="the participant's id")
    relink.add_argument("--qr-dir", type=Path, help="write QR codes of the links here (PNG)")
    relink.add_argument(
        "--org", help="organisation id or name, for a participant who belongs to none yet"
    )


async def run_prerelease(
    args: argparse.Namespace,
    db: Database,
    settings: Settings,
    *,
    telegram_username: str | None = None,
    whatsapp_number: str | None = None,
) -> int:
    now = datetime.now(UTC)
    try:
        if args.prerelease_command == "list":
            return await _list(db, args.org, now)
        if args.prerelease_command == "remove":
            return await _remove(db, args.id, now, flow_settings(settings).reminders)
        if args.prerelease_command == "code":
            async with db.transaction() as tx:
                participant = await tx.get(Participant, args.id)
                if participant is None:
                    raise PreregisterError(f"there is no participant {args.id}")
                made = await new_code(tx, participant, now)
        else:
            made = await _add(db, args, settings, now)
    except (Refused, PreregisterError) as error:
        print(f"pendamping: {error}", file=sys.stderr)
        return 1
    if args.prerelease_command == "add":
        print(f"participant {made.participant_id} registered before release")
    print(f"code: {made.code}  (works once, until {made.expires_at:%Y-%m-%d %H:%M} UTC)")
    links = invite_links(
        made.code, telegram_username=telegram_username, whatsapp_number=whatsapp_number
    )
    _print_links(links, args.qr_dir, f"prerelease-{made.participant_id}")
    return 0


async def _add(
    db: Database, args: argparse.Namespace, settings: Settings, now: datetime
) -> Preregistered:
    async with db.transaction() as tx:
        org = await find_organisation(tx, args.org)
        programs = [await find_program(tx, ref) for ref in args.program]
        sessions = [await find_session(tx, ref, upcoming_at=now) for ref in args.session]
        made = await preregister(
            tx,
            organisation=org,
            name=args.name,
            category=args.category,
            release_date=args.release_date,
            caseworker_id=args.caseworker,
            city=args.city,
            programs=programs,
            sessions=sessions,
            now=now,
            policy=flow_settings(settings).reminders,
        )
    return made


async def _list(db: Database, org_ref: str | None, now: datetime) -> int:
    async with db.transaction() as tx:
        org_id = (await find_organisation(tx, org_ref)).id if org_ref else None
        waiting = await waiting_for_release(tx, now, org_id)
    if not waiting:
        print("nobody registered before release is waiting to claim a code")
        return 0
    rows = [
        (
            w.participant_id,
            w.name,
            w.organisation_id,
            w.caseworker_id,
            w.release_date,
            f"{w.code_expires_at:%Y-%m-%d}" if w.code_expires_at else None,
            "usable" if w.code_usable else ("used" if w.code_used else "expired"),
        )
        for w in waiting
    ]
    print(table(WAITING_HEADERS, rows))
    print(f"{len(waiting)} waiting", file=sys.stderr)
    return 0


async def _remove(db: Database, participant_id: int, now: datetime, policy: ReminderPolicy) -> int:
    async with db.transaction() as tx:
        participant = await tx.get(Participant, participant_id)
        if participant is None:
            raise PreregisterError(f"there is no participant {participant_id}")
        await remove_preregistered(tx, participant, now, policy)
    print(f"participant {participant_id} removed: seats freed, code revoked, name erased")
    return 0


async def run_relink(
    args: argparse.Namespace,
    db: Database,
    *,
    telegram_username: str | None = None,
    whatsapp_number: str | None = None,
) -> int:
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        participant = await tx.get(Participant, args.id)
        if participant is None:
            print(f"pendamping: there is no participant {args.id}", file=sys.stderr)
            return 1
        refusal = relink_refusal(participant)
        if refusal is not None:
            why = (
                "erased their data; they can sign up again as new"
                if refusal == ParticipantStatus.ERASED
                else f"is {refusal}: there is no chat to move yet"
            )
            print(f"pendamping: participant {args.id} {why}", file=sys.stderr)
            return 1
        try:
            org_id = (await find_organisation(tx, args.org)).id if args.org else None
            _invite, code = await relink_invite(
                tx, participant, by=None, channel="cli", now=now, organisation_id=org_id
            )
        except (Refused, ValueError) as error:
            print(f"pendamping: {error}", file=sys.stderr)
            return 1
        stopped = participant.status == ParticipantStatus.STOPPED
    print(f"code for participant {args.id}'s new phone: {code}  (works once, for 48 hours)")
    if stopped:
        print("note: they stopped messages; the new chat is told how to resume")
    links = invite_links(code, telegram_username=telegram_username, whatsapp_number=whatsapp_number)
    _print_links(links, args.qr_dir, f"relink-{args.id}")
    return 0


def _print_links(links: list[Link], qr_dir: Path | None, stem: str) -> None:
    for link in links:
        print(f"{link.channel}: {link.url}")
    if qr_dir is not None:
        for path in write_qr_codes(links, qr_dir, stem):
            print(f"QR code: {path}")


def write_qr_codes(links: list[Link], qr_dir: Path, stem: str) -> list[Path]:
    """One PNG per link, `<stem>-<channel>.png` (INTEGRATOR: st-cli's QR helper may replace it)."""
    import qrcode
    from qrcode.image.pure import PyPNGImage

    qr_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for link in links:
        path = qr_dir / f"{stem}-{link.channel}.png"
        qrcode.make(link.url, image_factory=PyPNGImage).save(str(path))
        written.append(path)
    return written
