"""Inbound load: N simulated participants sign up with the real bot, compared with a bare PTB echo bot.

    python bench/inbound.py --participants 200
    python bench/inbound.py --participants 200 --database-url postgresql://postgres@127.0.0.1:5432/postgres --create-db

This process runs the fake Telegram Bot API (`tests/fakes/telegram/`) and the participants
in one event loop; the bot under test (`python -m bot.cli run`) and then the echo bot
(`bench/echo_bot.py`) each run as their own process against a fresh fake, under the same load.

Every participant is one Telegram user (distinct ids) who sends one input, waits for the bot's
last reply to it (the script knows how many messages each input gets: 1-2 from the bot, exactly
1 from the echo bot), records the latency from sending to that last reply, and sends the next.
All participants run at once. Throughput = answered inputs / wall time of the measured phase.

The run is checked: every participant finished, each reply count and each question's buttons
were what the script expects, nothing extra arrived, and afterwards the bot's database holds the
participants as active with every inbound and outbound message logged and marked sent.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fakes.telegram import FakeTelegramAPI, FakeUser  # noqa: E402

TOKEN = "123456:BENCH"
FIRST_ID = 710_000_001  # participants; warm-up users count down from FIRST_ID - 1


# --------------------------------------------------------------------------------------
# The conversation script
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Say:
    kind: str  # "text" or "press" (callback data of a button of the bot's last keyboard)
    value: str


@dataclass(frozen=True)
class Step:
    name: str
    variants: tuple[Say, ...]  # one is picked per participant (seeded)
    replies: int  # messages the bot sends for this input
    expect: str | None = None  # the last reply's inline button prefix, "keyboard", or None


def texts(*values: str) -> tuple[Say, ...]:
    return tuple(Say("text", v) for v in values)


def presses(*values: str) -> tuple[Say, ...]:
    return tuple(Say("press", v) for v in values)


SIGNUP: tuple[Step, ...] = (
    Step("first message", texts("halo", "Halo kak", "permisi"), 1, "consent:"),
    Step("consent", texts("setuju", "iya setuju"), 2, "name:"),
    Step("profile name", texts("ya", "iya", "benar"), 2, "cat:"),
    Step(
        "category",
        presses("cat:youth", "cat:former_inmate", "cat:bapas_client")
        + texts("remaja", "mantan napi", "klien bapas"),
        1,
    ),
    Step(
        "city",
        texts("kab. serang", "kota ambon", "jaksel", "kota bandung", "makassar", "kab. sleman"),
        1,
        "zone:",
    ),
    Step("time zone", texts("benar", "iya", "betul"), 1, "keyboard"),
    Step("phone", texts("0812 3456 7890"), 2, "int:"),  # the number is made per participant
    Step(
        "interests",
        texts("pelatihan dan konseling", "pelatihan kerja", "konseling, hukum", "usaha"),
        2,
        "time:",
    ),
    Step(
        "time of day",
        presses("time:morning", "time:midday", "time:afternoon", "time:evening"),
        1,
        "discreet:",
    ),
    # A former inmate is asked whether to turn discreet mode off ("Mau dimatikan?"), anyone else
    # whether to turn it on: either way any answer moves on to the summary.
    Step("discreet", texts("iya", "tidak", "ya"), 1, "summary:"),
    Step("summary", texts("benar", "betul"), 1),
)
AFTER: tuple[Step, ...] = (  # cycled after the sign-up when --messages asks for more
    Step("/jadwal", texts("/jadwal"), 1),
    # A thank-you is answered; anything else is passed on to the person's caseworker, with one
    # reply that says so.
    Step("free text", texts("terima kasih", "ok makasih", "kapan pelatihannya?"), 1),
    Step("/profil", texts("/profil"), 1, "profile:"),
    Step("/start", texts("/start"), 1, "cmd:"),
)
DEFAULT_AFTER = 3  # the whole script: sign-up, then /jadwal, a free text and /profil

NAMES = (
    "Budi Santoso", "Siti Aminah", "Agus Salim", "Dewi Lestari", "Rudi Hartono", "Wahyu",
    "Nur Aisyah", "Andi Pratama", "Rina Wati", "Joko", "Yohanes Rumbiak", "Made Sudarsana",
)  # fmt: skip


def script(messages: int) -> list[Step]:
    steps = list(SIGNUP[:messages])
    for i in range(max(0, messages - len(SIGNUP))):
        steps.append(AFTER[i % len(AFTER)])
    return steps


@dataclass
class Participant:
    user_id: int
    name: str
    plan: list[tuple[Step, Say]]


def make_participants(
    count: int, first_id: int, step_: int, steps: list[Step], seed: int
) -> list[Participant]:
    people = []
    for index in range(count):
        user_id = first_id + index * step_
        rng = random.Random(f"{seed}:{user_id}")
        plan = []
        for step in steps:
            say = rng.choice(step.variants)
            if step.name == "phone":
                say = Say("text", f"0812 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}")
            plan.append((step, say))
        people.append(Participant(user_id, rng.choice(NAMES), plan))
    return people


# --------------------------------------------------------------------------------------
# The fake, with a timestamp on every message it delivers
# --------------------------------------------------------------------------------------
class StampingFake(FakeTelegramAPI):
    """Stamps each delivered bot message with the moment the fake accepted it."""

    def _deliver(self, state: Any, record: dict[str, Any]) -> None:
        record["bench_at"] = time.perf_counter()  # a copy for the inbox, not sent to the bot
        super()._deliver(state, record)


class RunError(Exception):
    pass


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    finished: int = 0
    replies: int = 0


async def converse(
    user: FakeUser, person: Participant, target: str, outcome: Outcome, timeout: float
) -> None:
    """One participant's conversation, one input at a time."""
    try:
        for step, say in person.plan:
            expected = step.replies if target == "bot" else 1
            started = time.perf_counter()
            if say.kind == "text":
                user.send_text(say.value)
            elif target == "bot":
                user.press(say.value)  # strict: the button must be on the bot's last keyboard
            else:
                user.press(say.value, user.inbox[-1]["message_id"], strict=False)
            record: dict[str, Any] = {}
            for _ in range(expected):
                record = await user.next_message(timeout)
            outcome.latencies.append(record["bench_at"] - started)
            outcome.replies += expected
            problem = check(record, step, say, target)
            if problem:
                raise RunError(f"after {step.name} ({say.value!r}): {problem}")
        outcome.finished += 1
    except Exception as error:  # keep the others going; the run is reported invalid
        outcome.failures.append(f"user {person.user_id}: {type(error).__name__}: {error}")


def check(record: dict[str, Any], step: Step, say: Say, target: str) -> str | None:
    if target == "echo":
        return None if record.get("text") == say.value else f"echoed {record.get('text')!r}"
    if step.expect is None:
        return None
    markup = record.get("reply_markup") or {}
    if step.expect == "keyboard":
        return None if "keyboard" in markup else f"no reply keyboard: {str(record)[:200]}"
    datas = [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row]
    if any(d.startswith(step.expect) for d in datas):
        return None
    return f"expected {step.expect}* buttons, got {datas} on {record.get('text', '')[:80]!r}"


# --------------------------------------------------------------------------------------
# One run: a fresh fake, a bot process, warm-up, measured load
# --------------------------------------------------------------------------------------
@dataclass
class Result:
    label: str
    inputs: int = 0
    replies: int = 0
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)
    finished: int = 0
    participants: int = 0
    failures: list[str] = field(default_factory=list)
    proc_cpu: float | None = None
    child_cpu: float = 0.0  # of proc_cpu: the processes the bot started (its Telegram process)
    server_cpu: float | None = None  # the PostgreSQL server's processes, when it runs here
    bench_cpu: float = 0.0
    exit_code: int | None = None
    total_inputs: int = 0  # warm-up included
    total_replies: int = 0

    @property
    def rate(self) -> float:
        return self.inputs / self.wall if self.wall else 0.0

    def pct(self, q: float) -> float:
        data = sorted(self.latencies)
        if not data:
            return math.nan
        return data[max(0, math.ceil(q / 100 * len(data)) - 1)] * 1000


def postgres_cpu_seconds() -> float | None:
    """CPU time of every local process named postgres (the server and its backends)."""
    try:
        import psutil
    except ImportError:
        return None
    total = 0.0
    for process in psutil.process_iter(["name", "cpu_times"]):
        if process.info["name"] == "postgres" and process.info["cpu_times"] is not None:
            total += process.info["cpu_times"].user + process.info["cpu_times"].system
    return total


def cpu_seconds(pid: int) -> tuple[float, float] | None:
    """CPU time of the process, and of the processes it started (the bot's Telegram process)."""
    try:
        import psutil
    except ImportError:
        return None
    try:
        process = psutil.Process(pid)
        own = process.cpu_times()
        children = [child.cpu_times() for child in process.children(recursive=True)]
    except psutil.Error:
        return None
    return own.user + own.system, sum(c.user + c.system for c in children)


async def run_target(
    target: str,
    command: list[str],
    env: dict[str, str],
    participants: list[Participant],
    warmups: list[Participant],
    args: argparse.Namespace,
    workdir: Path,
) -> Result:
    label = "pendamping" if target == "bot" else "echo (PTB)"
    result = Result(label, participants=len(participants))
    log_path = workdir / f"{target}.log"
    async with StampingFake(token=TOKEN, flood_limits=False) as fake:
        env = {**env, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": fake.url}
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                *command, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT
            )
        profiler: asyncio.subprocess.Process | None = None
        profiling = False
        try:
            await wait_until_polling(fake, process, args.start_timeout, log_path)
            outcome = Outcome()
            await asyncio.gather(
                *(
                    converse(user_of(fake, p), p, target, outcome, args.reply_timeout)
                    for p in warmups
                )
            )
            if outcome.failures:
                raise RunError(f"{label}: warm-up failed: {outcome.failures[0]}")
            if target == "bot" and args.profile != "none":
                profiler = await start_profiler(args, process.pid, workdir)
                profiling = True
            users = [(user_of(fake, p), p) for p in participants]
            outcome = Outcome()
            cpu_before = cpu_seconds(process.pid)
            server_before = postgres_cpu_seconds() if args.database_url else None
            bench_before = time.process_time()
            started = time.perf_counter()
            await asyncio.gather(
                *(converse(u, p, target, outcome, args.reply_timeout) for u, p in users)
            )
            result.wall = time.perf_counter() - started
            result.bench_cpu = time.process_time() - bench_before
            cpu_after = cpu_seconds(process.pid)
            server_after = postgres_cpu_seconds() if target == "bot" and args.database_url else None
            if server_before is not None and server_after is not None:
                result.server_cpu = server_after - server_before
            if cpu_before is not None and cpu_after is not None:
                result.child_cpu = cpu_after[1] - cpu_before[1]
                result.proc_cpu = cpu_after[0] - cpu_before[0] + result.child_cpu
            if profiling:
                profiling = False
                await stop_profiler(args, profiler, process.pid)
            await asyncio.sleep(0.5)  # anything more than the script expects?
            extra = [(u.user_id, len(u.pending)) for u, _p in users if u.pending]
            if extra:
                outcome.failures.append(f"unexpected extra messages (user, count): {extra[:5]}")
            result.latencies = outcome.latencies
            result.failures = outcome.failures
            result.finished = outcome.finished
            result.inputs = len(outcome.latencies)
            result.replies = outcome.replies
            everyone = [*participants, *warmups]
            result.total_inputs = sum(len(p.plan) for p in everyone)
            result.total_replies = len(fake.sent)
        finally:
            if profiling:
                await stop_profiler(args, profiler, process.pid)
            result.exit_code = await stop_process(process)
    if result.exit_code not in (0, -signal.SIGTERM):
        result.failures.append(f"{label} exited with {result.exit_code}; see {log_path}")
    return result


def user_of(fake: FakeTelegramAPI, person: Participant) -> FakeUser:
    first, _sep, last = person.name.partition(" ")
    return fake.user(person.user_id, first, last or None, language_code="id")


async def wait_until_polling(
    fake: FakeTelegramAPI, process: asyncio.subprocess.Process, timeout: float, log: Path
) -> None:
    waiting = asyncio.ensure_future(fake.wait_for_call("getUpdates", timeout=timeout))
    exited = asyncio.ensure_future(process.wait())
    done, _pending = await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
    if waiting in done:
        exited.cancel()
        waiting.result()
        return
    waiting.cancel()
    raise RunError(f"the process exited with {process.returncode} before polling:\n{tail(log)}")


def tail(path: Path, size: int = 3000) -> str:
    return path.read_text(errors="replace")[-size:]


async def stop_process(process: asyncio.subprocess.Process) -> int | None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 60)
        except TimeoutError:
            process.kill()
            await process.wait()
    return process.returncode


# --------------------------------------------------------------------------------------
# Profiling the bot process (optional)
# --------------------------------------------------------------------------------------
def profile_path(args: argparse.Namespace, suffix: str) -> Path:
    out = Path(args.profile_dir)
    out.mkdir(parents=True, exist_ok=True)
    kind = "postgresql" if args.database_url else "sqlite"
    return out / f"bot-{kind}-{args.participants}p.{suffix}"


async def start_profiler(
    args: argparse.Namespace, pid: int, workdir: Path
) -> asyncio.subprocess.Process | None:
    if args.profile in ("cprofile", "sql"):
        os.kill(pid, signal.SIGUSR1)
        return None
    if args.profile != "py-spy":
        return None
    raw = profile_path(args, "collapsed.txt")
    return await asyncio.create_subprocess_exec(
        "py-spy", "record", "--pid", str(pid), "--rate", "200", "--nonblocking", "--threads",
        "--format", "raw", "--output", str(raw),
        stdout=subprocess.DEVNULL, stderr=(workdir / "py-spy.log").open("wb"),
    )  # fmt: skip


async def stop_profiler(
    args: argparse.Namespace, profiler: asyncio.subprocess.Process | None, pid: int
) -> None:
    if args.profile in ("cprofile", "sql"):
        os.kill(pid, signal.SIGUSR2)
        await asyncio.sleep(1.0)
        return
    if profiler is None:
        return
    profiler.send_signal(signal.SIGINT)
    try:
        await asyncio.wait_for(profiler.wait(), 30)
    except TimeoutError:
        profiler.kill()
        await profiler.wait()


PROBE_SUFFIX = {"cprofile": "prof", "sql": "sql.json", "none": "unused"}


def summarise_sql(path: Path, inputs: int) -> str:
    import json

    report = json.loads(path.read_text())
    seconds = report["seconds"] or 1.0
    per = max(inputs, 1)
    statements = report["statements"]
    total = sum(s["count"] for s in statements.values())
    lines = [f"{total / per:.1f} SQL statements per input (COMMIT not counted); transactions:"]
    lines.append(
        "  per input  open % of wall  mean open ms (max)  loop turns  loop CPU ms  "
        "mean wait ms (max)  opened by"
    )
    for caller, tx in sorted(report["transactions"].items(), key=lambda kv: -kv[1]["open"]):
        count = max(tx["count"], 1)
        lines.append(
            f"  {tx['count'] / per:9.2f}  {100 * tx['open'] / seconds:13.0f}"
            f"  {1000 * tx['open'] / count:9.1f} ({1000 * tx['max_open']:6.0f})"
            f"  {tx.get('turns', 0) / count:10.1f}  {1000 * tx.get('cpu', 0) / count:11.1f}"
            f"  {1000 * tx['wait'] / count:9.1f} ({1000 * tx['max_wait']:6.0f})  {caller}"
        )
    lines.append(
        "  (open % summed over transactions: on SQLite, where they run one at a time, near 100 "
        "means the write lock is the bottleneck; loop turns / loop CPU: iterations of the event "
        "loop and CPU of its thread while the transaction was open, others' work included; "
        "compiled: executions SQLAlchemy compiled afresh instead of taking from its cache)"
    )
    lines.append("   per input  mean ms  compiled  statement")
    for shape, entry in sorted(statements.items(), key=lambda kv: -kv[1]["count"]):
        lines.append(
            f"  {entry['count'] / per:10.2f} {1000 * entry['seconds'] / entry['count']:8.2f}"
            f"  {100 * entry.get('compiled', 0) / entry['count']:7.0f}%  {shape}"
        )
    return "\n".join(lines)


COMPONENTS = (  # (what, path fragment): the first match from the innermost frame outwards wins
    ("SQLAlchemy", "sqlalchemy/"),
    ("SQLite driver (storage/sqlite_inline.py)", "storage/sqlite_inline.py"),
    ("asyncpg", "asyncpg/"),
    ("python-telegram-bot", "telegram/"),
    ("HTTP client (aiohttp)", "aiohttp/"),
    ("HTTP client (httpx, httpcore, anyio, h11)", "httpx/"),
    ("HTTP client (httpx, httpcore, anyio, h11)", "httpcore/"),
    ("HTTP client (httpx, httpcore, anyio, h11)", "anyio/"),
    ("HTTP client (httpx, httpcore, anyio, h11)", "h11/"),
    ("greenlet", "greenlet/"),
    ("APScheduler", "apscheduler/"),
    ("bot code: handlers/", "handlers/"),
    ("bot code: storage/", "storage/"),
    ("bot code: bot/", "bot/"),
    ("Babel / phonenumbers", "babel/"),
    ("Babel / phonenumbers", "phonenumbers/"),
)


def component(frames: list[str]) -> str:
    """Whose code a sample is in: the innermost frame that is not the standard library."""
    for frame in reversed(frames):
        location = frame.rpartition("(")[2]
        if frame.startswith(("BaseEventLoop._run_once ", "Handle._run ")):
            break  # the loop itself (select, callbacks' plumbing): nobody's code above it
        for name, fragment in COMPONENTS:
            if fragment in location:
                return name
    return "event loop and other standard library (asyncio, selectors, threading)"


def summarise_collapsed(path: Path, top: int = 25) -> str:
    """Where the bot's CPU goes, from py-spy's collapsed stacks: by component and by function.

    SQLAlchemy's async layer runs statements inside greenlets, and py-spy's stacks stop at
    the greenlet boundary: those samples have SQLAlchemy at their root and lose the bot's
    caller, so "inclusive" shares of the bot's own functions are too low; own time and the
    component split are right.
    """
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    parts: Counter[str] = Counter()
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _sep, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f.strip() for f in stack.split(";") if f.strip()]
        if not frames:
            continue
        total += count
        threads[frames[0].split(": ", 1)[-1]] += count
        frames = frames[1:] if frames[0].startswith(("thread", "process")) else frames
        if not frames:
            continue
        parts[component(frames)] += count
        own[_short(frames[-1])] += count
        for name in {_short(f) for f in frames}:
            inclusive[name] += count
    if not total:
        return "(no samples)"
    lines = [
        f"{total} samples of a busy thread (approximate: py-spy --nonblocking counts "
        "aiosqlite's worker thread waiting in queue.get as busy); by thread:"
    ]
    lines += [f"  {100 * c / total:5.1f}%  {t}" for t, c in threads.most_common(6)]
    lines.append("by component (innermost non-stdlib frame):")
    lines += [f"  {100 * c / total:5.1f}%  {n}" for n, c in parts.most_common()]
    lines.append("own time (the function itself):")
    lines += [f"  {100 * c / total:5.1f}%  {n}" for n, c in own.most_common(top)]
    lines.append("inclusive time (the function and what it calls; see above about greenlets):")
    lines += [f"  {100 * c / total:5.1f}%  {n}" for n, c in inclusive.most_common(top)]
    return "\n".join(lines)


def _short(frame: str) -> str:
    # "handle (handlers/engine.py:33)" with the site-packages prefix cut off
    for marker in ("site-packages/", "python3.11/", str(ROOT) + "/"):
        if marker in frame:
            head, _sep, tail = frame.partition(marker)
            frame = head.split("(")[0] + "(" + tail
    return frame


# --------------------------------------------------------------------------------------
# The database: throw-away PostgreSQL database, checks after the run
# --------------------------------------------------------------------------------------
def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://").replace(
        "postgres://", "postgresql://"
    )


async def create_database(url: str) -> str:
    import asyncpg

    name = f"pendamping_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _slash, _db = url.rpartition("/")
    return f"{base}/{name}"


async def drop_database(admin_url: str, url: str) -> None:
    import asyncpg

    name = url.rpartition("/")[2]
    admin = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def check_database(
    url: str, participants: list[Participant], warmups: list[Participant], result: Result
) -> list[str]:
    """What the bot stored: active participants, every message in and out logged and sent."""
    from sqlalchemy import func, select

    from bot.config import normalise_database_url
    from storage.db import Database
    from storage.models import Address, Message, MessageStatus, Participant, ParticipantStatus

    steps = len(participants[0].plan) if participants else 0
    registered = steps >= len(SIGNUP)
    consented = steps >= 2
    db = Database(normalise_database_url(url))
    ids = [str(p.user_id) for p in participants]
    try:
        async with db.transaction() as tx:

            async def count(query: Any) -> int:
                return int(await tx.scalar(query) or 0)

            mine = (
                select(func.count())
                .select_from(Participant)
                .join(Address, Address.participant_id == Participant.id)
                .where(Address.channel == "telegram", Address.value.in_(ids))
            )
            measured = await count(mine)
            measured_active = await count(
                mine.where(Participant.status == ParticipantStatus.ACTIVE)
            )
            active = await count(
                select(func.count())
                .select_from(Participant)
                .where(Participant.status == ParticipantStatus.ACTIVE)
            )
            messages = select(func.count()).select_from(Message)
            inbound = await count(messages.where(Message.direction == "in"))
            outbound = await count(messages.where(Message.direction == "out"))
            unsent = await count(
                messages.where(Message.direction == "out", Message.status != MessageStatus.SENT)
            )
    finally:
        await db.dispose()
    n, w = len(participants), len(warmups)
    expect_measured = n if consented else 0
    expect_active = (n + w) if registered else 0
    problems = []
    if measured != expect_measured or measured_active != (n if registered else 0):
        problems.append(
            f"participants of the measured users: {measured} ({measured_active} active), "
            f"expected {expect_measured} ({n if registered else 0} active)"
        )
    if active != expect_active:
        problems.append(f"active participants: {active}, expected {expect_active}")
    if inbound != result.total_inputs:
        problems.append(f"inbound messages logged: {inbound}, expected {result.total_inputs}")
    if outbound != result.total_replies:
        problems.append(
            f"outbound messages logged: {outbound}, the fake got {result.total_replies}"
        )
    if unsent:
        problems.append(f"{unsent} outbound messages not marked sent")
    summary = (
        f"database: {measured} of {n} measured users signed up or signing up, "
        f"{measured_active} active ({active} active in all, "
        f"warm-up included); {inbound} inbound and {outbound} outbound messages logged, "
        f"{outbound - unsent} marked sent"
    )
    return [summary, *problems]


# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------
def code_version() -> str:
    def git(*argv: str) -> str:
        try:
            return subprocess.run(
                ["git", *argv], cwd=ROOT, capture_output=True, text=True, check=False
            ).stdout
        except OSError:
            return ""

    head = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    dirty = git("status", "--porcelain", "--", "bot", "handlers", "storage").splitlines()
    if not dirty:
        return head
    files = ", ".join(line[3:] for line in dirty[:8]) + (" ..." if len(dirty) > 8 else "")
    return f"{head} + uncommitted changes ({files})"


def row(result: Result) -> str:
    cpu = "-"
    per_input = "-"
    if result.proc_cpu is not None and result.wall:
        cpu = f"{100 * result.proc_cpu / result.wall:.0f}"
        per_input = f"{1000 * result.proc_cpu / max(result.inputs, 1):.2f}"
    bench = f"{100 * result.bench_cpu / result.wall:.0f}" if result.wall else "-"
    return (
        f"{result.label:<12}{result.inputs:>7}{result.replies:>8}{result.wall:>8.2f}"
        f"{result.rate:>10.1f}{result.pct(50):>8.1f}{result.pct(95):>8.1f}{result.pct(99):>8.1f}"
        f"{result.pct(100):>8.1f}{cpu:>7}{per_input:>11}{bench:>8}"
    )


HEADER = (
    f"{'run':<12}{'inputs':>7}{'replies':>8}{'wall s':>8}{'inputs/s':>10}{'p50 ms':>8}"
    f"{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}{'CPU %':>7}{'CPU ms/in':>11}{'bench%':>8}"
)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Inbound load on the real bot vs a bare python-telegram-bot echo bot."
    )
    parser.add_argument("--participants", type=int, default=200, help="simulated people (200)")
    parser.add_argument(
        "--messages",
        type=int,
        default=len(SIGNUP) + DEFAULT_AFTER,
        help=f"inputs per participant (default {len(SIGNUP) + DEFAULT_AFTER}: the {len(SIGNUP)}-input "
        "sign-up, then /jadwal, a free text, /profil; more cycles /jadwal, text, /profil, /start)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL URL for the bot (default: SQLite in a temporary directory); "
        "must be empty unless --create-db",
    )
    parser.add_argument(
        "--create-db",
        action="store_true",
        help="treat --database-url as an admin connection: create a throw-away database "
        "on that server for the run and drop it afterwards",
    )
    parser.add_argument("--seed", type=int, default=1, help="picks each participant's answers")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="rounds of a bot run and an echo bot run (5; the bot first in odd rounds, the echo "
        "bot in even ones); the ratios printed are the medians of the rounds' ratios, since "
        "this kind of machine's speed drifts by tens of percent from minute to minute",
    )
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured participants first (2)")
    parser.add_argument(
        "--only", choices=["both", "bot", "echo"], default="both", help="which runs (both)"
    )
    parser.add_argument("--reply-timeout", type=float, default=60.0, help="seconds per reply")
    parser.add_argument("--start-timeout", type=float, default=120.0, help="seconds to start")
    parser.add_argument(
        "--profile",
        choices=["none", "py-spy", "cprofile", "sql"],
        default="none",
        help="profile the bot during the measured phase: py-spy record (all threads), "
        "cProfile (event loop thread), or sql (statements and transactions per input), "
        "the last two through bench/profile_bot.py; output in --profile-dir",
    )
    parser.add_argument("--profile-dir", default=str(ROOT / "bench" / "out"))
    parser.add_argument(
        "--what-if",
        action="append",
        default=[],
        metavar="NAME[=VALUE]",
        help="run the bot with an experiment patched in from outside, to size a suggested "
        "change (bench/profile_bot.py): updates=N (PTB concurrent_updates; needs "
        "TELEGRAM_PROCESS=same), pool=N (PostgreSQL pool size)",
    )
    parser.add_argument("--keep-files", action="store_true", help="keep the logs and SQLite file")
    args = parser.parse_args(argv)
    if args.participants < 1 or args.messages < 1 or args.rounds < 1:
        parser.error("--participants, --messages and --rounds must be at least 1")
    if args.database_url and not args.database_url.startswith(("postgresql", "postgres://")):
        parser.error("--database-url must be a postgresql:// URL (SQLite is the default)")
    if any(w.startswith("updates") for w in args.what_if) and (
        os.environ.get("TELEGRAM_PROCESS", "auto") != "same"
    ):
        parser.error(
            "--what-if updates=N patches PTB in the bot's main process: run with "
            "TELEGRAM_PROCESS=same (by default PTB runs in the bot's Telegram process)"
        )
    if args.database_url and not args.create_db and args.rounds > 1:
        parser.error("several --rounds need a fresh database each: add --create-db, or --rounds 1")
    if args.create_db and not args.database_url:
        parser.error("--create-db needs --database-url")
    return args


async def amain(args: argparse.Namespace) -> int:
    print("$ " + shlex.join([Path(sys.executable).name, *sys.argv]), flush=True)
    steps = script(args.messages)
    participants = make_participants(args.participants, FIRST_ID, 1, steps, args.seed)
    warmups = make_participants(args.warmup, FIRST_ID - 1, -1, steps, args.seed + 1)
    workdir = Path(tempfile.mkdtemp(prefix="pendamping-bench-"))
    shown = args.database_url.split("@")[-1] if args.database_url else "a new file per round"
    print(f"code: {code_version()}")
    print(
        f"load: {args.participants} participants x {len(steps)} inputs "
        f"({', '.join(s.name for s in steps)}), seed {args.seed}, {args.warmup} warm-up "
        f"participants first; python {sys.version.split()[0]}, {os.cpu_count()} cores; "
        f"{args.rounds} round(s) of a bot run and an echo bot run, a fresh database every round"
    )
    if args.what_if:
        print(f"WHAT-IF experiment on the bot (not the bot as shipped): {', '.join(args.what_if)}")
    print(
        f"bot database: {'PostgreSQL ' if args.create_db or args.database_url else 'SQLite '}{shown}"
    )
    base_env = {
        k: v
        for k, v in os.environ.items()
        if k == "TELEGRAM_PROCESS" or not k.startswith(("TELEGRAM_", "DATABASE_URL", "PENDAMPING_"))
    }
    base_env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    base_env["LOG_LEVEL"] = "WARNING"
    bot_env = dict(base_env)
    if args.profile in ("cprofile", "sql") or args.what_if:
        probe = args.profile if args.profile in ("cprofile", "sql") else "none"
        bot_command = [
            sys.executable,
            str(ROOT / "bench" / "profile_bot.py"),
            probe,
            str(profile_path(args, PROBE_SUFFIX[probe])),
            "run",
        ]
        bot_env["BENCH_WHAT_IF"] = ",".join(args.what_if)
    else:
        bot_command = [sys.executable, "-m", "bot.cli", "run"]
    echo_command = [sys.executable, str(ROOT / "bench" / "echo_bot.py")]
    results: list[Result] = []
    notes: list[str] = []
    pairs: list[tuple[Result, Result]] = []
    for round_number in range(1, args.rounds + 1):
        label = f" (round {round_number} of {args.rounds})" if args.rounds > 1 else ""
        db_url = args.database_url
        if args.create_db:
            db_url = await create_database(args.database_url)
        elif db_url is None:
            db_url = f"sqlite:///{workdir / f'bench-{round_number}.db'}"
        bot_env["DATABASE_URL"] = db_url
        bot: Result | None = None
        echo: Result | None = None
        # Bot first in odd rounds, echo bot first in even ones, so that a machine slowing down
        # (or speeding up) over the run does not favour either.
        order = ["bot", "echo"] if round_number % 2 else ["echo", "bot"]
        try:
            for target in order:
                if target == "bot" and args.only in ("both", "bot"):
                    print(f"running the bot{label} ...", flush=True)
                    bot = await run_target(
                        "bot", bot_command, bot_env, participants, warmups, args, workdir
                    )
                    results.append(bot)
                    notes += await check_database(db_url, participants, warmups, bot)
                if target == "echo" and args.only in ("both", "echo"):
                    print(f"running the echo bot{label} ...", flush=True)
                    echo = await run_target(
                        "echo", echo_command, base_env, participants, warmups, args, workdir
                    )
                    results.append(echo)
            if bot is not None and echo is not None:
                pairs.append((bot, echo))
        finally:
            if args.create_db:
                await drop_database(args.database_url, db_url)
    print()
    print(HEADER)
    for result in results:
        print(row(result))
    print(
        "(latency: from queuing the input at the fake to the fake accepting the input's last "
        "reply; CPU %: the bot's CPU time (its processes together) / wall time, 100 = one core; bench%: this "
        "process (fake + participants))"
    )
    for result in results:
        if result.child_cpu and result.proc_cpu is not None and result.wall:
            main = result.proc_cpu - result.child_cpu
            print(
                f"{result.label} by process: main (engine, database) "
                f"{100 * main / result.wall:.0f}% CPU, "
                f"{1000 * main / max(result.inputs, 1):.2f} ms per input; Telegram "
                f"{100 * result.child_cpu / result.wall:.0f}% CPU, "
                f"{1000 * result.child_cpu / max(result.inputs, 1):.2f} ms per input"
            )
    for result in results:
        if result.server_cpu is not None and result.wall:
            print(
                f"PostgreSQL server during the {result.label} run: "
                f"{100 * result.server_cpu / result.wall:.0f}% CPU, "
                f"{1000 * result.server_cpu / max(result.inputs, 1):.2f} ms CPU per input "
                "(backends that ended during the run are not counted)"
            )
    valid = True
    for result in results:
        ok = result.finished == result.participants and not result.failures
        valid &= ok
        status = "ok" if ok else "INVALID"
        print(
            f"{result.label}: {result.finished}/{result.participants} participants finished: {status}"
        )
        for failure in result.failures[:5]:
            print(f"  {failure}")
        if len(result.failures) > 5:
            print(f"  ... {len(result.failures) - 5} more")
    for note in notes:
        print(note if note.startswith("database") else f"  DATABASE PROBLEM: {note}")
    valid &= not any(not n.startswith("database") for n in notes)
    pairs = [(bot, echo) for bot, echo in pairs if echo.rate and echo.pct(99)]
    if pairs:
        ratios = [bot.rate / echo.rate for bot, echo in pairs]
        p99s = [bot.pct(99) / echo.pct(99) for bot, echo in pairs]
        ratio, p99 = statistics.median(ratios), statistics.median(p99s)
        how = "" if len(pairs) == 1 else f"median of {len(pairs)} rounds, "
        print(
            f"throughput ratio bot/echo: {ratio:.2f} ({how}target >= 1.0: "
            f"{'met' if ratio >= 1.0 else 'NOT MET'}){listed(ratios)}"
        )
        print(
            f"p99 latency ratio bot/echo: {p99:.2f} ({how}target <= 1.0: "
            f"{'met' if p99 <= 1.0 else 'NOT MET'}){listed(p99s)}"
        )
    if args.profile == "py-spy" and args.only in ("both", "bot"):
        raw = profile_path(args, "collapsed.txt")
        if raw.exists():
            summary = summarise_collapsed(raw)
            raw.with_name(raw.name.replace("collapsed", "summary")).write_text(summary + "\n")
            print(f"\npy-spy profile of the bot ({raw}):\n{summary}")
        else:
            print(f"py-spy wrote nothing; see {workdir / 'py-spy.log'}")
            args.keep_files = True
    if args.profile == "cprofile":
        print(f"\ncProfile of the bot: {profile_path(args, 'prof')} (+ .txt)")
    if args.profile == "sql" and results and results[0].label == "pendamping":
        report = profile_path(args, PROBE_SUFFIX["sql"])
        print(f"\nSQL of the bot ({report}):\n{summarise_sql(report, results[0].inputs)}")
    if args.keep_files or not valid:
        print(f"files kept in {workdir}")
    else:
        remove(workdir)
    return 0 if valid else 1


def listed(values: list[float]) -> str:
    """Every round's figure, when there is more than one."""
    return "" if len(values) == 1 else " [" + ", ".join(f"{v:.2f}" for v in values) + "]"


def remove(workdir: Path) -> None:
    for path in sorted(workdir.glob("*"), reverse=True):
        with contextlib.suppress(OSError):
            path.unlink()
    with contextlib.suppress(OSError):
        workdir.rmdir()


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(amain(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
