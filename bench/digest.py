"""The morning digest at scale: plan and render every caseworker's digest over a realistic
organisation, and count the SQL statements each digest takes.

    python bench/digest.py                                   # SQLite (a temporary file)
    python bench/digest.py --database-url postgresql://postgres@127.0.0.1:5432/postgres --create-db
    python bench/digest.py --participants 6000 --caseworkers 40   # a quick look

The database holds `--participants` participants in 3 organisations with `--caseworkers`
caseworkers (each with a Telegram chat) and an admin per organisation. Caseloads differ on
purpose: 40% of the caseworkers have 50 people, 20% have 300, the rest share what is left.
Each organisation runs 10 programs with a session every week over 8 weeks (6 past, 2 ahead);
everyone has a seat in their program's sessions, with RSVP answers (some "Tidak bisa" and
reschedule requests, most handled), attendance for the past ones (some missed), a few people
stopped or unreachable, new sign-ups, pre-registered people released soon, and three check-ins
each (some unanswered, some flagged). All of it is bulk-inserted.

Measured, on the code the bot runs (handlers/digest/planning.py, handlers/outbox/delivery.py):
  plan      one `plan_digests` over every staff member (the hourly planner)
  render    each digest rendered as the dispatcher does (`prepare`: reach, compose, log), one
            transaction each; SQL statements counted with a SQLAlchemy `before_cursor_execute`
            listener. The baseline is the 50-person caseload in the same run: statements per
            digest must be the same at 300 people (no per-participant queries).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, insert, select  # noqa: E402

from bot.config import normalise_database_url  # noqa: E402
from handlers.digest.planning import plan_digests  # noqa: E402
from handlers.outbox.delivery import prepare  # noqa: E402
from handlers.reminders.rules import ReminderPolicy  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import (  # noqa: E402
    Address,
    Checkin,
    Enrolment,
    Flag,
    Organisation,
    Participant,
    Program,
    ProgramSession,
    ScheduledMessage,
    Staff,
)

NOW = datetime(2026, 11, 30, 0, 5, tzinfo=UTC)  # Monday, just after 07.00 WIB
SMALL, LARGE = 50, 300
PROGRAMS = 10
WEEKS_PAST, WEEKS_AHEAD = 6, 2
CHUNK = 5_000


def caseloads(participants: int, caseworkers: int) -> list[int]:
    """40% of the caseworkers with 50 people, 20% with 300, the rest share the remainder."""
    small = caseworkers * 2 // 5
    large = caseworkers // 5
    rest = caseworkers - small - large
    left = participants - small * SMALL - large * LARGE
    if rest <= 0 or left < rest:
        raise SystemExit("too few participants for these caseworkers: raise --participants")
    middle = [left // rest + (1 if i < left % rest else 0) for i in range(rest)]
    return [SMALL] * small + [LARGE] * large + middle


async def bulk(tx: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await tx.execute(insert(model), rows[start : start + CHUNK])


async def seed(db: Database, participants: int, caseworkers: int, rng: random.Random) -> None:
    loads = caseloads(participants, caseworkers)
    async with db.transaction() as tx:
        orgs = [
            {"id": i + 1, "name": f"Bapas {i + 1}", "kind": "bapas", "timezone": "Asia/Jakarta"}
            for i in range(3)
        ]
        await bulk(tx, Organisation, orgs)
        staff, addresses = [], []
        for i in range(caseworkers + 3):
            admin = i >= caseworkers
            staff.append({
                "id": i + 1, "organisation_id": (i % 3) + 1,
                "role": "admin" if admin else "caseworker", "name": f"Staf {i + 1}",
                "status": "active", "language": "id", "timezone": "Asia/Jakarta",
                "created_at": NOW - timedelta(days=90),
            })  # fmt: skip
            addresses.append({
                "staff_id": i + 1, "channel": "telegram", "value": str(900_000 + i),
                "created_at": NOW - timedelta(days=90),
            })  # fmt: skip
        await bulk(tx, Staff, staff)
        await bulk(tx, Address, addresses)
        programs, sessions = [], []
        for org in range(1, 4):
            for k in range(PROGRAMS):
                pid = (org - 1) * PROGRAMS + k + 1
                programs.append({
                    "id": pid, "organisation_id": org, "name": f"Program {k}",
                    "kind": "job_training", "created_at": NOW - timedelta(days=90),
                })  # fmt: skip
                first = NOW - timedelta(weeks=WEEKS_PAST) + timedelta(days=k % 7, hours=2)
                for week in range(WEEKS_PAST + WEEKS_AHEAD):
                    starts = first + timedelta(weeks=week)
                    sessions.append({
                        "id": len(sessions) + 1, "program_id": pid, "title": f"Sesi {k}",
                        "starts_at": starts, "ends_at": starts + timedelta(hours=2),
                        "timezone": "Asia/Jakarta", "place": "BLK", "status": "scheduled",
                        "open": False, "created_at": NOW - timedelta(days=90),
                        "updated_at": NOW - timedelta(days=90),
                    })  # fmt: skip
        await bulk(tx, Program, programs)
        await bulk(tx, ProgramSession, sessions)
        by_program = defaultdict(list)
        for row in sessions:
            by_program[row["program_id"]].append(row)
        people, seats = [], []
        next_id = 1
        for worker, load in enumerate(loads, start=1):
            org = ((worker - 1) % 3) + 1
            for _n in range(load):
                roll = rng.random()
                status = (
                    "stopped" if roll < 0.03 else
                    "unreachable" if roll < 0.05 else
                    "preregistered" if roll < 0.07 else "active"
                )  # fmt: skip
                registered = NOW - timedelta(days=rng.uniform(0.5, 60))
                people.append({
                    "id": next_id, "status": status, "name": f"Peserta{next_id} Contoh",
                    "timezone": "Asia/Jakarta", "language": "id", "interests": [],
                    "discreet": False, "organisation_id": org, "caseworker_id": worker,
                    "release_date": (NOW + timedelta(days=rng.randint(-3, 14))).date()
                    if status == "preregistered" else None,
                    "registered_at": registered, "consent_at": registered,
                    "created_at": registered, "updated_at": registered,
                })  # fmt: skip
                program = (org - 1) * PROGRAMS + rng.randrange(PROGRAMS) + 1
                for event_row in by_program[program]:
                    seats.append(_seat(next_id, event_row, rng))
                next_id += 1
        await bulk(tx, Participant, people)
        await bulk(tx, Enrolment, seats)
        checkins, flags = _checkins(people, rng)
        await bulk(tx, Checkin, checkins)
        await bulk(tx, Flag, flags)
    print(
        f"seeded {len(people):,} participants, {caseworkers} caseworkers + 3 admins, "
        f"{len(sessions)} sessions, {len(seats):,} seats, {len(checkins):,} check-ins, "
        f"{len(flags):,} flags"
    )


def _checkins(
    people: list[dict[str, Any]], rng: random.Random
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Three check-ins each (2 weeks, a week and a day ago), a fifth unanswered, mood 1 or no
    safe place flagged (some resolved)."""
    checkins: list[dict[str, Any]] = []
    flags: list[dict[str, Any]] = []
    for person in people:
        if person["status"] == "preregistered":
            continue
        for days in (14, 7, 1):
            started = NOW - timedelta(days=days, hours=rng.uniform(0, 6))
            answered = rng.random() >= 0.2
            checkin = {
                "id": len(checkins) + 1, "participant_id": person["id"],
                "organisation_id": person["organisation_id"], "started_at": started,
                "status": "complete" if answered else "expired", "channel": "telegram",
                "mood": rng.randint(1, 5) if answered else None,
                "housing": rng.choice(("yes", "yes", "yes", "no")) if answered else None,
                "help_answered": answered, "note_answered": answered, "media_stored": False,
            }  # fmt: skip
            checkins.append(checkin)
            for reason, raised in (
                ("low_mood", checkin["mood"] == 1),
                ("no_home", checkin["housing"] == "no"),
            ):
                if raised:
                    flags.append({
                        "participant_id": person["id"], "checkin_id": checkin["id"],
                        "reason": reason, "urgent": True, "created_at": started,
                        "status": "resolved" if rng.random() < 0.7 else "open",
                    })  # fmt: skip
    return checkins, flags


def _seat(pid: int, event_row: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    starts: datetime = event_row["starts_at"]
    rsvp = rng.choices(["yes", "no", "reschedule", None], weights=[60, 8, 4, 28])[0]
    past = starts < NOW
    handled = rsvp in ("no", "reschedule") and starts < NOW - timedelta(days=3)
    handled = handled and rng.random() < 0.9
    attendance = (rng.choices(["attended", "absent"], weights=[85, 15])[0]) if past else None
    return {
        "participant_id": pid, "session_id": event_row["id"], "status": "enrolled",
        "rsvp": rsvp, "rsvp_at": starts - timedelta(days=1) if rsvp else None,
        "attendance": attendance,
        "attendance_at": starts + timedelta(hours=3) if attendance else None,
        "handled_at": starts if handled else None, "handled_by": None,
        "created_at": starts - timedelta(days=7),
    }  # fmt: skip


class Statements:
    """Counts the SQL statements the engine sends (a `before_cursor_execute` listener)."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


async def run(url: str, participants: int, caseworkers: int, seed_value: int) -> None:
    db = Database(url)
    try:
        await migrate.upgrade(db)
        started = time.perf_counter()
        await seed(db, participants, caseworkers, random.Random(seed_value))
        print(f"seed: {time.perf_counter() - started:.1f} s\n")
        statements = Statements(db)
        async with db.transaction() as tx:
            started = time.perf_counter()
            statements.count = 0
            planned = await plan_digests(tx, NOW - timedelta(hours=1))
            plan_s = time.perf_counter() - started
        print(f"plan: {planned} digest rows for {caseworkers + 3} staff members in "
              f"{plan_s * 1000:.0f} ms, {statements.count} statements")  # fmt: skip
        await render_all(db, statements)
    finally:
        await db.dispose()


async def render_all(db: Database, statements: Statements) -> None:
    async with db.transaction() as tx:
        query = (
            select(ScheduledMessage.id, Staff.id, Staff.role)
            .join(Staff, Staff.id == ScheduledMessage.staff_id)
            .where(ScheduledMessage.kind == "digest", ScheduledMessage.due_at <= NOW)
        )
        rows = list(await tx.execute(query))
        counted = select(Participant.caseworker_id, func.count(Participant.id)).group_by(
            Participant.caseworker_id
        )
        loads = {worker: int(n) for worker, n in await tx.execute(counted)}
    by_load: dict[str, list[tuple[int, float, int]]] = defaultdict(list)
    policy = ReminderPolicy()
    total_started = time.perf_counter()
    for row_id, staff_id, role in rows:
        async with db.transaction() as tx:
            statements.count = 0
            started = time.perf_counter()
            [delivery] = await prepare(tx, [row_id], NOW, policy, {"telegram"})
            took = time.perf_counter() - started
            count = statements.count
        label = "admin (org)" if role == "admin" else str(loads.get(staff_id, 0))
        by_load[label].append((count, took, len(delivery.reply.text)))
    total = time.perf_counter() - total_started
    print(f"render: {len(rows)} digests in {total:.2f} s\n")
    print(f"{'caseload':>12} {'digests':>8} {'statements':>11} {'ms median':>10} "
          f"{'ms max':>8} {'chars':>6}")  # fmt: skip
    order = sorted(by_load, key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0))
    for label in order:
        found = by_load[label]
        counts = sorted({c for c, _t, _n in found})
        times = [t * 1000 for _c, t, _n in found]
        print(
            f"{label:>12} {len(found):>8} {'/'.join(map(str, counts)):>11} "
            f"{statistics.median(times):>10.1f} {max(times):>8.1f} "
            f"{int(statistics.median(n for _c, _t, n in found)):>6}"
        )
    small = {c for c, _t, _n in by_load.get(str(SMALL), [])}
    large = {c for c, _t, _n in by_load.get(str(LARGE), [])}
    print(
        f"\nstatements per digest at {SMALL} vs {LARGE} people: "
        f"{'/'.join(map(str, sorted(small)))} vs {'/'.join(map(str, sorted(large)))} -> "
        + ("equal: flat" if small == large else "NOT EQUAL: a query per participant crept in")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=30_000)
    parser.add_argument("--caseworkers", type=int, default=200)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument(
        "--create-db", action="store_true", help="PostgreSQL: make a throw-away database"
    )
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    if args.database_url is None:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{folder}/digest.db"
            asyncio.run(run(url, args.participants, args.caseworkers, args.seed))
        return
    asyncio.run(_on_postgres(args))


async def _on_postgres(args: argparse.Namespace) -> None:
    from bench.databases import create_database, drop_database

    url = normalise_database_url(args.database_url)
    target = await create_database(url) if args.create_db else url
    try:
        await run(target, args.participants, args.caseworkers, args.seed)
    finally:
        if args.create_db:
            await drop_database(url, target)


if __name__ == "__main__":
    main()
