"""Reminders at scale: a burst falling due among 100,000 pending reminders, our outbox vs the naive design.

    python bench/reminders.py                      # SQLite, defaults below
    python bench/reminders.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    python bench/reminders.py --pending 20000 --participants 5000 --burst 300 --idle-seconds 20

The database holds `--participants` active participants (one Telegram address each), `--pending`
pending reminder rows falling due over the coming days (none during the run), and `--burst` rows
for as many distinct participants that fall due `--lead` s after the process under test starts:
all in the same second (variant "same"), or spread evenly over `--spread-seconds` (variant
"spread"). Each variant is a separate run on a fresh copy of a template database.

Designs (each a separate process, same fake, same data):
  ours   `python -m bot.cli run`: the outbox in the database, APScheduler only wakes the
         dispatcher, which paces sends with `bot.ratelimit.RateLimiter` (30/s, 1/s per chat).
  naive  `bench/reminders_naive.py`: one APScheduler `date` job per reminder, all in memory,
         each calling `bot.send_message` at once; on 429 it sleeps retry_after and retries
         `--naive-retries` times (default 1), then gives up.

This process runs the fake Telegram Bot API (`tests/fakes/telegram/`, flood limits on: 429
past 30 msg/s overall or 1/s per chat) with every participant registered as a chat that has
written to the bot (the fake answers 400 "chat not found" otherwise). Measured:
  lateness   arrival at the fake (what the person sees) minus due time, per burst message;
             percentiles over all burst rows, a missing message counting as infinitely late
  429s       the fake's flood rejections; duplicates: a burst chat receiving more than one message
  RSS        peak resident set of the process (psutil every 100 ms, and VmHWM at the end)
  idle CPU   user+system CPU of the process over `--idle-seconds` once the burst is over and
             nothing is due, as % of one core (measured after the last variant of each design)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.reminders_seed import Seeded, Store, burst_dues, burst_outcome, seed, set_burst  # noqa: E402
from tests.fakes.telegram import FakeTelegramAPI  # noqa: E402

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
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=stderr_file,
    )
    run.started_at = spawn
    run.first_due_after = first_due.timestamp() - spawn
    proc = psutil.Process(process.pid)
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
            if design != "naive" and fake.method_counts["getupdates"]:
                break
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
        cpu_before = cpu_seconds(proc)
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
        run.burst_cpu = cpu_seconds(proc) - cpu_before
        if profiler is not None:
            await stop_profiler(profiler)
            profiler = None
        sends_at_end = fake.send_calls

        # Idle: nothing due for a day; only the process's own housekeeping runs.
        if measure_idle:
            await asyncio.sleep(args.settle_seconds)
            calls_before = Counter(fake.method_counts)
            idle_start = time.monotonic()
            cpu0 = cpu_seconds(proc)
            await asyncio.sleep(args.idle_seconds)
            run.idle_cpu = cpu_seconds(proc) - cpu0
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
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=30)
            except TimeoutError:
                process.kill()
                await process.wait()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader, timeout=5)
        stderr_file.close()
        await fake.stop()
    run.exit_code = process.returncode
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


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------
def fmt_s(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "never"
    return f"{value:.2f}"


def fmt_ratio(naive: float | None, ours: float | None) -> str:
    if naive is None or ours is None or math.isnan(naive) or math.isnan(ours):
        return "n/a"
    if math.isinf(naive) and math.isinf(ours):
        return "n/a"
    if math.isinf(naive):
        return "inf"
    if ours == 0:
        return "inf" if naive > 0 else "both 0"
    ratio = naive / ours
    return f"{ratio:.1f}x" if ratio >= 1 else f"{ratio:.2g}x"


def target_p99(variant: str, burst: int, spread: float) -> float:
    """The platform's pace for the burst (what arrives faster than 30/s must wait) plus 1 s."""
    if variant == "same":
        return burst / PER_SECOND + 1.0
    rate = burst / spread if spread > 0 else math.inf
    return max(0.0, burst / PER_SECOND - spread) + 1.0 if rate > PER_SECOND else 1.0


def report(args: argparse.Namespace, runs: list[Run], seeded: Seeded, notes: list[str]) -> bool:
    mb = 1024 * 1024
    header = (
        f"{'design':<6} {'burst':<6} {'delivered':>10} {'dup':>4} {'429s':>6} {'p50 s':>7} "
        f"{'p99 s':>7} {'max s':>7} {'p99 deliv.':>10} {'RSS MB':>7} {'idle CPU %':>10}"
    )
    print()
    print(header)
    print("-" * len(header))
    for r in runs:
        finite = [x for x in r.latenesses if math.isfinite(x)]
        print(
            f"{r.design:<6} {r.variant:<6} {f'{r.delivered}/{r.burst}':>10} {r.duplicates:>4} "
            f"{r.flood_429:>6} {fmt_s(r.pct(50)):>7} {fmt_s(r.pct(99)):>7} "
            f"{fmt_s(max(finite) if finite else float('nan')):>7} {fmt_s(r.pct_delivered(99)):>10} "
            f"{r.peak_rss / mb:>7.1f} "
            f"{(f'{r.idle_percent:.3f}' if r.idle_percent is not None else '-'):>10}"
        )
    print()
    print(
        "p50/p99: lateness of the burst (arrival at the fake - due), a message that never arrived"
    )
    print("counting as infinitely late ('never'); 'p99 deliv.': over the delivered ones only.")
    print("RSS: peak of the process over the whole run (max of 100 ms samples and VmHWM).")
    print(f"Idle CPU: user+system over {args.idle_seconds:g} s with nothing due, % of one core.")

    # Details.
    print()
    for r in runs:
        extra = []
        if r.design != "naive":
            extra.append(f"db statuses {r.db_statuses}")
            if r.db_lateness:
                extra.append(
                    f"db sent_at-due p50/p99 {percentile(r.db_lateness, 50):.2f}/"
                    f"{percentile(r.db_lateness, 99):.2f} s"
                )
        counters = r.process_info.get("counters")
        if counters:
            extra.append(
                f"naive: {r.burst - counters['fired']} burst jobs dropped by APScheduler as "
                f"misfired (started > misfire_grace_time late), {counters['gave_up_flood']} "
                f"given up after 429, {counters['failed']} other failures"
            )
        if r.process_info:
            extra.append(
                "process " + json.dumps({k: v for k, v in r.process_info.items()}, sort_keys=True)
            )
        if r.other_errors:
            extra.append(f"other errors {dict(r.other_errors)}")
        if r.stray:
            extra.append(f"{r.stray} messages to chats outside the burst")
        if r.idle_calls:
            extra.append(f"API calls while idle {r.idle_calls}")
        print(
            f"{r.design}/{r.variant}: ready {r.ready_after:.1f} s after start, burst due at "
            f"+{r.first_due_after:.1f} s, last arrival {fmt_s(r.burst_seconds)} s after the first "
            f"due time, burst CPU {r.burst_cpu:.1f} s, RSS when ready {r.rss_ready / mb:.1f} MB, "
            f"at the end {r.rss_end / mb:.1f} MB, VmHWM {(r.hwm or 0) / mb:.1f} MB, "
            f"exit {r.exit_code}"
        )
        for line in extra:
            print(f"    {line}")
    for note in notes:
        print(f"note: {note}")

    # Targets (ours).
    ours = {r.variant: r for r in runs if r.design == "ours"}
    naive = {r.variant: r for r in runs if r.design == "naive"}
    ok = True
    for design in ("ours",):
        mine = {r.variant: r for r in runs if r.design == design}
        if not mine:
            continue
        print()
        print(f"Targets ({design}):")
        for variant, r in mine.items():
            limit = target_p99(variant, r.burst, args.spread_seconds)
            passed = r.pct(99) <= limit and r.delivered == r.burst and r.duplicates == 0
            ok &= passed or design != "ours"
            print(
                f"  [{'PASS' if passed else 'FAIL'}] {variant}: p99 lateness {fmt_s(r.pct(99))} s "
                f"<= {limit:.2f} s, all {r.burst} delivered once "
                f"({r.delivered} delivered, {r.duplicates} duplicates), {r.flood_429} x 429"
            )
        peak = max(r.peak_rss for r in mine.values())
        passed = peak < 200 * mb
        ok &= passed or design != "ours"
        print(f"  [{'PASS' if passed else 'FAIL'}] peak RSS {peak / mb:.1f} MB < 200 MB")
        idle = [r.idle_percent for r in mine.values() if r.idle_percent is not None]
        if idle:
            passed = max(idle) < 1.0
            ok &= passed or design != "ours"
            print(f"  [{'PASS' if passed else 'FAIL'}] idle CPU {max(idle):.3f} % < 1 %")
    if ours and naive:
        print()
        print("Ratios naive / ours:")
        for variant in ours:
            if variant not in naive:
                continue
            o, n = ours[variant], naive[variant]
            print(
                f"  {variant}: lateness p50 {fmt_ratio(n.pct(50), o.pct(50))}, "
                f"p99 {fmt_ratio(n.pct(99), o.pct(99))}, "
                f"p99 of delivered {fmt_ratio(n.pct_delivered(99), o.pct_delivered(99))}; "
                f"delivered {n.delivered}/{o.delivered}; 429s {n.flood_429}/{o.flood_429}; "
                f"peak RSS {fmt_ratio(float(n.peak_rss), float(o.peak_rss))}"
            )
        o_idle = [r.idle_percent for r in ours.values() if r.idle_percent is not None]
        n_idle = [r.idle_percent for r in naive.values() if r.idle_percent is not None]
        if o_idle and n_idle:
            print(
                f"  idle CPU {max(n_idle):.3f} % / {max(o_idle):.3f} % of a core = "
                f"{fmt_ratio(max(n_idle), max(o_idle))}"
            )
        o_rss = max(r.peak_rss for r in ours.values())
        n_rss = max(r.peak_rss for r in naive.values())
        print(f"  peak RSS over all runs {n_rss / mb:.1f} / {o_rss / mb:.1f} MB = "
              f"{fmt_ratio(float(n_rss), float(o_rss))}")  # fmt: skip
    return ok


def code_state() -> str:
    """The commit, and which files of the bot differ from it (others may be editing them)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "bot", "handlers", "storage"],
            cwd=ROOT, capture_output=True, text=True,
        ).stdout.split()  # fmt: skip
    except OSError:
        return "unknown (no git)"
    changed = [path for path in dirty if "/" in path]
    return f"{head}" + (f" + uncommitted changes in {', '.join(changed)}" if changed else "")


# --------------------------------------------------------------------------------------
async def amain(args: argparse.Namespace, workdir: Path, runs: list[Run]) -> bool:
    store = Store(args.database_url, workdir)
    notes: list[str] = []
    try:
        template = await store.create_template()
        seeded = await seed(
            template,
            participants=args.participants,
            pending=args.pending,
            burst=args.burst,
            sessions=args.sessions,
        )
        size = store.size_bytes(template)
        print(
            f"seeded {'SQLite' if store.is_sqlite else 'PostgreSQL'}: {args.participants} "
            f"participants, {seeded.pending} pending + {len(seeded.burst_rows)} burst reminders, "
            f"{args.sessions} sessions in {seeded.seconds:.1f} s"
            + (f" ({size / 1e6:.0f} MB)" if size else "")
            + f"; work dir {workdir}",
            flush=True,
        )
        designs = [d for d in args.designs.split(",") if d]
        variants = [v for v in args.variants.split(",") if v]
        for design in designs:
            for index, variant in enumerate(variants):
                idle = args.idle_every_run or index == len(variants) - 1
                print(f"run {design}/{variant} ...", flush=True)
                run = await run_one(
                    args, store, seeded, design, variant,
                    measure_idle=idle and args.idle_seconds > 0,
                    run_name=f"{design}-{variant}", workdir=workdir,
                )  # fmt: skip
                runs.append(run)
                print(
                    f"  {run.delivered}/{run.burst} delivered, {run.flood_429} x 429, p50 "
                    f"{fmt_s(run.pct(50))} s, p99 {fmt_s(run.pct(99))} s, peak RSS "
                    f"{run.peak_rss / 1048576:.1f} MB"
                    + (
                        f", idle CPU {run.idle_percent:.3f} %"
                        if run.idle_percent is not None
                        else ""
                    ),
                    flush=True,
                )
        if "naive" in designs:
            grace = "None" if args.naive_misfire_grace < 0 else f"{args.naive_misfire_grace:g} s"
            notes.append(
                f"naive: APScheduler misfire_grace_time {grace}; on 429 it sleeps retry_after and "
                f"retries {args.naive_retries} time(s), then gives up (the message is lost)"
            )
        return report(args, runs, seeded, notes)
    finally:
        await store.drop_all()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--participants", type=int, default=20_000)
    parser.add_argument("--burst", type=int, default=1_000)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--idle-seconds", type=float, default=60)
    parser.add_argument("--settle-seconds", type=float, default=5, help="wait after the burst")
    parser.add_argument("--lead", type=float, default=25, help="s from start to the burst")
    parser.add_argument(
        "--naive-lead", type=float, default=40,
        help="s from start to the burst for the naive process (it loads every job first)",
    )  # fmt: skip
    parser.add_argument(
        "--naive-misfire-grace", type=float, default=1.0,
        help="APScheduler misfire_grace_time of the naive jobs (default 1 s, its default); <0: None",
    )  # fmt: skip
    parser.add_argument("--spread-seconds", type=float, default=60)
    parser.add_argument("--variants", default="same,spread", help="same,spread")
    parser.add_argument(
        "--designs", default="ours,naive",
        help="ours,naive",
    )  # fmt: skip
    parser.add_argument("--naive-retries", type=int, default=1)
    parser.add_argument("--drain-timeout", type=float, default=180, help="s after the last due")
    parser.add_argument("--ready-timeout", type=float, default=120)
    parser.add_argument("--idle-every-run", action="store_true")
    parser.add_argument(
        "--database-url",
        default=None,
        help="PostgreSQL server to create throw-away databases on, e.g. "
        "postgresql://postgres@127.0.0.1:5432/postgres (default: SQLite files)",
    )
    parser.add_argument("--profile", action="store_true", help="py-spy the bot during the burst")
    parser.add_argument("--workdir", default=None, help="keep logs (and profiles) here")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite files")
    parser.add_argument("--json", default=None, help="write per-run results to this file")
    args = parser.parse_args()
    print("command:", shlex.join([sys.executable, *sys.argv]), flush=True)
    print("code:", code_state(), flush=True)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="reminders-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    try:
        ok = asyncio.run(amain(args, workdir, runs))
    finally:
        if args.json and runs:
            Path(args.json).write_text(
                json.dumps(
                    [
                        {
                            **{k: v for k, v in vars(r).items() if k != "rss_timeline"},
                            "p50": r.pct(50), "p99": r.pct(99),
                            "latenesses": [x if math.isfinite(x) else None for x in r.latenesses],
                            "other_errors": dict(r.other_errors),
                        }
                        for r in runs
                    ],
                    default=str,
                    indent=1,
                )
            )  # fmt: skip
        if not args.workdir and not args.keep:
            for path in workdir.iterdir():
                if path.suffix == ".db" or path.name.endswith((".db-wal", ".db-shm")):
                    path.unlink(missing_ok=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
