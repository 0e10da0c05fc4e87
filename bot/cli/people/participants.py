"""The participant commands: a list to look people up in, and the CSV export."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from bot.cli.common import table
from bot.cli.people.prerelease import add_relink_parser
from bot.config import database_location
from handlers.participants.export import write_csv
from handlers.programs.admin import Refused, find_organisation
from handlers.staff.assignment import assign
from handlers.staff.audit import AuditAction, audit
from storage.db import Database
from storage.models import Participant, ParticipantStatus

HEADERS = ("id", "name", "city", "status", "category", "registered", "org", "caseworker")


def add_participant_parsers(sub: Any) -> None:
    """`participants list|export`."""
    people = sub.add_parser(
        "participants",
        help="participants: look them up, export them",
        description="participants: look them up, export them",
    ).add_subparsers(dest="participants_command", required=True)
    lst = people.add_parser(
        "list",
        help="ids, names, cities and status (no phone numbers)",
        description=(
            "Participants with their id (for enrol, attendance and appointments), name, city, "
            "status, category and the day they signed up. Phone numbers are not shown: use "
            "`participants export` when you need them."
        ),
    )
    lst.add_argument(
        "--search", metavar="TEXT", help="only names or cities containing TEXT (any case)"
    )
    lst.add_argument(
        "--unassigned",
        action="store_true",
        help="only those with no organisation yet (no staff sees them: `participants assign`)",
    )
    assign = people.add_parser(
        "assign",
        help="give a participant an organisation and maybe a caseworker",
        description=(
            "Give a participant an organisation (its staff then see them) and optionally a "
            "caseworker of it (see `pendamping staff list`)."
        ),
    )
    assign.add_argument("id", type=int, help="the participant's id")
    assign.add_argument("--org", required=True, help="the organisation's id or exact name")
    assign.add_argument("--caseworker", type=int, help="a staff id of that organisation")
    export = people.add_parser("export", help="every participant as CSV, phone numbers included")
    export.add_argument("--format", choices=["csv"], default="csv")
    export.add_argument("--output", type=Path, default=None, help="file to write (default: stdout)")
    add_relink_parser(people)


async def run_participants(args: argparse.Namespace, db: Database) -> int:
    if args.participants_command == "list":
        return await list_participants(db, args.search, unassigned=args.unassigned)
    if args.participants_command == "assign":
        return await assign_participant(db, args.id, args.org, args.caseworker)
    return await export_participants(db, args.output)


async def list_participants(db: Database, search: str | None, *, unassigned: bool = False) -> int:
    query = select(Participant).order_by(Participant.id)
    if unassigned:
        query = query.where(
            Participant.organisation_id.is_(None), Participant.status != ParticipantStatus.ERASED
        )
    needle = (search or "").strip()
    if needle:
        query = query.where(
            Participant.status != ParticipantStatus.ERASED,
            or_(
                Participant.name.icontains(needle, autoescape=True),
                Participant.city.icontains(needle, autoescape=True),
            ),
        )
    async with db.transaction() as tx:
        found = list((await tx.execute(query)).scalars())
    if not found:
        where = database_location(db.url)
        print(
            f"no participant's name or city contains {needle!r} (database: {where})"
            if needle
            else f"no participant without an organisation (database: {where})"
            if unassigned
            else f"no participants yet (database: {where})"
        )
        return 0
    print(table(HEADERS, [_row(person) for person in found]))
    print(f"{len(found)} participant(s)", file=sys.stderr)
    return 0


def _row(person: Participant) -> tuple[object, ...]:
    if person.status == ParticipantStatus.ERASED:
        return (person.id, "(erased)", None, person.status, None, None, None, None)
    registered = None
    if person.registered_at is not None:  # the day as the person lived it, in their own zone
        registered = person.registered_at.astimezone(ZoneInfo(person.timezone)).date()
    return (
        person.id,
        person.name,
        person.city,
        person.status,
        person.category,
        registered,
        person.organisation_id,
        person.caseworker_id,
    )


async def assign_participant(
    db: Database, participant_id: int, org: str, caseworker_id: int | None
) -> int:
    try:
        async with db.transaction() as tx:
            organisation = await find_organisation(tx, org)
            await assign(
                tx,
                participant_id,
                organisation_id=organisation.id,
                caseworker_id=caseworker_id,
                now=datetime.now(UTC),
            )
    except Refused as error:
        print(f"pendamping participants assign: refused: {error}", file=sys.stderr)
        return 1
    who = f", caseworker {caseworker_id}" if caseworker_id else ""
    print(f"participant {participant_id}: {organisation.name}{who}")
    return 0


async def export_participants(db: Database, output: Path | None) -> int:
    async with db.transaction() as tx:
        if output is None:
            count = await write_csv(tx, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = await write_csv(tx, handle)
        await audit(
            tx,
            staff=None,
            action=AuditAction.EXPORT,
            channel="cli",
            now=datetime.now(UTC),
            detail=f"{count} participant(s)",
        )
    print(f"exported {count} participant(s)", file=sys.stderr)
    return 0
