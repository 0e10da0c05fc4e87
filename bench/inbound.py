"""Inbound load: N simulated participants sign up with the real bot, compared with a bare PTB echo bot.

    python bench/inbound.py --participants 200
    python bench/inbound.py --participants 200 --database-url postgresql://postgres@127.0.0.1:5432/postgres --create-db
    python bench/inbound.py ... --create-db --engines 1,2   # the bot with ENGINES=1, then 2, in each round

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
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.databases import check_database, create_database, drop_database  # noqa: E402
from bench.inbound_run import (  # noqa: E402
    Result,
    run_target,
)
from bench.inbound_script import (  # noqa: E402
    DEFAULT_AFTER,
    SIGNUP,
    make_participants,
    script,
)
from bench.profiling import (  # noqa: E402
    PROBE_SUFFIX,
    profile_path,
    summarise_collapsed,
    summarise_sql,
)

TOKEN = "123456:BENCH"
FIRST_ID = 710_000_001  # participants; warm-up users count down from FIRST_ID - 1


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
    busy = "-" if result.machine_busy is None else f"{100 * result.machine_busy:.0f}"
    return (
        f"{result.label:<14}{result.inputs:>7}{result.replies:>8}{result.wall:>8.2f}"
        f"{result.rate:>10.1f}{result.pct(50):>8.1f}{result.pct(95):>8.1f}{result.pct(99):>8.1f}"
        f"{result.pct(100):>8.1f}{cpu:>7}{per_input:>11}{bench:>8}{busy:>7}"
    )


HEADER = (
    f"{'run':<14}{'inputs':>7}{'replies':>8}{'wall s':>8}{'inputs/s':>10}{'p50 ms':>8}"
    f"{'p95 ms':>8}{'p99 ms':>8}{'max ms':>8}{'CPU %':>7}{'CPU ms/in':>11}{'bench%':>8}"
    f"{'busy%':>7}"
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
    parser.add_argument(
        "--engines",
        default="1",
        help="ENGINES for the bot, or several separated by commas (1,2): each round then runs "
        "the bot once per value, each on a fresh database, beside one echo bot run (1)",
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
    try:
        args.engines = [int(n) for n in args.engines.split(",")]
    except ValueError:
        parser.error("--engines takes whole numbers separated by commas, e.g. 1,2")
    if any(n < 1 for n in args.engines):
        parser.error("--engines must be at least 1")
    if max(args.engines) > 1 and not args.create_db:
        parser.error("--engines above 1 needs PostgreSQL: add --database-url URL --create-db")
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
        bots: list[Result] = []
        echo: Result | None = None
        # Bot first in odd rounds, echo bot first in even ones, so that a machine slowing down
        # (or speeding up) over the run does not favour either.
        targets = [f"bot:{n}" for n in args.engines]
        order = [*targets, "echo"] if round_number % 2 else ["echo", *reversed(targets)]
        for target in order:
            if target.startswith("bot") and args.only in ("both", "bot"):
                engines = int(target.split(":")[1])
                db_url = args.database_url
                if args.create_db:
                    db_url = await create_database(args.database_url)
                elif db_url is None:
                    db_url = f"sqlite:///{workdir / f'bench-{round_number}.db'}"
                bot_env["DATABASE_URL"] = db_url
                bot_env["ENGINES"] = str(engines)
                shown_engines = f" with ENGINES={engines}" if len(args.engines) > 1 else ""
                try:
                    print(f"running the bot{shown_engines}{label} ...", flush=True)
                    bot = await run_target(
                        "bot", bot_command, bot_env, participants, warmups, args, workdir
                    )
                    results.append(bot)
                    bots.append(bot)
                    notes += await check_database(db_url, participants, warmups, bot)
                finally:
                    if args.create_db:
                        await drop_database(args.database_url, db_url)
            if target == "echo" and args.only in ("both", "echo"):
                print(f"running the echo bot{label} ...", flush=True)
                echo = await run_target(
                    "echo", echo_command, base_env, participants, warmups, args, workdir
                )
                results.append(echo)
        if echo is not None:
            pairs += [(bot, echo) for bot in bots]
    print()
    print(HEADER)
    for result in results:
        print(row(result))
    print(
        "(latency: from queuing the input at the fake to the fake accepting the input's last "
        "reply; CPU %: the bot's CPU time (its processes together) / wall time, 100 = one core; bench%: this "
        "process (fake + participants); busy%: the whole machine, all cores, anyone's processes, "
        "100 = every core busy)"
    )
    for result in results:
        if result.child_cpu and result.proc_cpu is not None and result.wall:
            main = result.proc_cpu - result.child_cpu
            telegram = result.child_cpu - result.engines_cpu
            parts = [("main (web app, engine 0, outbox)", main), ("Telegram", telegram)]
            if result.engines_cpu:
                parts.append(("engine workers", result.engines_cpu))
            print(
                f"{result.label} by process: "
                + "; ".join(
                    f"{name} {100 * cpu / result.wall:.0f}% CPU, "
                    f"{1000 * cpu / max(result.inputs, 1):.2f} ms per input"
                    for name, cpu in parts
                )
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
    for name in dict.fromkeys(bot.label for bot, _echo in pairs):
        mine = [(bot, echo) for bot, echo in pairs if bot.label == name]
        ratios = [bot.rate / echo.rate for bot, echo in mine]
        p99s = [bot.pct(99) / echo.pct(99) for bot, echo in mine]
        ratio, p99 = statistics.median(ratios), statistics.median(p99s)
        how = "" if len(mine) == 1 else f"median of {len(mine)} rounds, "
        print(
            f"{name}: throughput ratio bot/echo: {ratio:.2f} ({how}target >= 1.0: "
            f"{'met' if ratio >= 1.0 else 'NOT MET'}){listed(ratios)}"
        )
        print(
            f"{name}: p99 latency ratio bot/echo: {p99:.2f} ({how}target <= 1.0: "
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
