"""Run `pendamping` with a measuring probe switched on between SIGUSR1 and SIGUSR2.

    python bench/profile_bot.py cprofile OUT.prof run
    python bench/profile_bot.py sql OUT.json run
    BENCH_WHAT_IF=updates=16 python bench/profile_bot.py none - run

`bench/inbound.py --profile cprofile|sql` starts the bot this way and sends SIGUSR1 / SIGUSR2
around the measured load, so start-up and migrations stay out of the figures. Nothing in the bot
is changed: the probes hook in from outside.

- cprofile: cProfile of the main thread (the event loop) -> OUT.prof (pstats) and OUT.prof.txt
  (top functions by own time and cumulative time). aiosqlite's worker thread is not in it, and
  cumulative times of coroutines include their waits: read tottime. `--profile py-spy` sees
  every thread at a much lower cost.
- sql: every SQL statement the bot runs (SQLAlchemy `before/after_cursor_execute` on all
  engines), grouped by statement, with counts, wall time and how often SQLAlchemy compiled it
  afresh (a miss in its statement cache), plus every `Database.transaction()`
  by the function that opened it: how long it waited to start (on SQLite: the in-process write
  lock; PostgreSQL takes a pooled connection only at the first statement, so that wait counts as
  open time), how long it was open (commit included), how many event-loop iterations ran
  while it was open (each one lets every other ready task run, lock held) and the event-loop
  thread's CPU time meanwhile -> OUT.json.

BENCH_WHAT_IF applies experiments first (see `WHAT_IF` below; `bench/inbound.py --what-if`):
they size a suggested change by running the bot with it patched in from outside.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any


def main() -> int:
    if len(sys.argv) < 3 or sys.argv[1] not in ("cprofile", "sql", "none"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, out, argv = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    for name in filter(None, os.environ.get("BENCH_WHAT_IF", "").split(",")):
        WHAT_IF[name.split("=", 1)[0]](name.partition("=")[2])
    if mode != "none":
        start, stop = cprofile_probe(out) if mode == "cprofile" else sql_probe(out)
        signal.signal(signal.SIGUSR1, lambda _s, _f: start())
        signal.signal(signal.SIGUSR2, lambda _s, _f: stop())

    from bot.cli.main import main as pendamping

    return pendamping(argv)


def cprofile_probe(out: Path) -> tuple[Any, Any]:
    profiler = cProfile.Profile()

    def stop() -> None:
        profiler.disable()
        profiler.dump_stats(out)
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("tottime").print_stats(45)
        stats.sort_stats("cumulative").print_stats(60)
        out.with_name(out.name + ".txt").write_text(text.getvalue(), encoding="utf-8")

    return profiler.enable, stop


_SPACES = re.compile(r"\s+")
_PARAMS = re.compile(r"\(\$\d+(?:::[A-Z]+)?(?:, \$\d+(?:::[A-Z]+)?)*\)|\(\?(?:, \?)*\)")


def _shape(statement: str) -> str:
    """The statement without its column lists, so INSERT/SELECT of one table group together."""
    text = _SPACES.sub(" ", statement).strip()
    text = _PARAMS.sub("(...)", text)
    head = text.split(" FROM ", 1)
    if text.startswith("SELECT") and len(head) == 2:
        text = "SELECT ... FROM " + head[1]
    if text.startswith("INSERT"):
        text = re.sub(r"\([^)]*\) VALUES", "(...) VALUES", text, count=1)
    if text.startswith("UPDATE"):
        text = re.sub(r" SET .*? WHERE ", " SET ... WHERE ", text, count=1)
    return text[:150]


def sql_probe(out: Path) -> tuple[Any, Any]:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.engine.default import CACHE_HIT

    from storage.db import Database

    state: dict[str, Any] = {"on": False}
    statements: dict[str, list[float]] = {}
    transactions: dict[str, dict[str, float]] = {}  # by the function that opened it
    window = {"start": 0.0, "stop": 0.0}

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(_conn: Any, _cursor: Any, statement: str, _p: Any, context: Any, _m: Any) -> None:
        if state["on"] and context is not None:
            context._bench_started = time.perf_counter()

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(_conn: Any, _cursor: Any, statement: str, _p: Any, context: Any, _m: Any) -> None:
        started = getattr(context, "_bench_started", None)
        if not state["on"] or started is None:
            return
        entry = statements.setdefault(_shape(statement), [0, 0.0, 0])
        entry[0] += 1
        entry[1] += time.perf_counter() - started
        if getattr(context, "compiled", None) is not None and context.cache_hit is not CACHE_HIT:
            entry[2] += 1  # compiled for this execution: SQLAlchemy's statement cache missed

    import asyncio.base_events

    turns = [0]  # event-loop iterations so far: how often a transaction let others run
    run_once = asyncio.base_events.BaseEventLoop._run_once

    def counting_run_once(self: Any) -> None:
        turns[0] += 1
        run_once(self)

    asyncio.base_events.BaseEventLoop._run_once = counting_run_once  # type: ignore[attr-defined]

    original = Database.transaction

    @asynccontextmanager
    async def transaction(self: Database) -> AsyncIterator[Any]:
        asked = time.perf_counter()
        opened = None
        turns_at = cpu_at = 0.0
        # this generator <- AsyncGeneratorContextManager.__aenter__ <- the caller
        caller = sys._getframe(2).f_code.co_qualname
        try:
            async with original(self) as tx:
                opened = time.perf_counter()
                turns_at, cpu_at = turns[0], time.thread_time()
                yield tx
        finally:
            if state["on"] and opened is not None:
                closed = time.perf_counter()
                entry = transactions.setdefault(
                    caller,
                    {"count": 0, "wait": 0.0, "open": 0.0, "max_wait": 0.0, "max_open": 0.0}
                    | {"turns": 0, "cpu": 0.0},
                )
                entry["turns"] += turns[0] - turns_at
                entry["cpu"] += time.thread_time() - cpu_at
                entry["count"] += 1
                entry["wait"] += opened - asked
                entry["open"] += closed - opened
                entry["max_wait"] = max(entry["max_wait"], opened - asked)
                entry["max_open"] = max(entry["max_open"], closed - opened)

    Database.transaction = transaction  # type: ignore[method-assign]

    def start() -> None:
        window["start"] = time.perf_counter()
        state["on"] = True

    def stop() -> None:
        state["on"] = False
        window["stop"] = time.perf_counter()
        report = {
            "seconds": window["stop"] - window["start"],
            "transactions": transactions,
            "statements": {
                k: {"count": v[0], "seconds": v[1], "compiled": v[2]} for k, v in statements.items()
            },
        }
        out.write_text(json.dumps(report, indent=1), encoding="utf-8")

    return start, stop


# --------------------------------------------------------------------------------------
# What-if patches (BENCH_WHAT_IF=name[=value],...): experiments to size a suggested change,
# never a fix. They change the bot's behaviour in this process only.
# --------------------------------------------------------------------------------------
def concurrent_updates(value: str) -> None:
    """Force PTB's `concurrent_updates` (the bot asks for 32); PTB must run in this process."""
    from telegram.ext import ApplicationBuilder

    original = ApplicationBuilder.concurrent_updates

    def patched(self: Any, _asked: Any) -> Any:
        return original(self, int(value))

    ApplicationBuilder.concurrent_updates = patched  # type: ignore[method-assign]


def pool_size(value: str) -> None:
    """Force the PostgreSQL pool size (the bot uses 10 + 10 overflow)."""
    from storage import db

    original = db.Database.__init__

    def patched(self: Any, url: str, **kwargs: Any) -> None:
        kwargs["pool_size"] = int(value)
        original(self, url, **kwargs)

    db.Database.__init__ = patched  # type: ignore[method-assign]


WHAT_IF = {"updates": concurrent_updates, "pool": pool_size}


if __name__ == "__main__":
    sys.exit(main())
