"""Admin commands: organisations, programs, sessions, enrolment, attendance, appointments."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from bot.app import flow_settings
from bot.cli.care.broadcasts import add_broadcast_parsers
from bot.cli.care.checkins import add_checkin_parsers
from bot.cli.care.flags import add_flag_parsers
from bot.cli.common import Context, group, leaf, table, typed
from bot.cli.people.partners import add_partner_parsers
from bot.cli.programs.appointments import add_appointment_parsers
from bot.cli.programs.sessions import add_session_parsers
from bot.config import Settings
from handlers.programs.admin import (
    ORG_KINDS,
    PROGRAM_KINDS,
    Refused,
    add_organisation,
    add_program,
    find_organisation,
    organisations,
    parse_contact,
    program_kind,
    programs_overview,
)
from handlers.programs.changes import ChangeError
from handlers.programs.recurrence import RecurrenceError
from handlers.programs.values import InputError, parse_offsets, parse_timezone
from handlers.reminders.rules import DEFAULT_OFFSETS
from handlers.timefmt import zone_abbr
from storage.db import Database

ADMIN_COMMANDS: set[str] = {
    "orgs",
    "programs",
    "sessions",
    "enrol",
    "attendance",
    "appointments",
    "flags",
    "checkins",
    "partners",
    "referrals",
    "broadcast",
}
CONTACT_HELP = (
    "phone number or WhatsApp link participants can use, e.g. '0812-3456-7890' "
    "or 'https://wa.me/6281234567890'"
)
ZONE_HELP = "WIB, WITA, WIT (or Asia/Jakarta, Asia/Makassar, Asia/Jayapura)"
OFFSETS_HELP = (
    "minutes before the start, e.g. 1440,120 (default: the day before and 2 hours before)"
)


def add_admin_parsers(sub: Any) -> None:
    """Register the admin subcommands on the `pendamping` parser."""
    orgs = group(
        sub, "orgs", "organisations: Rutan, Lapas, LPKA, Bapas, Pemkot, Pemkab, Dinas, ..."
    )
    add = leaf(orgs, "add", "add an organisation", orgs_add)
    add.add_argument(
        "--name", required=True, help="its full name, e.g. 'Rutan Kelas IIA Pekalongan'"
    )
    add.add_argument("--kind", required=True, choices=ORG_KINDS)
    add.add_argument(
        "--timezone", type=typed(parse_timezone), help=f"{ZONE_HELP}; default DEFAULT_TIMEZONE"
    )
    add.add_argument("--contact", help=CONTACT_HELP)
    leaf(orgs, "list", "list organisations", orgs_list)
    contact = leaf(orgs, "contact", "set how participants reach an organisation", orgs_contact)
    contact.add_argument("--org", required=True, help="the organisation's id or exact name")
    contact.add_argument("--contact", required=True, help=CONTACT_HELP + "; '' removes it")

    programs = group(
        sub, "programs", "programs: job training, counselling, legal aid, schooling, ..."
    )
    kinds = ", ".join(f"{code} ({'/'.join(words)})" for code, words in PROGRAM_KINDS.items())
    add = leaf(programs, "add", "add a program run by an organisation", programs_add)
    add.add_argument("--org", required=True, help="the organisation's id or exact name")
    add.add_argument("--name", required=True)
    add.add_argument("--kind", required=True, type=typed(program_kind), help=kinds)
    add.add_argument("--offsets", type=typed(parse_offsets), help=OFFSETS_HELP)
    leaf(programs, "list", "list programs", programs_list)

    add_session_parsers(sub, zone_help=ZONE_HELP, offsets_help=OFFSETS_HELP)
    add_appointment_parsers(sub, zone_help=ZONE_HELP)
    add_flag_parsers(sub)
    add_checkin_parsers(sub)
    add_partner_parsers(sub)
    add_broadcast_parsers(sub)


async def run_admin(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    """Run one admin command in its own transaction: 0 done, 1 refused, 2 bad usage."""
    context = Context(db, settings, flow_settings(settings).reminders, datetime.now(UTC))
    command = " ".join(
        part for part in (args.command, getattr(args, f"{args.command}_command", None)) if part
    )
    try:
        code: int = await args.admin(args, context)
        return code
    except (InputError, RecurrenceError) as error:
        print(f"pendamping {command}: {error}", file=sys.stderr)
        print(f"(see `pendamping {command} --help`)", file=sys.stderr)
        return 2
    except (Refused, ChangeError) as error:
        print(f"pendamping {command}: refused: {error}", file=sys.stderr)
        return 1


async def orgs_add(args: argparse.Namespace, context: Context) -> int:
    timezone = args.timezone or context.settings.default_timezone
    async with context.db.transaction() as tx:
        org = await add_organisation(tx, args.name, args.kind, timezone, context.now, args.contact)
    print(f"added organisation {org.id}: {org.name} ({org.kind}, {zone_abbr(org.timezone)})")
    return 0


async def orgs_contact(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        org = await find_organisation(tx, args.org)
        org.contact = parse_contact(args.contact)
    print(f"organisation {org.id}: contact {org.contact or '(none)'}")
    return 0


async def orgs_list(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        orgs = await organisations(tx)
    rows = [(o.id, o.name, o.kind, zone_abbr(o.timezone), o.contact) for o in orgs]
    headers = ("id", "name", "kind", "zone", "contact")
    print(table(headers, rows) if rows else "no organisations yet")
    return 0


async def programs_add(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        org = await find_organisation(tx, args.org)
        program = await add_program(tx, org, args.name, args.kind, args.offsets, context.now)
    print(
        f"added program {program.id}: {program.name} ({program.kind}) of {org.name}; "
        f"reminders {offsets_label(program.reminder_offsets)}"
    )
    return 0


async def programs_list(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        found = await programs_overview(tx, context.now)
    rows = [
        (p.id, p.organisation.name, p.name, p.kind, offsets_label(p.reminder_offsets), m, u)
        for p, m, u in found
    ]
    headers = ("id", "organisation", "name", "kind", "reminders", "members", "upcoming")
    print(table(headers, rows) if rows else "no programs yet")
    return 0


def offsets_label(offsets: list[int] | None) -> str:
    """ "1440,120 min before" (the default marked as such)."""
    chosen = DEFAULT_OFFSETS if offsets is None else offsets
    return ",".join(map(str, chosen)) + " min before" + (" (default)" if offsets is None else "")


__all__ = ["ADMIN_COMMANDS", "InputError", "add_admin_parsers", "run_admin"]
