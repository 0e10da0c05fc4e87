"""The appointment commands: one-to-one counselling and mandatory reporting, maybe recurring."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.cli.common import Context, group, leaf, table, typed
from handlers.programs.admin import APPOINTMENT_KINDS, find_organisation, find_participant
from handlers.programs.appointments import (
    add_appointment,
    appointments_overview,
    cancel_appointment,
)
from handlers.programs.recurrence import occurrences, parse_recurrence
from handlers.programs.values import (
    LIMITS,
    InputError,
    checked_text,
    local_label,
    parse_date,
    parse_local,
    parse_timezone,
)
from storage.models import Appointment

UPCOMING_SHOWN = 4  # dates of a series that `appointments add` prints


def add_appointment_parsers(sub: Any, *, zone_help: str) -> None:
    """`appointments add|list|cancel`."""
    appointments = group(sub, "appointments", "one-to-one appointments: counselling, wajib lapor")
    add = leaf(appointments, "add", "add an appointment and plan its reminders", appointments_add)
    add.add_argument("--participant", type=int, required=True, help="participant id")
    add.add_argument("--org", required=True, help="the organisation's id or exact name")
    add.add_argument("--kind", required=True, choices=sorted(APPOINTMENT_KINDS))
    add.add_argument("--start", required=True, help='first one, local: "2026-12-07 09:00"')
    add.add_argument(
        "--timezone", type=typed(parse_timezone), help=f"{zone_help}; default: the organisation's"
    )
    add.add_argument("--duration", type=int, default=60, help="minutes (default 60)")
    add.add_argument(
        "--every",
        type=typed(parse_recurrence),
        help="weekly, 2weeks or monthly:5 (on the 5th; monthly:31 is the last day of short months)",
    )
    add.add_argument("--until", type=typed(parse_date), help="last day, e.g. 2027-03-01")
    add.add_argument("--place", required=True)
    add.add_argument("--bring", help="what to bring, e.g. 'kartu wajib lapor'")
    add.add_argument("--contact", help="who to call")
    add.add_argument("--caseworker", help="the officer's name, e.g. 'Bu Rina (PK)'")

    lst = leaf(appointments, "list", "list appointments", appointments_list)
    lst.add_argument("--participant", type=int, help="only this participant's")

    cancel = leaf(
        appointments, "cancel", "stop an appointment and its reminders", appointments_cancel
    )
    cancel.add_argument("id", type=int)


async def appointments_add(args: argparse.Namespace, context: Context) -> int:
    if args.until is not None and args.every is None:
        raise InputError("--until needs --every: a one-off appointment has no last day")
    if not 5 <= args.duration <= 12 * 60:
        raise InputError(f"--duration {args.duration} must be 5 to 720 minutes")
    place = checked_text(args.place, "--place", LIMITS["place"])
    if place is None:
        raise InputError("--place is empty: say where to come")
    async with context.db.transaction() as tx:
        participant = await find_participant(tx, args.participant)
        org = await find_organisation(tx, args.org)
        zone = args.timezone or org.timezone
        asked = parse_local(args.start, zone, "--start")
        until = None
        if args.until is not None:  # through the whole last day, local time
            next_day = datetime.combine(args.until + timedelta(days=1), time(0), ZoneInfo(zone))
            until = next_day.astimezone(UTC)
        series = upcoming_dates(asked, zone, args.every)
        starts_at = series[0]  # monthly:31 from the 7th starts on the next 31st, not on the 7th
        if until is not None and until <= starts_at:
            raise InputError(
                f"--until {args.until} is before the first appointment, "
                f"{local_label(starts_at, zone)}"
            )
        series = [moment for moment in series if until is None or moment < until]
        appointment = Appointment(
            participant_id=participant.id,
            organisation_id=org.id,
            kind=APPOINTMENT_KINDS[args.kind],
            caseworker=checked_text(args.caseworker, "--caseworker", 120),
            starts_at=starts_at,
            duration_minutes=args.duration,
            timezone=zone,
            recurrence=args.every,
            until=until,
            place=place,
            bring=checked_text(args.bring, "--bring", LIMITS["bring"]),
            contact=checked_text(args.contact, "--contact", LIMITS["contact"]),
            active=True,
            created_at=context.now,
        )
        planned = await add_appointment(tx, appointment, participant, context.now, context.policy)
    days = context.policy.horizon.days
    print(
        f"added appointment {appointment.id}: {appointment.kind} with {org.name}, "
        f"first {local_label(starts_at, zone)}, {repeats(appointment)}"
    )
    if starts_at != asked:
        print(
            f"note: --start {local_label(asked, zone)} is not on the day the rule gives; "
            f"the first appointment is {local_label(starts_at, zone)}"
        )
    if len(series) > 1:
        dates = [f"{moment.astimezone(ZoneInfo(zone)):%a %Y-%m-%d}" for moment in series]
        more = ", ..." if len(series) == UPCOMING_SHOWN else " (the last one)"
        print(f"dates: {', '.join(dates)}{more}")
    print(
        f"{planned} occurrence(s) in the next {days} days planned, with confirmation and reminders"
    )
    return 0


async def appointments_list(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        found = await appointments_overview(tx, args.participant, context.now)
    rows = [
        (
            a.id,
            a.participant_id,
            a.organisation.name,
            a.kind,
            repeats(a),
            local_label(a.starts_at, a.timezone),
            local_label(nxt, a.timezone) if nxt else None,
            a.place,
            "active" if a.active else "cancelled",
        )
        for a, nxt in found
    ]
    headers = (
        "id",
        "participant",
        "organisation",
        "kind",
        "repeats",
        "first",
        "next",
        "place",
        "status",
    )
    print(table(headers, rows) if rows else "no appointments")
    return 0


async def appointments_cancel(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        occurrences, withdrawn = await cancel_appointment(tx, args.id, context.now, context.policy)
    print(
        f"cancelled appointment {args.id}: {occurrences} upcoming occurrence(s) cancelled, "
        f"{withdrawn} unsent reminder(s) withdrawn; the participant will be told"
    )
    return 0


def upcoming_dates(
    start: datetime, zone: str, rule: str | None, count: int = UPCOMING_SHOWN
) -> list[datetime]:
    """The first `count` dates of a series from `start` (just `start` for a one-off), as the
    reminders will plan them: monthly:31 falls on the 30th or the 28th/29th in shorter months."""
    if rule is None:
        return [start]
    window = timedelta(days=count * 12 * 7 + 62)  # count steps of the longest rule, every 12 weeks
    return occurrences(start, zone, rule, None, start, start + window)[:count]


def repeats(appointment: Appointment) -> str:
    """ "once", "every week", "every 2 weeks until 2027-03-01", "monthly on day 5"."""
    rule = appointment.recurrence
    if rule is None:
        return "once"
    kind, number = rule.split(":")
    text = f"monthly on day {number}" if kind == "monthly" else "every week"
    if kind == "monthly" and int(number) > 28:
        text += " (the last day in shorter months)"
    if kind == "weekly" and number != "1":
        text = f"every {number} weeks"
    if appointment.until is not None:
        last = appointment.until.astimezone(ZoneInfo(appointment.timezone)) - timedelta(days=1)
        text += f" until {last:%Y-%m-%d}"
    return text
