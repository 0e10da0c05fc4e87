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
import json
import math
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.reminders_run import (  # noqa: E402
    Run,
    percentile,
    run_one,
)
from bench.reminders_seed import Seeded, Store, seed  # noqa: E402

TOKEN = "123456:REMINDERS"
PER_SECOND = 30.0  # Telegram's (and the fake's) overall limit


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
    parser.add_argument(
        "--processes", type=int, default=1,
        help="our bot as this many processes on the one database, sharing its send budget",
    )  # fmt: skip
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
