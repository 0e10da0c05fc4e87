"""One reminders benchmark run: a recording fake Bot API, the bot process watched (CPU, memory), and
what it sent when."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

from bench.reminders_seed import Seeded, Store, burst_dues, burst_outcome, set_burst
from tests.fakes.telegram import FakeTelegramAPI
from tests.helpers.ports import free_port

ROOT = Path(__file__).resolve().parents[1]

TOKEN = "123456:REMINDERS"
PER_SECOND = 30.0  # Telegram's (and the fake's) overall limit


# --------------------------------------------------------------------------------------
# The fake, recording when each message arrived
# --------------------------------------------------------------------------------------
class RecordingFake(FakeTelegramAPI):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrivals: dict[int, list[float]] = defaultdict(list)  # chat id -> wall-clock times
        self.send_calls = 0
        self.last_send_call = 0.0
        self.method_counts: Counter[str] = Counter()

    def _deliver(self, state: Any, record: dict[str, Any]) -> None:
        super()._deliver(state, record)
        self.arrivals[record["chat"]["id"]].append(time.time())

    def _log_call(self, name: str, params: dict[str, Any]) -> None:
        super()._log_call(name, params)
        self.method_counts[name] += 1
        if name == "sendmessage":
            self.send_calls += 1
            self.last_send_call = time.monotonic()


def register_chats(fake: FakeTelegramAPI, chat_ids: list[int]) -> None:
    """Every participant has written to the bot before: building (not queueing) a message update
    marks the chat known to the fake, so the bot process has no 20,000 inbound updates to handle."""
    for index, chat_id in enumerate(chat_ids):
        fake.user(chat_id, first_name=f"Peserta{index + 1}").text_update("/start")


# --------------------------------------------------------------------------------------
# Watching the process
# --------------------------------------------------------------------------------------
class RssSampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.samples: list[tuple[float, int]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            try:
                rss = self.process.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                return
            self.peak = max(self.peak, rss)
            self.samples.append((time.time(), rss))
            if self._stop_event.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=2)


def vm_hwm(pid: int) -> int | None:
    """Peak RSS the kernel recorded for the process, in bytes."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return None


async def stop_profiler(profiler: asyncio.subprocess.Process) -> None:
    """py-spy writes its output when interrupted."""
    if profiler.returncode is None:
        profiler.send_signal(signal.SIGINT)
    try:
        await asyncio.wait_for(profiler.wait(), timeout=20)
    except TimeoutError:
        profiler.kill()
        await profiler.wait()


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


# --------------------------------------------------------------------------------------
# One run: one design, one burst variant
# --------------------------------------------------------------------------------------
@dataclass
class Run:
    design: str
    variant: str
    burst: int
    command: list[str] = field(default_factory=list)
    started_at: float = 0.0
    ready_after: float = float("nan")  # s from spawn until serving / all jobs scheduled
    rss_ready: int = 0  # RSS when ready (before the burst)
    rss_end: int = 0  # RSS at the end (after the idle window)
    first_due_after: float = 0.0  # s from spawn until the burst's first due time
    latenesses: list[float] = field(default_factory=list)  # per burst row; inf = never arrived
    delivered: int = 0
    duplicates: int = 0
    stray: int = 0  # messages to chats outside the burst
    flood_429: int = 0
    other_errors: Counter[str] = field(default_factory=Counter)
    burst_seconds: float = 0.0  # first due -> last arrival
    burst_cpu: float = 0.0  # CPU s of the process from the first due time to the end of the burst
    peak_rss: int = 0
    hwm: int | None = None
    idle_window: float | None = None
    idle_cpu: float | None = None  # CPU s in the idle window
    idle_calls: dict[str, int] = field(default_factory=dict)
    db_statuses: dict[str, int] = field(default_factory=dict)
    db_lateness: list[float] = field(default_factory=list)  # ours: sent_at - due_at
    process_info: dict[str, Any] = field(default_factory=dict)
    exit_code: int | None = None
    stderr_tail: str = ""
    rss_timeline: list[tuple[float, int]] = field(default_factory=list)

    @property
    def idle_percent(self) -> float | None:
        if self.idle_cpu is None or not self.idle_window:
            return None
        return 100.0 * self.idle_cpu / self.idle_window

    def pct(self, q: float) -> float:
        return percentile(self.latenesses, q)

    def pct_delivered(self, q: float) -> float:
        return percentile([x for x in self.latenesses if math.isfinite(x)], q)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


async def run_one(
    args: argparse.Namespace,
    store: Store,
    seeded: Seeded,
    design: str,
    variant: str,
    *,
    measure_idle: bool,
    run_name: str,
    workdir: Path,
) -> Run:
    run = Run(design=design, variant=variant, burst=len(seeded.burst_rows))
    url = await store.clone(run_name)
    fake = RecordingFake(token=TOKEN, flood_limits=True)
    await fake.start()
    register_chats(fake, seeded.chat_ids)
    lead = args.naive_lead if design == "naive" else args.lead
    spread = 0.0 if variant == "same" else args.spread_seconds
    first_due = datetime.now(UTC) + timedelta(seconds=lead)
    dues_by_row = await set_burst(url, seeded, burst_dues(first_due, run.burst, spread))
    due_by_chat = {seeded.burst_rows[row]: due.timestamp() for row, due in dues_by_row.items()}
    last_due = max(due_by_chat.values())

    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
    }
    for name in ("TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET"):
        env.pop(name, None)
    helpers = args.processes - 1 if design == "ours" else 0
    if helpers:  # several processes share the database and its budget; none may poll
        env |= {
            "TELEGRAM_WEBHOOK_URL": "https://bench.example.org/telegram",
            "TELEGRAM_WEBHOOK_SECRET": "bench-secret",
        }
    if design == "ours":
        command = [sys.executable, "-m", "bot.cli", "run"]
    else:
        command = [
            sys.executable,
            str(ROOT / "bench" / "reminders_naive.py"),
            "--retries",
            str(args.naive_retries),
            "--misfire-grace",
            str(args.naive_misfire_grace),
        ]
    run.command = command
    stderr_path = workdir / f"{run_name}.stderr.txt"
    stderr_file = stderr_path.open("wb")
    spawn = time.time()
    process = await asyncio.create_subprocess_exec(
        *command,
        env=env | {"PORT": str(free_port())},
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=stderr_file,
    )
    others = [
        await asyncio.create_subprocess_exec(
            *command,
            env=env | {"PORT": str(free_port())},
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr_file,
        )
        for _ in range(helpers)
    ]
    run.started_at = spawn
    run.first_due_after = first_due.timestamp() - spawn
    proc = psutil.Process(process.pid)
    together = [proc, *(psutil.Process(other.pid) for other in others)]
    sampler = RssSampler(process.pid)
    sampler.start()
    stdout_lines: list[dict[str, Any]] = []

    async def read_stdout() -> None:
        assert process.stdout is not None
        async for raw in process.stdout:
            with contextlib.suppress(ValueError):
                stdout_lines.append(json.loads(raw))

    reader = asyncio.create_task(read_stdout())
    profiler: asyncio.subprocess.Process | None = None
    try:
        # Ready: ours polls getUpdates once it serves; the naive process prints {"ready": ...}.
        deadline = time.monotonic() + args.ready_timeout
        while True:
            if process.returncode is not None:
                raise RuntimeError(f"{design} exited early; see {stderr_path}")
            if (
                design != "naive"
                and fake.method_counts["getupdates" if not helpers else "setwebhook"]
            ):
                break  # polling, or (several processes) the webhook told to Telegram
            if design == "naive" and any("ready" in line for line in stdout_lines):
                run.process_info.update(next(x for x in stdout_lines if "ready" in x))
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{design} not ready after {args.ready_timeout} s")
            await asyncio.sleep(0.05)
        run.ready_after = time.time() - spawn
        with contextlib.suppress(psutil.Error):
            run.rss_ready = proc.memory_info().rss
        if run.ready_after > run.first_due_after:
            print(
                f"  warning: {design} was ready {run.ready_after:.1f} s after start, after the "
                f"burst's first due time ({run.first_due_after:.1f} s): raise --lead",
                flush=True,
            )

        # The burst.
        await asyncio.sleep(max(0.0, first_due.timestamp() - 1.0 - time.time()))
        if args.profile and design != "naive":
            out = workdir / f"{run_name}.pyspy.txt"
            profiler = await asyncio.create_subprocess_exec(
                "py-spy", "record", "--pid", str(process.pid), "--format", "raw",
                "--rate", "200", "--threads", "--output", str(out), "--nonblocking",
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        cpu_before = sum(cpu_seconds(p) for p in together)
        quiet_after = 35.0 if design != "naive" else 10.0  # ours polls every 30 s as a backstop
        hard_deadline = last_due + args.drain_timeout
        while True:
            await asyncio.sleep(0.2)
            now = time.time()
            got = sum(1 for chat in due_by_chat if fake.arrivals.get(chat))
            if got == run.burst:
                break
            if now > hard_deadline:
                print(
                    f"  {design}/{variant}: gave up waiting, {got}/{run.burst} arrived", flush=True
                )
                break
            silent = time.monotonic() - max(fake.last_send_call, 0.0)
            if now > last_due + quiet_after and silent > quiet_after:
                break
        run.burst_cpu = sum(cpu_seconds(p) for p in together) - cpu_before
        if profiler is not None:
            await stop_profiler(profiler)
            profiler = None
        sends_at_end = fake.send_calls

        # Idle: nothing due for a day; only the process's own housekeeping runs.
        if measure_idle:
            await asyncio.sleep(args.settle_seconds)
            calls_before = Counter(fake.method_counts)
            idle_start = time.monotonic()
            cpu0 = sum(cpu_seconds(p) for p in together)
            await asyncio.sleep(args.idle_seconds)
            run.idle_cpu = sum(cpu_seconds(p) for p in together) - cpu0
            run.idle_window = time.monotonic() - idle_start
            run.idle_calls = dict(Counter(fake.method_counts) - calls_before)
        if fake.send_calls != sends_at_end:
            print(f"  note: {fake.send_calls - sends_at_end} sendMessage calls after the burst",
                  flush=True)  # fmt: skip
        run.hwm = vm_hwm(process.pid)
        with contextlib.suppress(psutil.Error):
            run.rss_end = proc.memory_info().rss
    finally:
        if profiler is not None:
            await stop_profiler(profiler)
        sampler.stop()
        for each in (process, *others):
            if each.returncode is None:
                each.send_signal(signal.SIGTERM)
        for each in (process, *others):
            try:
                await asyncio.wait_for(each.wait(), timeout=30)
            except TimeoutError:
                each.kill()
                await each.wait()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader, timeout=5)
        stderr_file.close()
        await fake.stop()
    run.exit_code = max((abs(each.returncode or 0) for each in (process, *others)), default=0)
    run.peak_rss = max(sampler.peak, run.hwm or 0)
    run.rss_timeline = sampler.samples
    for line in stdout_lines:
        if "counters" in line:
            run.process_info["counters"] = line["counters"]
    text = stderr_path.read_text(errors="replace")
    run.stderr_tail = "\n".join(text.splitlines()[-5:])
    run.process_info["stderr_lines"] = len(text.splitlines())
    run.process_info["flood_warnings"] = text.count("flood control")

    # What arrived.
    burst_chats = set(due_by_chat)
    for chat, due in due_by_chat.items():
        times = fake.arrivals.get(chat, [])
        run.latenesses.append(times[0] - due if times else math.inf)
        run.delivered += bool(times)
        run.duplicates += max(0, len(times) - 1)
    run.stray = sum(len(t) for chat, t in fake.arrivals.items() if chat not in burst_chats)
    arrived = [t[0] for chat, t in fake.arrivals.items() if chat in burst_chats and t]
    run.burst_seconds = (max(arrived) - first_due.timestamp()) if arrived else float("nan")
    run.flood_429 = fake.flood_rejections
    for _method, _params, code, description in fake.errors:
        if code != 429:
            run.other_errors[f"{code} {description[:60]}"] += 1

    if design != "naive":
        outcome = await burst_outcome(url, seeded)
        run.db_statuses = dict(Counter(status for status, _sent, _a in outcome.values()))
        for row_id, (_status, sent_at, _attempts) in outcome.items():
            if sent_at is not None:
                run.db_lateness.append((sent_at - dues_by_row[row_id]).total_seconds())
    await store.drop(url)
    return run
