"""Alert latency under load: while N participants sign up (bench/inbound.py's load), others
finish check-ins that raise flags; how long from their last answer to their caseworker's alert.

    python bench/alerts.py                                  # 200 signing up, 40 check-ins, SQLite
    python bench/alerts.py --participants 200 --troubled 40 --caseworkers 10
    python bench/alerts.py --database-url postgresql://postgres@127.0.0.1:5432/postgres --create-db

This process runs the fake Telegram Bot API (`tests/fakes/telegram/`) and every simulated
person in one event loop; the bot under test is `python -m bot.cli run`, as shipped, in its own
process(es). Seeded first (straight into the database): one organisation, `--caseworkers`
caseworkers each with a Telegram chat, and `--troubled` registered participants assigned to
them round-robin. Then, all at once: the `--participants` sign-ups of bench/inbound.py (its
script and checks), and the troubled participants, each starting after a random pause within
the first `--spread` seconds, answering /kabar's six questions with "1", "cari kerja",
"gak ada tempat tinggal", "kerja", "ya", and, as the last answer, "lewati".

Latency: from queuing the last answer at the fake to the fake accepting the caseworker's alert
naming that participant ("(#id)"). Target: p99 under 2 s. Exits 1 if an alert never arrived or
the sign-up load failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.databases import create_database, drop_database  # noqa: E402
from bench.inbound_run import (  # noqa: E402
    TOKEN,
    Outcome,
    StampingFake,
    converse,
    stop_process,
    user_of,
    wait_until_polling,
)
from bench.inbound_script import make_participants, script  # noqa: E402
from bot.config import normalise_database_url  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Address, Organisation, Participant, Staff  # noqa: E402
from tests.fakes.telegram import FakeTelegramAPI, FakeUser  # noqa: E402

TARGET_P99 = 2.0
SIGNUP_FIRST_ID = 710_000_001
CASEWORKER_FIRST_ID = 720_000_001
TROUBLED_FIRST_ID = 730_000_001
ANSWERS = ("1", "cari kerja", "gak ada tempat tinggal", "kerja", "ya")
LAST = "lewati"
ALERT_ID = re.compile(r"\(#(\d+)\)")


@dataclass
class Troubled:
    participant_id: int
    user_id: int
    caseworker_user: int
    last_sent: float | None = None
    answered: float | None = None  # when the fake accepted the bot's reply to the last answer


@dataclass
class Alerts:
    expected: int
    arrived: dict[int, float] = field(default_factory=dict)  # participant id -> fake's stamp
    everyone: asyncio.Event = field(default_factory=asyncio.Event)  # all expected arrived


async def seed(database_url: str, caseworkers: int, troubled: int) -> list[Troubled]:
    db = Database(normalise_database_url(database_url))
    await migrate.upgrade(db)
    now = datetime.now(UTC)
    people = []
    async with db.transaction() as tx:
        org = Organisation(name="Bapas Bench", kind="bapas", timezone="Asia/Jakarta")
        tx.add(org)
        await tx.flush()
        staff = []
        for index in range(caseworkers):
            member = Staff(organisation_id=org.id, role="caseworker", name=f"Pendamping {index}")
            tx.add(member)
            await tx.flush()
            chat = CASEWORKER_FIRST_ID + index
            tx.add(Address(staff_id=member.id, channel="telegram", value=str(chat)))
            staff.append((member.id, chat))
        for index in range(troubled):
            staff_id, chat = staff[index % caseworkers]
            person = Participant(
                status="active", name=f"Peserta {index}", timezone="Asia/Jakarta",
                language="id", interests=[], consent_at=now, registered_at=now,
                organisation_id=org.id, caseworker_id=staff_id,
            )  # fmt: skip
            tx.add(person)
            await tx.flush()
            user_id = TROUBLED_FIRST_ID + index
            tx.add(
                Address(
                    participant_id=person.id, channel="telegram", value=str(user_id),
                    last_inbound_at=now,
                )
            )  # fmt: skip
            people.append(Troubled(person.id, user_id, chat))
    await db.dispose()
    return people


async def next_question(user: FakeUser, timeout: float) -> dict[str, Any]:
    """Messages to `user` until one with buttons (each check-in question has them)."""
    while True:
        message = await user.next_message(timeout)
        if "reply_markup" in message:
            return message


async def check_in(
    fake: FakeTelegramAPI, person: Troubled, spread: float, timeout: float, failures: list[str]
) -> None:
    await asyncio.sleep(random.Random(person.user_id).uniform(0, spread))
    user = fake.user(person.user_id, "Peserta", language_code="id")
    try:
        user.send_text("/kabar")
        await next_question(user, timeout)
        for answer in ANSWERS:
            user.send_text(answer)
            await next_question(user, timeout)
        person.last_sent = time.perf_counter()
        user.send_text(LAST)
        person.answered = (await user.next_message(timeout))["bench_at"]
    except Exception as error:  # keep the others going; the run is reported invalid
        failures.append(f"participant {person.participant_id}: {type(error).__name__}: {error}")


async def watch(user: FakeUser, alerts: Alerts, stop: asyncio.Event) -> None:
    """A caseworker's chat: note when each participant's alert arrived."""
    while not stop.is_set():
        try:
            message = await user.next_message(0.5)
        except (TimeoutError, AssertionError):
            continue
        found = ALERT_ID.search(message.get("text", ""))
        if found:
            alerts.arrived.setdefault(int(found.group(1)), message["bench_at"])
            if len(alerts.arrived) >= alerts.expected:
                alerts.everyone.set()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def run(args: argparse.Namespace, workdir: Path) -> int:
    database_url = args.database_url
    if args.create_db:
        database_url = await create_database(args.database_url)
    elif database_url is None:
        database_url = f"sqlite:///{workdir / 'alerts.db'}"
    try:
        return await _measure(args, workdir, database_url)
    finally:
        if args.create_db:
            await drop_database(args.database_url, database_url)


async def _measure(args: argparse.Namespace, workdir: Path, database_url: str) -> int:
    troubled = await seed(database_url, args.caseworkers, args.troubled)
    signups = make_participants(
        args.participants, SIGNUP_FIRST_ID, 1, script(args.messages), args.seed
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_URL", "PENDAMPING_"))
    }
    env |= {
        "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "QUIET_HOURS": "off",
    }
    log_path = workdir / "bot.log"
    async with StampingFake(token=TOKEN, flood_limits=False) as fake:
        env["TELEGRAM_API_URL"] = fake.url
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", env=env, cwd=workdir, stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        try:
            await wait_until_polling(fake, process, args.start_timeout, log_path)
            caseworkers = {p.caseworker_user for p in troubled}
            chats = {
                chat: fake.user(chat, "Pendamping", language_code="id") for chat in caseworkers
            }
            for chat in chats.values():  # a bot may write only to chats that wrote to it
                chat.send_text("/menu")
                await chat.next_message(args.reply_timeout)
            alerts, stop, failures = Alerts(len(troubled)), asyncio.Event(), []
            watchers = [asyncio.create_task(watch(c, alerts, stop)) for c in chats.values()]
            load = Outcome()
            started = time.perf_counter()
            await asyncio.gather(
                *(converse(user_of(fake, p), p, "bot", load, args.reply_timeout) for p in signups),
                *(check_in(fake, p, args.spread, args.reply_timeout, failures) for p in troubled),
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(alerts.everyone.wait(), args.reply_timeout)
            wall = time.perf_counter() - started
            stop.set()
            await asyncio.gather(*watchers)
        finally:
            code = await stop_process(process)
    latencies = [
        alerts.arrived[p.participant_id] - p.last_sent
        for p in troubled
        if p.last_sent is not None and p.participant_id in alerts.arrived
    ]
    behind = [
        alerts.arrived[p.participant_id] - p.answered
        for p in troubled
        if p.answered is not None and p.participant_id in alerts.arrived
    ]
    missing = len(troubled) - len(latencies)
    print(
        f"load: {args.participants} sign-ups x {args.messages} inputs "
        f"({len(load.latencies)} answered in {wall:.1f} s, "
        f"p50 {statistics.median(load.latencies) if load.latencies else 0:.3f} s); "
        f"{len(troubled)} check-ins raising flags for {args.caseworkers} caseworkers; "
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores; bot exit {code}"
    )
    if latencies:
        p50, p99 = statistics.median(latencies), percentile(latencies, 0.99)
        verdict = "OK" if p99 < TARGET_P99 else "OVER TARGET"
        print(
            f"alert latency (last answer -> caseworker's alert at the fake), {len(latencies)} "
            f"alerts: p50 {p50:.3f} s, p99 {p99:.3f} s, max {max(latencies):.3f} s; "
            f"target p99 < {TARGET_P99:.0f} s: {verdict}"
        )
        print(
            f"  of which after the participant's own reply arrived: p50 "
            f"{statistics.median(behind):.3f} s, p99 {percentile(behind, 0.99):.3f} s "
            "(the rest is the turn itself under the load)"
        )
    problems = [*failures, *load.failures]
    if missing:
        problems.append(f"{missing} alert(s) never arrived within {args.reply_timeout} s")
    for problem in problems[:10]:
        print(f"INVALID: {problem}")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=200, help="signing up meanwhile")
    parser.add_argument("--messages", type=int, default=14, help="inputs per sign-up")
    parser.add_argument("--troubled", type=int, default=40, help="check-ins that raise flags")
    parser.add_argument("--caseworkers", type=int, default=10)
    parser.add_argument("--spread", type=float, default=10.0, help="s over which check-ins begin")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reply-timeout", type=float, default=60.0)
    parser.add_argument("--start-timeout", type=float, default=60.0)
    parser.add_argument("--database-url", help="PostgreSQL (default: a temporary SQLite file)")
    parser.add_argument("--create-db", action="store_true", help="a throw-away database on it")
    args = parser.parse_args()
    if args.create_db and not args.database_url:
        parser.error("--create-db needs --database-url")
    with tempfile.TemporaryDirectory(prefix="pendamping-alerts-") as workdir:
        return asyncio.run(run(args, Path(workdir)))


if __name__ == "__main__":
    raise SystemExit(main())
