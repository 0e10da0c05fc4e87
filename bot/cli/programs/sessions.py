"""The session commands: add, import, list, cancel, move; enrolment and attendance."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.cli.common import Context, group, leaf, table, typed
from handlers.programs.admin import (
    Refused,
    add_sessions,
    existing_session_keys,
    find_participant,
    find_program,
    find_session,
    join_program,
    mark_many,
    program_refs,
    session_roster,
    sessions_overview,
)
from handlers.programs.changes import cancel_session, move_session
from handlers.programs.csv_import import SessionRow
from handlers.programs.spreadsheet import parse_sessions_file
from handlers.programs.values import (
    LIMITS,
    InputError,
    checked_text,
    city_zone_problem,
    local_label,
    parse_capacity,
    parse_local,
    parse_map_url,
    parse_offsets,
    parse_timezone,
    resolve_city,
)
from handlers.reminders.planning import enrol
from storage.models import EnrolmentStatus, ParticipantStatus, ProgramSession

ATTENDANCE = {"attended": True, "hadir": True, "absent": False, "tidak_hadir": False}
NOT_REACHED = {
    ParticipantStatus.STOPPED: "asked for no messages (/berhenti) until they send /mulai",
    ParticipantStatus.UNREACHABLE: "cannot be reached (blocked the bot?) until they write again",
}


def add_session_parsers(sub: Any, *, zone_help: str, offsets_help: str) -> None:
    """`sessions add|import|list|cancel|move`, `enrol` and `attendance mark`."""
    sessions = group(sub, "sessions", "sessions of a program: add, import, list, cancel, move")
    add = leaf(sessions, "add", "add one session; the program's members are enrolled", sessions_add)
    add.add_argument("--program", required=True, help="the program's id or exact name")
    add.add_argument("--start", required=True, help='local date and time, e.g. "2026-12-01 09:00"')
    add.add_argument("--end", required=True, help='"2026-12-01 12:00", or "12:00" for the same day')
    add.add_argument(
        "--timezone", type=typed(parse_timezone), help=f"{zone_help}; default: the organisation's"
    )
    add.add_argument("--place", required=True, help="where, as participants should read it")
    add.add_argument("--map-url", type=typed(parse_map_url), help="a map link to the place")
    add.add_argument("--bring", help="what to bring, e.g. 'KTP, surat lepas'")
    add.add_argument("--capacity", type=typed(parse_capacity), help="seats (default: no limit)")
    add.add_argument("--contact", help="who to call, e.g. 'Pak Ahmad 0812...'")
    add.add_argument(
        "--city", type=typed(resolve_city), help='kabupaten/kota, e.g. "kota pekalongan"'
    )
    add.add_argument("--open", action="store_true", help="participants may join it themselves")
    add.add_argument("--title", help="default: the program's name")
    add.add_argument("--offsets", type=typed(parse_offsets), help=offsets_help)

    imp = leaf(
        sessions,
        "import",
        "add sessions from a CSV or XLSX file (see docs/sessions-import.md)",
        sessions_import,
    )
    imp.add_argument("file", type=Path, help="the .csv (UTF-8; comma or semicolon) or .xlsx file")
    imp.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    lst = leaf(sessions, "list", "list upcoming sessions", sessions_list)
    lst.add_argument("--program", help="only this program (id or exact name)")
    lst.add_argument("--all", action="store_true", help="past sessions too")

    show = leaf(
        sessions, "show", "who is in a session: answers, reasons, attendance", sessions_show
    )
    show.add_argument("id", type=int)

    cancel = leaf(
        sessions, "cancel", "cancel a session; enrolled participants are told", sessions_cancel
    )
    cancel.add_argument("id", type=int)

    move = leaf(sessions, "move", "move a session; enrolled participants are told", sessions_move)
    move.add_argument("id", type=int)
    move.add_argument("--start", required=True, help="new local start, in the session's zone")
    move.add_argument("--end", help='new end ("12:00" for the same day); default: same duration')
    move.add_argument("--place", help="new place (default: unchanged)")

    enrolment = leaf(sub, "enrol", "enrol a participant in a session or a whole program", enrol_cmd)
    enrolment.add_argument("--participant", type=int, required=True, help="participant id")
    which = enrolment.add_mutually_exclusive_group(required=True)
    which.add_argument("--session", type=int, help="session id")
    which.add_argument(
        "--program", help="program id or exact name: all its sessions, now and later"
    )

    attendance = group(sub, "attendance", "attendance at sessions")
    mark = leaf(
        attendance,
        "mark",
        "record who came; a missed session earns one kind follow-up",
        attendance_mark,
    )
    mark.add_argument("--session", type=int, required=True)
    mark.add_argument("--participant", type=int, action="append", required=True, help="repeatable")
    mark.add_argument("--status", required=True, choices=sorted(ATTENDANCE))


async def sessions_add(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        program = await find_program(tx, args.program)
        zone = args.timezone or program.organisation.timezone
        starts_at = parse_local(args.start, zone, "--start")
        day = starts_at.astimezone(ZoneInfo(zone)).date()
        ends_at = parse_local(args.end, zone, "--end", day=day)
        if ends_at <= starts_at:
            raise InputError(f"--end {args.end!r} is not after --start {args.start!r}")
        place = checked_text(args.place, "--place", LIMITS["place"])
        if place is None:
            raise InputError("--place is empty: say where the session takes place")
        if args.city and (problem := city_zone_problem(args.city, zone)):
            raise InputError(f"{problem}: give --timezone for the place (or check --city)")
        row = SessionRow(
            line=0,
            program_id=program.id,
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=zone,
            place=place,
            title=checked_text(args.title, "--title", LIMITS["title"]),
            map_url=args.map_url,
            bring=checked_text(args.bring, "--bring", LIMITS["bring"]),
            capacity=args.capacity,
            contact=checked_text(args.contact, "--contact", LIMITS["contact"]),
            city_key=args.city,
            open=args.open,
            offsets=args.offsets,
        )
        [(event, enrolled)] = await add_sessions(tx, [row], context.now, context.policy)
    print(f"added session {event.id}: {describe(event)}; {enrolled} program member(s) enrolled")
    return 0


async def sessions_import(args: argparse.Namespace, context: Context) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {args.file}: {error.strerror}") from None
    async with context.db.transaction() as tx:
        programs = await program_refs(tx)
        existing = await existing_session_keys(tx, context.now)
    parsed = parse_sessions_file(data, programs=programs, existing=existing, now=context.now)
    added = []
    if parsed.rows and not args.dry_run:
        try:  # all good rows or none; add_sessions checks them again against the database
            async with context.db.transaction() as tx:
                added = await add_sessions(tx, parsed.rows, context.now, context.policy)
        except Refused as error:
            raise Refused(f"{error}; nothing was imported") from None
    for line, reason in parsed.errors:
        print(f"line {line}: {reason}", file=sys.stderr)
    refused = {line for line, _reason in parsed.errors}
    if args.dry_run:
        print(f"dry run: {len(parsed.rows)} session(s) would be imported; nothing was written")
    else:
        ids = ", ".join(str(event.id) for event, _enrolled in added)
        print(f"imported {len(added)} session(s)" + (f" (ids {ids})" if ids else ""))
    if refused:
        print(
            f"refused {len(refused)} row(s): fix them and import those rows again", file=sys.stderr
        )
        return 1
    return 0


async def sessions_list(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        program = await find_program(tx, args.program) if args.program else None
        found = await sessions_overview(tx, context.now, program.id if program else None, args.all)
    rows = [
        (
            e.id,
            e.program.name,
            e.title,
            local_label(e.starts_at, e.timezone),
            e.place,
            e.status,
            f"{enrolled}/{e.capacity if e.capacity is not None else '-'}",
            waitlisted,
        )
        for e, enrolled, waitlisted in found
    ]
    headers = ("id", "program", "title", "start", "place", "status", "enrolled", "waitlisted")
    print(
        table(headers, rows)
        if rows
        else "no sessions" + ("" if args.all else " ahead (--all shows past ones)")
    )
    return 0


ANSWERS = {"yes": "hadir", "no": "tidak bisa", "reschedule": "minta jadwal ulang"}


async def sessions_show(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        event = await find_session(tx, args.id)
        roster = await session_roster(tx, event.id)
    when = local_label(event.starts_at, event.timezone)
    print(f"session {event.id}: {event.display_title}, {when}, {event.place} ({event.status})")
    rows = [
        (
            person.id,
            person.name if person.status != ParticipantStatus.ERASED else "(erased)",
            enrolment.status,
            ANSWERS.get(enrolment.rsvp or ""),
            enrolment.reschedule_days,
            enrolment.reschedule_reason,
            enrolment.attendance,
        )
        for enrolment, person in roster
    ]
    headers = ("id", "name", "seat", "answer", "days", "reason", "attendance")
    print(table(headers, rows) if rows else "nobody is enrolled yet")
    return 0


async def sessions_cancel(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        event = await find_session(tx, args.id, upcoming_at=context.now)
        changed = await cancel_session(tx, event, context.now, context.policy)
    print(f"cancelled session {event.id}: {describe(event)}")
    print(
        f"{changed.notified} participant(s) will be told; "
        f"{changed.reminders_cancelled} unsent message(s) withdrawn"
    )
    return 0


async def sessions_move(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        event = await find_session(tx, args.id, upcoming_at=context.now)
        zone = event.timezone
        starts_at = parse_local(args.start, zone, "--start")
        if args.end is None:
            ends_at = starts_at + (event.ends_at - event.starts_at)
        else:
            day = starts_at.astimezone(ZoneInfo(zone)).date()
            ends_at = parse_local(args.end, zone, "--end", day=day)
        if starts_at == event.starts_at:
            # Reminder keys carry the start time: re-planning the same start would find the
            # withdrawn rows and plan nothing. Until that changes, a move must change the start.
            raise Refused(
                f"session {event.id} already starts at {local_label(starts_at, zone)}; "
                "a move needs a new --start (changing only the end or place is not supported yet)"
            )
        place = checked_text(args.place, "--place", LIMITS["place"])
        changed = await move_session(
            tx, event, starts_at, ends_at, context.now, context.policy, place=place
        )
    print(f"moved session {event.id}: {describe(event)}")
    print(f"{changed.notified} participant(s) will be told; reminders planned at the new time")
    return 0


async def enrol_cmd(args: argparse.Namespace, context: Context) -> int:
    async with context.db.transaction() as tx:
        participant = await find_participant(tx, args.participant)
        if args.session is not None:
            event = await find_session(tx, args.session, upcoming_at=context.now)
            result = await enrol(tx, participant, event, context.now, context.policy, confirm=True)
            seated = result.enrolment.status == EnrolmentStatus.ENROLLED
            word = ("" if result.new else "already ") + ("enrolled" if seated else "waitlisted")
            what = f"session {event.id} ({describe(event)})"
        else:
            program = await find_program(tx, args.program)
            joined = await join_program(tx, participant, program, context.now, context.policy)
            word = "already a member" if joined.was_member else "joined"
            what = (
                f"program {program.id} ({program.name}): enrolled in {joined.enrolled} "
                f"upcoming session(s), waitlisted for {joined.waitlisted}; sessions added "
                "later include them too"
            )
    print(f"{word}: participant {participant.id}, {what}")
    if participant.status in NOT_REACHED:
        print(
            f"note: participant {participant.id} {NOT_REACHED[participant.status]}; "
            "no reminders reach them until then",
            file=sys.stderr,
        )
    return 0


async def attendance_mark(args: argparse.Namespace, context: Context) -> int:
    attended = ATTENDANCE[args.status]
    ids = list(dict.fromkeys(args.participant))
    async with context.db.transaction() as tx:
        event = await find_session(tx, args.session)
        await mark_many(tx, event, ids, attended, context.now, context.policy)
    word = "attended" if attended else "absent; each gets one follow-up message"
    print(f"session {event.id}: {len(ids)} participant(s) marked {word}")
    return 0


def describe(event: ProgramSession) -> str:
    """ "Pelatihan Las, 2026-12-01 09:00 WIB to 12:00, Aula Rutan"."""
    zone = ZoneInfo(event.timezone)
    start, end = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    until = f"{end:%H:%M}" if end.date() == start.date() else local_label(end, event.timezone)
    return f"{event.display_title}, {local_label(start, event.timezone)} to {until}, {event.place}"
