"""Profiling a bot process under a benchmark (cProfile, SQL statements), and the summaries printed."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
