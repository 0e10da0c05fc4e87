"""WhatsApp outbound at Meta's limits: 10,000 reminders through the real Dispatcher and
WhatsAppChannel to the fake Graph API, which enforces 80 messages/s and the pair rate.

    python bench/whatsapp.py              # 10,000 reminders (about two minutes at 80/s)
    python bench/whatsapp.py --quick      # 1,000 reminders
    python bench/whatsapp.py --quick --baseline   # and the same without our pacing, to compare

Data (SQLite, a temporary file): `--messages` outbox rows, all due now, for participants with a
WhatsApp phone address; most people have one reminder, `--repeat-share` of them two to four
(spread at random through the queue, so some follow each other closely, as reminders of one
person's sessions do). A share `--closed-share` of the people last wrote 30 hours ago: their
reminders go as the `reminder` template, the others' as free text with three buttons.

Measured (in this process: the fake and the bot share one event loop, as in a test):
  sustained   messages the fake accepted / seconds, from its first acceptance until every
              person had their first reminder (after that only people's later reminders are
              left, which Meta's pair rate spaces 6 s apart whatever the sender does), against
              the limit (must be at least 95 % of 80/s); the whole run's first-to-last rate is
              printed too, with the best time the two limits allow
  duplicates  rows the fake accepted more than once; lost: rows it never accepted (each
              message carries its row id)
  130429 / 131056  the fake's throughput and pair-rate refusals
Baseline (`--baseline`): the same rows, the same Dispatcher, channel and fake, but a limiter
that does not pace (10,000/s, no per-person interval): what Meta's limits do to a sender that
relies on the 130429 pause alone.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import re
import shlex
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bot.channels.whatsapp.channel import WhatsAppChannel, db_window  # noqa: E402
from bot.channels.whatsapp.client import GraphClient  # noqa: E402
from bot.channels.whatsapp.templates import load_catalogue  # noqa: E402
from bot.outbox.dispatcher import Dispatcher  # noqa: E402
from bot.outbox.limits import ChannelLimits, Limiters  # noqa: E402
from handlers.outbox.registry import Draft, register  # noqa: E402
from handlers.reminders.rules import ReminderPolicy  # noqa: E402
from handlers.types import Button, Reply, Template  # noqa: E402
from storage import migrate  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Address, Participant, ScheduledMessage  # noqa: E402
from tests.fakes.whatsapp import FakeGraphAPI, Received, shapes_of  # noqa: E402

KIND = "bench_wa_reminder"
LIMIT = 80.0
ROW = re.compile(r"\[r(\d+)\]")
CATALOGUE = load_catalogue(None)


async def render_reminder(draft: Draft) -> Reply:
    """A reminder as the reminders package sends it on WhatsApp: text with RSVP buttons, and the
    `reminder` template for when the window is closed. The row id travels in the text."""
    row = draft.row
    what, when = f"Konseling kelompok [r{row.id}]", "besok, 09.00"
    payloads = (f"rsvp:{row.id}:yes", f"rsvp:{row.id}:no", f"rsvp:{row.id}:later")
    return Reply(
        f"Pengingat: <b>{what}</b>, {when}. Apakah Anda hadir?",
        (Button("Hadir", payloads[0]), Button("Tidak bisa", payloads[1]),
         Button("Jadwal ulang", payloads[2])),
        template=Template("reminder", (what, when), payloads),
    )  # fmt: skip


register(KIND, render=render_reminder)


@dataclass
class Seeded:
    rows: int
    people: int
    open_phones: list[str]
    closed_phones: list[str]


async def seed(db: Database, messages: int, repeat_share: float, closed_share: float) -> Seeded:
    rng = random.Random(10)
    now = datetime.now(UTC)
    counts: list[int] = []
    while sum(counts) < messages:
        counts.append(rng.choice((2, 3, 4)) if rng.random() < repeat_share else 1)
    counts[-1] -= sum(counts) - messages
    phones = [f"62812{index:08d}" for index in range(len(counts))]
    closed = set(rng.sample(range(len(counts)), int(len(counts) * closed_share)))
    async with db.transaction() as tx:
        await tx.execute(
            insert(Participant),
            [{"status": "active", "name": f"Peserta {i + 1}", "category": "bapas_client",
              "city": "Kota Jakarta Barat", "province": "DKI Jakarta", "timezone": "Asia/Jakarta",
              "language": "en" if i % 10 == 9 else "id", "phone": None, "interests": [],
              "contact_time": None, "discreet": False, "consent_at": now, "consent_version": "1",
              "registered_at": now, "created_at": now, "updated_at": now}
             for i in range(len(counts))],
        )  # fmt: skip
        ids = list((await tx.execute(select(Participant.id).order_by(Participant.id))).scalars())
        await tx.execute(
            insert(Address),
            [{"participant_id": pid, "channel": "whatsapp", "value": phones[i],
              "last_inbound_at": now - timedelta(hours=30 if i in closed else 1),
              "blocked_at": None, "created_at": now} for i, pid in enumerate(ids)],
        )  # fmt: skip
        owners = [i for i, count in enumerate(counts) for _ in range(count)]
        rng.shuffle(owners)
        await tx.execute(
            insert(ScheduledMessage),
            [{"key": f"bench:{n}", "kind": KIND, "participant_id": ids[i], "session_id": None,
              "occurrence_id": None, "offset_minutes": None,
              "due_at": now - timedelta(seconds=1), "event_at": None, "status": "pending",
              "attempts": 0, "created_at": now} for n, i in enumerate(owners)],
        )  # fmt: skip
    return Seeded(
        messages,
        len(counts),
        [p for i, p in enumerate(phones) if i not in closed],
        [p for i, p in enumerate(phones) if i in closed],
    )


@dataclass
class Result:
    name: str
    rows: int
    accepted: int
    seconds: float  # first to last acceptance
    steady_accepted: int  # accepted until every person had their first reminder
    steady_seconds: float
    most_per_person: int
    wall: float
    duplicates: int
    lost: int
    templates: int
    answers: Counter[int]
    statuses: dict[str, int]

    @property
    def rate(self) -> float:
        return (self.accepted - 1) / self.seconds if self.seconds > 0 else float("nan")

    @property
    def steady_rate(self) -> float:
        if self.steady_seconds <= 0:
            return float("nan")
        return (self.steady_accepted - 1) / self.steady_seconds


def row_of(message: Received) -> int:
    if message.kind == "template":
        text = message.message["template"]["components"][0]["parameters"][0]["text"]
    else:
        text = message.text
    found = ROW.search(text)
    assert found is not None, "a message without its row id"
    return int(found.group(1))


async def run(name: str, args: argparse.Namespace, workdir: Path, paced: bool) -> Result:
    db = Database(f"sqlite+aiosqlite:///{workdir / f'{name}.db'}")
    await migrate.upgrade(db)
    seeded = await seed(db, args.messages, args.repeat_share, args.closed_share)
    fake = FakeGraphAPI(
        templates=shapes_of(CATALOGUE), per_second=LIMIT, pair_burst=args.pair_burst
    )
    await fake.start()
    for phone in seeded.open_phones:
        fake.person_wrote(phone)
    client = GraphClient(fake.api_url, fake.phone_number_id, fake.token)
    channel = WhatsAppChannel(client, CATALOGUE, db_window(db))
    if paced:
        limiters = Limiters(per_second={"whatsapp": LIMIT})
    else:
        limiters = Limiters({"whatsapp": ChannelLimits(per_second=10_000, per_chat_interval=0)})
    dispatcher = Dispatcher(
        db, {"whatsapp": channel}, ReminderPolicy(), limiters=limiters,
        concurrency=args.concurrency,
    )  # fmt: skip
    print(f"run {name}: {seeded.rows} reminders for {seeded.people} people "
          f"({len(seeded.closed_phones)} with the window closed) ...", flush=True)  # fmt: skip
    started = time.monotonic()
    await dispatcher.run_once()
    wall = time.monotonic() - started
    await client.aclose()
    await fake.stop()
    received = [m for messages in fake.received.values() for m in messages]
    per_row = Counter(row_of(m) for m in received)
    async with db.transaction() as tx:
        statuses = dict(
            (await tx.execute(
                select(ScheduledMessage.status, func.count()).group_by(ScheduledMessage.status)
            )).tuples().all()
        )  # fmt: skip
        row_ids = set((await tx.execute(select(ScheduledMessage.id))).scalars())
    await db.dispose()
    times = sorted(m.at for m in received)
    firsts = [messages[0].at for messages in fake.received.values() if messages]
    steady_end = max(firsts, default=0.0)
    steady = [t for t in times if t <= steady_end]
    return Result(
        name=name,
        rows=seeded.rows,
        accepted=len(received),
        seconds=times[-1] - times[0] if len(times) > 1 else 0.0,
        steady_accepted=len(steady),
        steady_seconds=steady[-1] - steady[0] if len(steady) > 1 else 0.0,
        most_per_person=max((len(m) for m in fake.received.values()), default=0),
        wall=wall,
        duplicates=sum(1 for count in per_row.values() if count > 1),
        lost=len(row_ids - set(per_row)),
        templates=sum(1 for m in received if m.kind == "template"),
        answers=fake.answers,
        statuses=statuses,
    )


def show(result: Result) -> None:
    ideal = max(result.rows / LIMIT, (result.most_per_person - 1) * 6.0)
    print(f"  {result.name}: {result.accepted}/{result.rows} accepted in {result.wall:.1f} s wall; "
          f"sustained {result.steady_rate:.1f} msg/s ({100 * result.steady_rate / LIMIT:.1f} % "
          f"of {LIMIT:g}/s) until every person had their first reminder "
          f"({result.steady_accepted} messages in {result.steady_seconds:.1f} s); "
          f"first to last {result.rate:.1f} msg/s over {result.seconds:.1f} s (at best "
          f"{ideal:.1f} s: {result.rows} at {LIMIT:g}/s, and up to {result.most_per_person} "
          f"reminders to one person 6 s apart); "
          f"{result.templates} as templates; duplicates {result.duplicates}, lost {result.lost}; "
          f"130429 x {result.answers[130429]}, 131056 x {result.answers[131056]}, "
          f"other errors {sum(v for k, v in result.answers.items() if k not in (130429, 131056))}; "
          f"outbox rows {result.statuses}", flush=True)  # fmt: skip


async def amain(args: argparse.Namespace) -> bool:
    workdir = Path(tempfile.mkdtemp(prefix="whatsapp-bench-"))
    ours = await run("ours", args, workdir, paced=True)
    show(ours)
    if args.baseline:
        show(await run("unpaced", args, workdir, paced=False))
    passed = ours.steady_rate >= 0.95 * LIMIT and ours.duplicates == 0 and ours.lost == 0
    print(f"[{'PASS' if passed else 'FAIL'}] ours: sustained {ours.steady_rate:.1f} msg/s >= "
          f"{0.95 * LIMIT:.0f} (95 % of {LIMIT:g}), no duplicates, none lost")  # fmt: skip
    return passed


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="1,000 messages")
    parser.add_argument("--repeat-share", type=float, default=0.05,
                        help="share of people with 2-4 reminders (default 0.05)")  # fmt: skip
    parser.add_argument("--closed-share", type=float, default=0.3,
                        help="share of people whose window is closed (default 0.3)")  # fmt: skip
    parser.add_argument("--pair-burst", type=float, default=2,
                        help="messages the fake lets one person get at once (default 2)")  # fmt: skip
    parser.add_argument("--concurrency", type=int, default=8, help="the Dispatcher's senders")
    parser.add_argument("--baseline", action="store_true", help="also run without pacing")
    args = parser.parse_args()
    if args.quick:
        args.messages = 1_000
    print("command:", shlex.join([sys.executable, *sys.argv]), flush=True)
    logging.basicConfig(level=logging.ERROR)  # the baseline's pauses would flood the output
    return 0 if asyncio.run(amain(args)) else 1


if __name__ == "__main__":
    sys.exit(main())
