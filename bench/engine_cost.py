"""CPU cost of one inbound message in the engine and database layer, without Telegram or concurrency.

    python bench/engine_cost.py [--participants 50] [--database-url postgresql://.../postgres]
                                [--what-if pool=N] [--profile]

Runs `bench/inbound.py`'s conversation script through `bot.inbox.Inbox` (the same code path the
Telegram adapter calls) one message at a time, with a channel that only records the replies,
on a fresh SQLite file or a throw-away PostgreSQL database. With nothing else running, wall
time per input is the engine's and the database layer's own cost, and cProfile's cumulative
times are meaningful (no other tasks interleave): `--profile` prints where it goes.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import shlex
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (str(ROOT), str(ROOT / "bench")):
    if path not in sys.path:
        sys.path.insert(0, path)

import inbound  # noqa: E402
import profile_bot  # noqa: E402

from bot.config import normalise_database_url  # noqa: E402
from bot.inbox import Inbox  # noqa: E402
from handlers.flow import FlowSettings  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.fakes.channel import CollectingChannel, Person  # noqa: E402

# The functions whose cumulative time is worth reading, in call order.
FOCUS = (
    "inbox.py:.*(receive)",
    "inbox.py:.*(deliver)",
    "engine.py:.*(handle)",
    "engine.py:.*(route)",
    "messages.py:.*(record_inbound|attach_inbound|queue_outbound|mark_sent)",
    "addresses.py:.*(lock_address)",
    "conversations.py:.*(save_conversation)",
    "session.py:.*(execute|flush|commit|_autoflush|get)\\)",
    "compiler.py:.*(process|visit_insert|visit_select|visit_update)\\)",
    "base.py:.*(_execute_context|_exec_single_context)",
    "context.py:.*(orm_setup_cursor_result|orm_pre_session_exec)",
    "loading.py:.*(instances)",
    "unitofwork.py:.*(execute)",
    "sqlite_inline.py:.*(execute|fetchone|fetchall)",
    "asyncpg.py:.*(execute|_prepare_and_execute)",
    "i18n.py",
    "choices.py",
    "regions.py",
)


async def run(args: argparse.Namespace) -> None:
    print("$ " + shlex.join([Path(sys.executable).name, *sys.argv]), flush=True)
    for name in args.what_if:
        profile_bot.WHAT_IF[name.split("=", 1)[0]](name.partition("=")[2])
    workdir = Path(tempfile.mkdtemp(prefix="pendamping-engine-"))
    url = args.database_url
    if url:
        url = await inbound.create_database(url)
    else:
        url = f"sqlite:///{workdir / 'engine.db'}"
    db = Database(normalise_database_url(url))
    try:
        await migrate.upgrade(db)
        channel = CollectingChannel(name="telegram")
        inbox = Inbox(
            db, FlowSettings(program_name="Bapas Kelas I Jakarta"), {channel.name: channel}
        )
        steps = inbound.script(args.messages)
        warm = inbound.make_participants(2, 1, 1, steps, args.seed + 1)
        people = inbound.make_participants(args.participants, 1001, 1, steps, args.seed)
        for person in warm:
            await converse(inbox, channel, person)
        profiler = cProfile.Profile() if args.profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler is not None:
            profiler.enable()
        for person in people:
            await converse(inbox, channel, person)
        if profiler is not None:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        inputs = len(people) * len(steps)
        kind = "PostgreSQL" if args.database_url else "SQLite"
        extra = f", what-if {', '.join(args.what_if)}" if args.what_if else ""
        print(
            f"{kind}{extra}: {inputs} inputs one at a time: {1000 * wall / inputs:.2f} ms wall, "
            f"{1000 * cpu / inputs:.2f} ms CPU per input (this process: engine, SQLAlchemy, "
            f"driver){' - under cProfile, so slower' if profiler else ''}"
        )
        if profiler is not None:
            text = io.StringIO()
            stats = pstats.Stats(profiler, stream=text)
            stats.sort_stats("cumulative").print_stats("|".join(FOCUS))
            stats.sort_stats("tottime").print_stats(25)
            print(per_input(text.getvalue(), inputs))
    finally:
        await db.dispose()
        if args.database_url:
            await inbound.drop_database(args.database_url, url)
        inbound.remove(workdir)


async def converse(inbox: Inbox, channel: CollectingChannel, person: inbound.Participant) -> None:
    """One participant's script through the inbox; the reply counts are checked."""
    speaker = Person(inbox, channel, address=str(person.user_id), profile_name=person.name)
    for step, say in person.plan:
        if say.kind == "press":
            replies = await speaker.presses(say.value)
        else:
            replies = await speaker.says(say.value)
        if len(replies) != step.replies:
            texts = [r.text[:60] for r in replies]
            raise AssertionError(f"{step.name} ({say.value!r}): {len(replies)} replies: {texts}")


def per_input(report: str, inputs: int) -> str:
    """pstats' lines with cumtime and tottime also shown per input, in ms."""
    lines = []
    for line in report.splitlines():
        parts = line.split(None, 5)
        if len(parts) == 6 and parts[1].replace(".", "").isdigit() and "(" in parts[5]:
            tottime, cumtime = float(parts[1]), float(parts[3])
            lines.append(
                f"{1000 * cumtime / inputs:8.3f} cum {1000 * tottime / inputs:7.3f} own "
                f"ms/input  {parts[0]:>12} calls  {_short(parts[5])}"
            )
        elif line.strip().startswith(("Ordered by", "ncalls")):
            lines.append(line.strip().replace("ncalls  tottime  percall  cumtime", "").strip())
    return "\n".join(lines)


def _short(location: str) -> str:
    for marker in ("site-packages/", "python3.11/", str(ROOT) + "/"):
        location = location.split(marker, 1)[-1]
    return location


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--messages", type=int, default=len(inbound.SIGNUP) + inbound.DEFAULT_AFTER)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL admin URL: a throw-away database is made"
    )
    parser.add_argument("--what-if", action="append", default=[], metavar="NAME[=VALUE]")
    parser.add_argument("--profile", action="store_true", help="cProfile the measured part")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
