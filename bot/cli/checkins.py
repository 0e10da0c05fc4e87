"""`pendamping checkins`: the days after release an organisation or a program asks how people are."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import Context, group, leaf, typed
from handlers.checkins.planning import plan_all_checkins
from handlers.checkins.schedule import DEFAULT_DAYS, parse_days
from handlers.programs.admin import Refused, find_organisation
from storage.checkins import set_schedule
from storage.models import Program

DAYS_HELP = (
    "days after release (or sign-up), e.g. 3,7,14,30,60,90 "
    f"(default: {','.join(str(day) for day in DEFAULT_DAYS)})"
)


def add_checkin_parsers(sub: Any) -> None:
    checkins = group(sub, "checkins", "check-ins: how participants are doing after release")
    schedule = leaf(
        checkins, "schedule", "set the check-in days of an organisation or program", set_days
    )
    schedule.add_argument("--org", required=True, help="the organisation's id or exact name")
    schedule.add_argument("--program", type=int, help="only for this program of it (id)")
    schedule.add_argument("--days", required=True, type=typed(parse_days), help=DAYS_HELP)


async def set_days(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        org = await find_organisation(tx, args.org)
        if args.program is not None:
            program = await tx.get(Program, args.program)
            if program is None or program.organisation_id != org.id:
                raise Refused(
                    f"organisation {org.id} has no program {args.program}; "
                    "see `pendamping programs list`"
                )
        await set_schedule(tx, org.id, args.program, args.days)
        # Re-plan at once: everyone's rows follow the new days (the hourly planner would too).
        await plan_all_checkins(tx, context.now, context.policy)
    where = f"program {args.program}" if args.program is not None else f"organisation {org.id}"
    print(f"{where}: check-ins on days {','.join(str(day) for day in args.days)}")
    return 0
