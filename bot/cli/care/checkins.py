"""`pendamping checkins`: the days after release an organisation or a program asks how people are."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.common import Context, group, leaf, typed
from handlers.alerts.rules import DEFAULT_ESCALATE_HOURS, Rules, rules_of
from handlers.checkins.planning import plan_all_checkins
from handlers.checkins.schedule import DEFAULT_DAYS, parse_days
from handlers.programs.admin import Refused, find_organisation
from storage.checkins.alerts import save_alert_rules
from storage.checkins.answers import set_schedule
from storage.models import AlertRules, Program

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
    alerts = leaf(
        checkins,
        "alerts",
        "which check-in answers alert staff at once, and when an alert goes up to the admins",
        set_alerts,
    )
    alerts.add_argument("--org", required=True, help="the organisation's id or exact name")
    for flag, what in SWITCHES.items():
        alerts.add_argument(f"--{flag}", choices=("on", "off"), help=what)
    alerts.add_argument(
        "--escalate-hours",
        type=int,
        help=f"hours before an alert nobody took on goes to the admins "
        f"(default {DEFAULT_ESCALATE_HOURS})",
    )


SWITCHES = {
    "mood-1": "mood 1 of 5 (very bad) alerts (default on)",
    "no-home": "no safe place to live alerts (default on)",
    "wants-contact": "asking to be contacted alerts (default on)",
}
MAX_ESCALATE_HOURS = 24 * 14


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


async def set_alerts(args: argparse.Namespace, context: Context) -> int:
    """Change the rules given (the others stay), then print them all."""
    hours = args.escalate_hours
    if hours is not None and not 1 <= hours <= MAX_ESCALATE_HOURS:
        raise Refused(f"--escalate-hours must be between 1 and {MAX_ESCALATE_HOURS}")
    async with context.db.transaction() as tx:
        org = await find_organisation(tx, args.org)
        rules = await rules_of(tx, org.id)
        switch = {
            "mood_1": args.mood_1,
            "no_home": args.no_home,
            "wants_contact": args.wants_contact,
        }
        rules = Rules(
            low_mood=rules.low_mood if switch["mood_1"] is None else switch["mood_1"] == "on",
            no_home=rules.no_home if switch["no_home"] is None else switch["no_home"] == "on",
            wants_contact=rules.wants_contact
            if switch["wants_contact"] is None
            else switch["wants_contact"] == "on",
            escalate_hours=rules.escalate_hours if hours is None else hours,
        )
        await save_alert_rules(
            tx,
            AlertRules(
                organisation_id=org.id,
                low_mood=rules.low_mood,
                no_home=rules.no_home,
                wants_contact=rules.wants_contact,
                escalate_hours=rules.escalate_hours,
            ),
        )

    def state(on: bool) -> str:
        return "on" if on else "off"

    print(
        f"organisation {org.id}: mood-1 {state(rules.low_mood)}, no-home {state(rules.no_home)}, "
        f"wants-contact {state(rules.wants_contact)}, escalate after {rules.escalate_hours} h; "
        "danger words always alert"
    )
    return 0
