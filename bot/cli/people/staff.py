"""The staff commands: invites with their links and QR codes, the staff list, revoking, roles,
assignment rules; and the audit log."""

from __future__ import annotations

import argparse
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.cli.common import Context, group, leaf, table, typed
from bot.cli.people.links import print_links
from handlers.programs.admin import Refused, find_organisation, find_program
from handlers.programs.values import resolve_city
from handlers.staff.assignment import RuleTarget, add_assignment_rule
from handlers.staff.invites import ROLES, create_staff_invite
from handlers.staff.roster import change_role, revoke_staff
from storage.models import Organisation, Participant, ParticipantStatus, Program, Staff
from storage.staff.accounts import assignment_rules, staff_channels, staff_members
from storage.staff.audit import audit_entries

STAFF_COMMANDS = {"staff", "audit"}


def positive(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise ValueError(f"must be a whole number of 1 or more, not {text!r}")
    return int(text)


def day(text: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        raise ValueError(f"must be a date like 2026-12-01, not {text!r}") from None


def add_staff_parsers(sub: Any) -> None:
    """`staff invite|list|revoke|role|rule` and `audit list`."""
    staff = group(sub, "staff", "staff: invite caseworkers and admins, revoke, roles, rules")
    invite = leaf(
        staff, "invite", "a one-time code, links and QR codes to join as staff", invite_cmd
    )
    invite.add_argument("--org", required=True, help="the organisation's id or exact name")
    invite.add_argument("--role", required=True, choices=ROLES)
    invite.add_argument("--name", help="the name the person confirms when they join")
    invite.add_argument(
        "--hours", type=typed(positive), help="how long the code works (default: INVITE_HOURS)"
    )
    invite.add_argument(
        "--qr-dir",
        type=Path,
        default=Path("."),
        help="folder for the QR code PNG files (default: the current folder)",
    )
    lst = leaf(staff, "list", "staff members, their roles, status and chats", list_cmd)
    lst.add_argument("--org", help="only this organisation (id or exact name)")
    revoke = leaf(staff, "revoke", "take every staff power from a member at once", revoke_cmd)
    revoke.add_argument("id", type=typed(positive), help="the staff member's id")
    role = leaf(staff, "role", "make a staff member a caseworker or an admin", role_cmd)
    role.add_argument("id", type=typed(positive), help="the staff member's id")
    role.add_argument("role", choices=ROLES)
    rule = group(staff, "rule", "assignment rules: which caseworker new sign-ups get")
    add = leaf(rule, "add", "new sign-ups of a city or program go to a caseworker", rule_add_cmd)
    add.add_argument("--org", required=True, help="the organisation's id or exact name")
    add.add_argument("--caseworker", required=True, type=typed(positive), help="a staff id")
    target = add.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--city", type=typed(resolve_city), help='kabupaten/kota, e.g. "kota ambon"'
    )
    target.add_argument("--program", help="the program's id or exact name")
    rules = leaf(rule, "list", "the assignment rules", rule_list_cmd)
    rules.add_argument("--org", help="only this organisation (id or exact name)")

    audit = group(sub, "audit", "the audit log: who saw or did what about whom, and when")
    log = leaf(audit, "list", "audit rows, newest first", audit_list_cmd)
    log.add_argument("--staff", type=typed(positive), help="only this staff member's (id)")
    log.add_argument("--participant", type=typed(positive), help="only about this participant")
    log.add_argument("--org", help="only this organisation's (id or exact name)")
    log.add_argument("--since", type=typed(day), help="from this day on (YYYY-MM-DD)")
    log.add_argument("--limit", type=typed(positive), default=200, help="at most N rows (200)")


async def invite_cmd(args: argparse.Namespace, context: Context) -> int:
    if not args.qr_dir.is_dir():
        raise Refused(f"the folder {args.qr_dir} does not exist; create it or give --qr-dir")
    hours = args.hours or context.settings.invite_hours
    async with context.db.transaction() as tx:
        org = await find_organisation(tx, args.org)
        code = await create_staff_invite(
            tx,
            organisation_id=org.id,
            role=args.role,
            name=" ".join(args.name.split())[:100] if args.name else None,
            created_by=None,
            now=context.now,
            hours=hours,
        )
    article = "an" if args.role[0] in "aeiou" else "a"
    print(f"invite for {article} {args.role} of {org.name}: it works once")
    await print_links(
        code,
        settings=context.settings,
        expires_at=context.now + timedelta(hours=hours),
        qr_dir=args.qr_dir,
    )
    return 0


async def list_cmd(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        org_id = (await find_organisation(tx, args.org)).id if args.org else None
        members = await staff_members(tx, org_id)
        chats = await staff_channels(tx, [m.id for m in members])
        names = await _org_names(tx)
    rows = [
        (
            m.id,
            m.name,
            m.role,
            names.get(m.organisation_id),
            m.status,
            ", ".join(chats.get(m.id, [])),
        )
        for m in members
    ]
    headers = ("id", "name", "role", "organisation", "status", "chats")
    print(
        table(headers, rows) if rows else "no staff yet: invite them with `pendamping staff invite`"
    )
    return 0


async def revoke_cmd(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        staff = await revoke_staff(tx, args.id, by=None, now=context.now)
    print(f"revoked staff member {staff.id}: their chats have no staff powers any more")
    return 0


async def role_cmd(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        staff = await change_role(tx, args.id, args.role, by=None, now=context.now)
    print(f"staff member {staff.id} is now {staff.role}")
    return 0


async def rule_add_cmd(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        org = await find_organisation(tx, args.org)
        program = await find_program(tx, args.program) if args.program else None
        rule = await add_assignment_rule(
            tx,
            organisation_id=org.id,
            caseworker_id=args.caseworker,
            target=RuleTarget(args.city, program.id if program else None),
            now=context.now,
        )
    what = f"program {program.name}" if program else f"city {args.city}"
    print(f"added rule {rule.id}: new sign-ups of {what} go to caseworker {args.caseworker}")
    return 0


async def rule_list_cmd(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        org_id = (await find_organisation(tx, args.org)).id if args.org else None
        rules = await assignment_rules(tx, org_id)
        names = await _org_names(tx)
        programs = dict((await tx.execute(select(Program.id, Program.name))).tuples().all())
        staff = dict((await tx.execute(select(Staff.id, Staff.name))).tuples().all())
    rows = [
        (
            r.id,
            names.get(r.organisation_id),
            r.city_key or "-",
            programs.get(r.program_id) if r.program_id else "-",
            f"{r.caseworker_id} {staff.get(r.caseworker_id, '')}",
        )
        for r in rules
    ]
    headers = ("id", "organisation", "city", "program", "caseworker")
    print(table(headers, rows) if rows else "no assignment rules yet")
    return 0


async def audit_list_cmd(args: argparse.Namespace, context: Context) -> int:
    zone = ZoneInfo(context.settings.default_timezone)
    since = None
    if args.since is not None:
        since = datetime.combine(args.since.date(), time(), tzinfo=zone)
    async with context.db.transaction() as tx:
        org_id = (await find_organisation(tx, args.org)).id if args.org else None
        entries = await audit_entries(
            tx,
            organisation_id=org_id,
            staff_id=args.staff,
            participant_id=args.participant,
            since=since,
            limit=args.limit,
        )
        staff = dict((await tx.execute(select(Staff.id, Staff.name))).tuples().all())
        ids = {e.participant_id for e in entries if e.participant_id is not None}
        people = {
            p.id: p
            for p in (
                await tx.execute(select(Participant).where(Participant.id.in_(ids)))
            ).scalars()
        }
    rows = [
        (
            f"{e.at.astimezone(zone):%Y-%m-%d %H:%M}",
            f"{e.staff_id} {staff.get(e.staff_id, '')}"
            if e.staff_id
            else ("(command line)" if e.channel == "cli" else "(the bot)"),
            e.action,
            _who(people.get(e.participant_id)) if e.participant_id else "-",
            e.organisation_id,
            e.channel,
            e.detail,
        )
        for e in entries
    ]
    headers = ("at", "staff", "action", "participant", "org", "channel", "detail")
    print(table(headers, rows) if rows else "no audit rows match")
    return 0


def _who(person: Participant | None) -> str:
    if person is None:
        return "-"
    if person.status == ParticipantStatus.ERASED:
        return f"{person.id} (erased)"
    return f"{person.id} {person.name or ''}".strip()


async def _org_names(tx: Any) -> dict[int, str]:
    return dict((await tx.execute(select(Organisation.id, Organisation.name))).tuples().all())
