"""`pendamping flags`: participant messages that wait for staff (help, danger, a new number)."""

from __future__ import annotations

import argparse
from typing import Any
from zoneinfo import ZoneInfo

from bot.cli.common import Context, group, leaf
from handlers.text import clean_line
from handlers.timefmt import zone_abbr
from storage.flags import open_flags, resolve_flag
from storage.models import Participant

REASONS = {
    "self_harm": "DANGER: self-harm",
    "violence": "DANGER: violence",
    "arrest": "DANGER: arrest",
    "relapse": "DANGER: relapse",
    "hardship": "needs help",
    "phone_change": "new phone number",
    "rsvp_note": "answer to a reminder",
    "message": "message",
    "low_mood": "check-in: mood 1 of 5",
    "no_home": "check-in: no safe place to live",
    "wants_contact": "check-in: asks to be contacted",
}


def add_flag_parsers(sub: Any) -> None:
    flags = group(sub, "flags", "messages from participants that wait for staff, urgent first")
    show = leaf(flags, "list", "open flags with the participant's message", flags_list)
    show.add_argument("--participant", type=int, help="only this participant's (id)")
    done = leaf(flags, "resolve", "mark a flag as dealt with", flags_resolve)
    done.add_argument("id", type=int, help="the flag's id, from `flags list`")


async def flags_list(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        found = await open_flags(tx, args.participant)
        names = {
            flag.participant_id: (await tx.get(Participant, flag.participant_id))
            for flag, _body in found
        }
    if not found:
        print("no open flags")
        return 0
    for flag, body in found:
        participant = names[flag.participant_id]
        who = participant.name if participant is not None and participant.name else "-"
        zone = participant.timezone if participant is not None else "UTC"
        when = flag.created_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M ")
        when += zone_abbr(zone) if zone != "UTC" else "UTC"
        print(
            f"#{flag.id}  {REASONS.get(flag.reason, flag.reason)}  "
            f"participant {flag.participant_id} ({who})  {when}"
        )
        print(f"    {clean_line(body) if body else '(no text: erased, or a voice note or photo)'}")
    return 0


async def flags_resolve(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        done = await resolve_flag(tx, args.id, context.now)
    if not done:
        print(f"pendamping flags resolve: no open flag {args.id}")
        return 1
    print(f"flag {args.id} resolved")
    return 0
