"""A broadcast at the platforms' limits: the bot as shipped sends one broadcast's outbox rows to
the fake Bot API and the fake Graph API, which refuse what Telegram and Meta would refuse.

    python bench/broadcast.py                                  # the three runs below, SQLite
    python bench/broadcast.py --runs free --telegram 1000      # smaller
    python bench/broadcast.py --runs paid                      # paid broadcasting only
    python bench/broadcast.py --database-url postgresql://postgres@127.0.0.1:5432/postgres --create-db
    python bench/broadcast.py --processes 2 --database-url ... --create-db   # two bots, one budget

Runs (each on a fresh database, each a fresh bot process, or `--processes` of them sharing the
database and its send budget: the limits below hold for them together):
  free    `--telegram` recipients (default 10,000) on Telegram, 30 messages/s
  paid    the same with TELEGRAM_PAID_BROADCAST=true (rate 1,000/s) against a fake allowing
          1,000 paid messages/s
  mixed   `--telegram` on Telegram and `--whatsapp` (default 10,000) on WhatsApp, mixed evenly
          through the audience: both channels at once, each at its own limit

The database holds one confirmed broadcast, one active participant per recipient with one
address, and one outbox row each, all due now (tests/helpers/bulk_broadcast.py, bulk inserts).
The bot is `python -m bot.cli run` (LOG_LEVEL=WARNING) in its own process(es); the fakes run here
with their limits on: Telegram 429 beyond 30/s overall (a token bucket of 30, about a 1 s window)
or 1/s per chat, with allow_paid_broadcast 1,000/s instead of 30; WhatsApp 130429 beyond 80/s.
Measured:
  rate       recipients' first messages per second, from a channel's first to its last; in the
             mixed run also while both channels were sending (the overlap)
  lost / duplicates   recipients who got nothing / more than one message
  429 share  refused requests over all send requests, per channel
  peak RSS   of the bot's main process (the engine, the database, WhatsApp; what
             bench/reminders.py measures), every 100 ms and the kernel's VmHWM; the PSS of its
             processes together (PTB's own process included) is shown beside it
Checked after the run (the command exits 1 if one fails): nothing lost, nothing sent twice, the
broadcast's figures (storage/broadcasts/figures.py) add up with every row sent, every outbound
message logged as sent, the bot stopped cleanly on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import shlex
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.broadcast_run import Outcome, run_once  # noqa: E402

RATE_SHARE = 0.95  # of each channel's limit, sustained
PAID_TARGET = 900.0
MAX_429_SHARE = 0.01
MAX_RSS = 200 * 1024 * 1024


def fmt(value: float, digits: int = 1) -> str:
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"


def report(outcome: Outcome, paid: bool) -> list[tuple[str, str, str, bool]]:
    """(figure, value, target, met) rows; prints the run's figures."""
    rows: list[tuple[str, str, str, bool]] = []
    overlap = outcome.overlap()
    for lane in outcome.lanes:
        target = PAID_TARGET if paid and lane.channel == "telegram" else RATE_SHARE * lane.limit
        rate = lane.rate()
        rows.append((f"{lane.channel} messages/s", fmt(rate), f">= {target:.1f}", rate >= target))
        if overlap is not None:
            both = lane.rate(*overlap)
            rows.append(
                (f"{lane.channel} messages/s while both sent", fmt(both), f">= {target:.1f}",
                 both >= target)
            )  # fmt: skip
        share = lane.refused_429 / lane.requests if lane.requests else 0.0
        rows.append(
            (f"{lane.channel} 429 share", f"{share:.2%} ({lane.refused_429}/{lane.requests})",
             f"< {MAX_429_SHARE:.0%}", share < MAX_429_SHARE)
        )  # fmt: skip
        rows.append((f"{lane.channel} lost", str(lane.lost), "0", lane.lost == 0))
        rows.append((f"{lane.channel} duplicates", str(lane.duplicates), "0", lane.duplicates == 0))
        if lane.channel == "telegram" and paid:
            rows.append(
                ("telegram sent as paid broadcast", f"{lane.paid}/{lane.requests}", "all",
                 lane.paid == lane.requests)
            )  # fmt: skip
    rss = outcome.peak_rss / 1024 / 1024
    rows.append(("bot peak RSS (MB)", f"{rss:.0f}", "< 200", outcome.peak_rss < MAX_RSS))
    pss = outcome.peak_tree_pss / 1024 / 1024
    rows.append(("bot + PTB process peak PSS (MB)", f"{pss:.0f}", "(shown)", True))
    return rows


def print_outcome(outcome: Outcome, paid: bool) -> bool:
    """Prints the run; True if every target was met."""
    figures = outcome.figures
    print(
        f"\n== {outcome.name}: " + ", ".join(f"{x.recipients} {x.channel}" for x in outcome.lanes)
    )
    if figures is not None:
        print(
            f"   figures: {figures.recipients} recipients, {figures.sent} sent, "
            f"{figures.failed_total} failed, {figures.skipped_total} skipped, "
            f"{figures.waiting} waiting, {figures.interrupted} interrupted; "
            f"adds up: {figures.adds_up()}"
        )
    print(
        f"   bot: {outcome.wall_seconds:.1f} s from start to the last message, "
        f"{outcome.cpu_seconds:.1f} s CPU, exit code {outcome.exit_code}"
    )
    if len(outcome.per_process) > 1:
        print(f"   rows sent by each process: {outcome.per_process}")
    rows = report(outcome, paid)
    width = max(len(name) for name, *_ in rows)
    for name, value, target, met in rows:
        print(f"   {name:<{width}}  {value:>22}  target {target:<8} {'ok' if met else 'MISSED'}")
    for problem in outcome.problems:
        print(f"   INVALID: {problem}")
    return all(met for *_, met in rows)


async def main(args: argparse.Namespace) -> int:
    runs = [r.strip() for r in args.runs.split(",") if r.strip()]
    workdir = args.workdir
    print("command:", shlex.join([sys.executable, *sys.argv]))
    print(
        f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; "
        f"{args.processes} bot process(es); logs in {workdir}"
    )
    invalid = missed = False
    plans = {
        "free": (args.telegram, 0, False),
        "paid": (args.telegram, 0, True),
        "mixed": (args.telegram, args.whatsapp, False),
    }
    for name in runs:
        telegram, whatsapp, paid = plans[name]
        outcome = await run_once(
            name,
            telegram=telegram,
            whatsapp=whatsapp,
            paid=paid,
            database_url=args.database_url if args.create_db else None,
            workdir=workdir,
            quiet_timeout=args.quiet_timeout,
            processes=args.processes,
        )
        missed |= not print_outcome(outcome, paid)
        invalid |= bool(outcome.problems)
    print(
        "\nresult:",
        "INVALID" if invalid else "valid",
        "/",
        "targets missed" if missed else "every target met",
    )
    return 1 if invalid else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", default="free,paid,mixed", help="free,paid,mixed")
    parser.add_argument("--telegram", type=int, default=10_000, help="Telegram recipients")
    parser.add_argument("--whatsapp", type=int, default=10_000, help="WhatsApp recipients (mixed)")
    parser.add_argument(
        "--paid", action="store_true", help="only the paid broadcasting run (= --runs paid)"
    )
    parser.add_argument(
        "--database-url", default=None,
        help="a PostgreSQL server (with --create-db) to make throw-away databases on",
    )  # fmt: skip
    parser.add_argument("--create-db", action="store_true", help="a throw-away database per run")
    parser.add_argument("--quiet-timeout", type=float, default=30, help="s without progress")
    parser.add_argument("--workdir", default=None, help="where the bot's stderr goes")
    parser.add_argument(
        "--processes", type=int, default=1, help="bot processes sharing the database and budget"
    )
    arguments = parser.parse_args()
    arguments.workdir = Path(arguments.workdir or tempfile.mkdtemp(prefix="broadcast-bench-"))
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    if arguments.paid:
        arguments.runs = "paid"
    if arguments.database_url and not arguments.create_db:
        parser.error("--database-url needs --create-db (each run gets a throw-away database)")
    sys.exit(asyncio.run(main(arguments)))
