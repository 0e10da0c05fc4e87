"""`pendamping partners` and `pendamping referrals`: partnerships between organisations, and
participants referred to a partner's program (each participant is asked in the bot first)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli.common import Context, group, leaf, table
from handlers.partners.partnerships import (
    PartnershipRefused,
    confirm,
    end,
    find_organisations,
    propose,
)
from handlers.partners.referrals import ReferralRefused, WithdrawnBy, refer, withdraw
from storage.models import Organisation, Participant, Partnership, Program, Referral

CLI = "cli"  # the audit log's channel for the command line


class OrgRefused(Exception):
    pass


def add_partner_parsers(sub: Any) -> None:
    partners = group(sub, "partners", "partnerships between organisations (both sides confirm)")
    add = leaf(partners, "propose", "propose a partnership: --org proposes to --partner", propose_)
    add.add_argument("--org", required=True, help="the proposing organisation (id or name)")
    add.add_argument("--partner", required=True, help="the other organisation (id or name)")
    ok = leaf(partners, "confirm", "the partner organisation confirms a proposal", confirm_)
    ok.add_argument("id", type=int, help="the partnership's id, from `partners list`")
    ok.add_argument("--org", required=True, help="the confirming organisation (id or name)")
    stop = leaf(partners, "end", "end a partnership; its referrals are withdrawn", end_)
    stop.add_argument("id", type=int, help="the partnership's id, from `partners list`")
    leaf(partners, "list", "every partnership and its status", list_)
    referrals = group(sub, "referrals", "participants referred to a partner organisation")
    ref = leaf(referrals, "add", "refer a participant (they are asked for consent)", refer_)
    ref.add_argument("--participant", type=int, required=True, help="the participant's id")
    ref.add_argument("--partner", required=True, help="the partner organisation (id or name)")
    ref.add_argument("--program", help="the partner's program (id or name)")
    off = leaf(referrals, "withdraw", "withdraw a referral: the partner sees nothing", withdraw_)
    off.add_argument("id", type=int, help="the referral's id, from `referrals list`")
    leaf(referrals, "list", "every referral and its status", referrals_list)


async def _org(tx: AsyncSession, ref: str) -> Organisation:
    found = await find_organisations(tx, ref)
    if not found:
        raise OrgRefused(f"there is no organisation {ref!r}; see `pendamping orgs list`")
    if len(found) > 1:
        names = ", ".join(f"{o.id} ({o.name})" for o in found[:5])
        raise OrgRefused(f"{ref!r} may mean several organisations: {names}; give the id")
    return found[0]


def _refused(command: str, error: Exception) -> int:
    print(f"pendamping {command}: refused: {error}", file=sys.stderr)
    return 1


async def propose_(args: argparse.Namespace, context: Context) -> int:
    try:
        async with context.db.transaction() as tx:
            org, partner = await _org(tx, args.org), await _org(tx, args.partner)
            row = await propose(
                tx,
                organisation_id=org.id,
                partner_id=partner.id,
                staff=None,
                channel=CLI,
                now=context.now,
            )
            line = f"partnership {row.id} proposed: {org.name} -> {partner.name} (pending)"
    except (OrgRefused, PartnershipRefused) as error:
        return _refused("partners propose", error)
    print(line)
    print(f"{partner.name} confirms with `pendamping partners confirm {row.id} --org {partner.id}`")
    return 0


async def confirm_(args: argparse.Namespace, context: Context) -> int:
    try:
        async with context.db.transaction() as tx:
            org = await _org(tx, args.org)
            row = await confirm(
                tx, partnership_id=args.id, organisation_id=org.id, staff=None, channel=CLI,
                now=context.now,
            )  # fmt: skip
            line = f"partnership {row.id} is active"
    except (OrgRefused, PartnershipRefused) as error:
        return _refused("partners confirm", error)
    print(line)
    return 0


async def end_(args: argparse.Namespace, context: Context) -> int:
    try:
        async with context.db.transaction() as tx:
            ended = await end(
                tx, partnership_id=args.id, organisation_id=None, staff=None, channel=CLI,
                now=context.now,
            )  # fmt: skip
    except PartnershipRefused as error:
        return _refused("partners end", error)
    print(f"partnership {args.id} ended; referrals withdrawn: {len(ended.withdrawn)}")
    return 0


async def list_(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        rows = list((await tx.execute(select(Partnership).order_by(Partnership.id))).scalars())
        names = {o.id: o.name for o in (await tx.execute(select(Organisation))).scalars()}
    cells = [(p.id, names.get(p.organisation_id), names.get(p.partner_id), p.status) for p in rows]
    print(
        table(("id", "proposed by", "partner", "status"), cells) if cells else "no partnerships yet"
    )
    return 0


async def refer_(args: argparse.Namespace, context: Context) -> int:
    try:
        async with context.db.transaction() as tx:
            participant = await tx.get(Participant, args.participant)
            if participant is None or participant.organisation_id is None:
                raise ReferralRefused(
                    f"there is no participant {args.participant} with an organisation"
                )
            partner = await _org(tx, args.partner)
            program_id = await _program(tx, partner, args.program)
            referral = await refer(
                tx, participant=participant, organisation_id=participant.organisation_id,
                partner_id=partner.id, program_id=program_id, staff=None, channel=CLI,
                now=context.now,
            )  # fmt: skip
            line = f"referral {referral.id}: participant {participant.id} is asked for consent"
    except (OrgRefused, ReferralRefused) as error:
        return _refused("referrals add", error)
    print(line)
    return 0


async def _program(tx: AsyncSession, partner: Organisation, ref: str | None) -> int | None:
    if ref is None:
        return None
    query = select(Program).where(Program.organisation_id == partner.id)
    for program in (await tx.execute(query)).scalars():
        if str(program.id) == ref.strip() or program.name.lower() == ref.strip().lower():
            return program.id
    raise ReferralRefused(f"{partner.name} has no program {ref!r}; see `pendamping programs list`")


async def withdraw_(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        referral = await tx.get(Referral, args.id)
        done = referral is not None and await withdraw(
            tx, referral, by=WithdrawnBy.ORGANISATION, staff=None, channel=CLI, now=context.now
        )
    if not done:
        return _refused("referrals withdraw", ReferralRefused(f"no open referral {args.id}"))
    print(f"referral {args.id} withdrawn")
    return 0


async def referrals_list(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        rows = list((await tx.execute(select(Referral).order_by(Referral.id))).scalars())
        names = {o.id: o.name for o in (await tx.execute(select(Organisation))).scalars()}
    cells = [
        (r.id, r.participant_id, names.get(r.organisation_id), names.get(r.partner_id),
         r.program_id, r.status)
        for r in rows
    ]  # fmt: skip
    headers = ("id", "participant", "from", "partner", "program", "status")
    print(table(headers, cells) if cells else "no referrals yet")
    return 0
