"""One run of bench/broadcast.py: seed a broadcast, run the bot as shipped against the fakes,
watch what arrives, then check the database. See bench/broadcast.py for what is measured."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import func, select, text

from bench.databases import create_database, drop_database
from bench.reminders_run import cpu_seconds, vm_hwm
from bot.config import normalise_database_url
from storage import migrate
from storage.broadcasts.figures import Figures, figures_of
from storage.db import Database
from storage.models import Message, MessageStatus, ScheduledMessage
from tests.fakes.telegram import FakeTelegramAPI
from tests.fakes.whatsapp import FakeGraphAPI
from tests.helpers.bulk_broadcast import seed_broadcast
from tests.helpers.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:BROADCAST"
APP_SECRET = "bench-app-secret"


class CountingFake(FakeTelegramAPI):
    """The fake Bot API, noting when each chat got each message, and how many sends were paid."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrivals: dict[int, list[float]] = defaultdict(list)
        self.send_calls = 0
        self.paid_calls = 0
        self.method_counts: Counter[str] = Counter()

    def _deliver(self, state: Any, record: dict[str, Any]) -> None:
        super()._deliver(state, record)
        self.arrivals[record["chat"]["id"]].append(time.time())

    def _log_call(self, name: str, params: dict[str, Any]) -> None:
        self.method_counts[name.lower()] += 1
        if name.lower() == "sendmessage":
            self.send_calls += 1
            self.paid_calls += bool(params.get("allow_paid_broadcast"))
        # not kept: 10,000s of params would only weigh on this process


class Memory(threading.Thread):
    """Peak memory of the bot, every 100 ms: the resident set of its main process (the engine,
    the database and WhatsApp; as bench/reminders.py measures it), and the proportional set of
    its processes together (PTB's own process included; shared pages counted once)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak_rss = 0
        self.peak_tree_pss = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.1):
            with contextlib.suppress(psutil.Error):
                self.peak_rss = max(self.peak_rss, self.process.memory_info().rss)
                tree = [self.process, *self.process.children(recursive=True)]
                pss = sum(p.memory_full_info().pss for p in tree)
                self.peak_tree_pss = max(self.peak_tree_pss, pss)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=2)


@dataclass
class Lane:
    """What one channel's recipients got."""

    channel: str
    recipients: int
    limit: float
    arrivals: list[float] = field(default_factory=list)  # first arrival per recipient
    duplicates: int = 0
    lost: int = 0
    requests: int = 0
    refused_429: int = 0
    paid: int = 0

    @property
    def first(self) -> float:
        return min(self.arrivals) if self.arrivals else float("nan")

    @property
    def last(self) -> float:
        return max(self.arrivals) if self.arrivals else float("nan")

    def rate(self, start: float | None = None, end: float | None = None) -> float:
        """Messages per second between `start` and `end` (default: its first and last)."""
        start = self.first if start is None else start
        end = self.last if end is None else end
        inside = [t for t in self.arrivals if start <= t <= end]
        if end <= start or len(inside) < 2:
            return float("nan")
        return (len(inside) - 1) / (end - start)


@dataclass
class Outcome:
    name: str
    lanes: list[Lane]
    peak_rss: int = 0  # the main process
    peak_tree_pss: int = 0  # its processes together
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    exit_code: int | None = None
    figures: Figures | None = None
    unsent_log: int = 0
    per_process: list[int] = field(default_factory=list)  # rows each process sent, most first
    problems: list[str] = field(default_factory=list)

    def overlap(self) -> tuple[float, float] | None:
        """The stretch when every channel was sending: the latest first, the earliest last."""
        if len(self.lanes) < 2:
            return None
        return max(x.first for x in self.lanes), min(x.last for x in self.lanes)


async def run_once(
    name: str,
    *,
    telegram: int,
    whatsapp: int,
    paid: bool,
    database_url: str | None,
    workdir: Path,
    quiet_timeout: float,
    processes: int = 1,
) -> Outcome:
    """Seed `telegram` + `whatsapp` recipients (interleaved, as a real audience is), run the
    bot until every one of them got the broadcast or nothing arrived for `quiet_timeout` s.
    `processes` > 1: that many `pendamping run` on the one database, sharing the send budget
    (Telegram in webhook mode then, as several processes must run it)."""
    url = (
        await create_database(database_url)
        if database_url
        else f"sqlite+aiosqlite:///{tempfile.mkdtemp(dir=workdir)}/bench.db"
    )
    url = normalise_database_url(url)
    db = Database(url)
    await migrate.upgrade(db)
    order = interleave(telegram, whatsapp)
    seeded = await seed_broadcast(db, order, datetime.now(UTC))
    if not db.is_sqlite:  # the statistics a live database has (autovacuum), not a fresh one's
        async with db.transaction() as tx:
            await tx.execute(text("ANALYZE"))
    await db.dispose()

    lanes = []
    tg = CountingFake(token=TOKEN, flood_limits=True, paid_per_second=1000)
    wa = FakeGraphAPI(per_second=80.0)
    await tg.start()
    await wa.start()
    chats = [int(a) for a in seeded.addresses.get("telegram", [])]
    phones = seeded.addresses.get("whatsapp", [])
    for chat in chats:
        tg.user(chat, first_name="Peserta").text_update("/start")  # they wrote to the bot
    for phone in phones:
        wa.person_wrote(phone)  # their 24 hours are open: the free text goes
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        "HOST": "127.0.0.1",
        "TELEGRAM_PAID_BROADCAST": "true" if paid else "false",
    }
    for variable in ("TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_BOT_TOKEN"):
        env.pop(variable, None)
    if chats:
        env |= {"TELEGRAM_BOT_TOKEN": tg.token, "TELEGRAM_API_URL": tg.url}
        if processes > 1:  # only one process may poll a token
            env |= {
                "TELEGRAM_WEBHOOK_URL": "https://bench.example.org/telegram",
                "TELEGRAM_WEBHOOK_SECRET": "bench-secret",
            }
    if phones:
        env |= {
            "WHATSAPP_TOKEN": wa.token,
            "WHATSAPP_PHONE_NUMBER_ID": wa.phone_number_id,
            "WHATSAPP_APP_SECRET": APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": "bench",
            "WHATSAPP_API_URL": wa.api_url,
        }
    stderr_path = workdir / f"{name}.stderr.txt"
    outcome = Outcome(name, lanes)
    with stderr_path.open("wb") as stderr:
        started = time.time()
        bots = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                env=env | {"PORT": str(free_port())},
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            for _ in range(processes)
        ]
        process = bots[0]
        trees = [psutil.Process(bot.pid) for bot in bots]
        sampler = Memory(process.pid)
        sampler.start()
        try:
            await wait_for_all(process, tg, wa, len(chats), phones, quiet_timeout)
            outcome.wall_seconds = time.time() - started
            with contextlib.suppress(psutil.Error):
                tree = [p for top in trees for p in (top, *top.children(recursive=True))]
                outcome.cpu_seconds = sum(cpu_seconds(p) for p in tree)
            outcome.peak_rss = max(vm_hwm(bot.pid) or 0 for bot in bots)
        finally:
            for bot in bots:
                if bot.returncode is None:
                    bot.send_signal(signal.SIGTERM)
            for bot in bots:
                try:
                    await asyncio.wait_for(bot.wait(), timeout=30)
                except TimeoutError:
                    bot.kill()
                    await bot.wait()
            sampler.stop()
            await tg.stop()
            await wa.stop()
    outcome.exit_code = max(abs(bot.returncode or 0) for bot in bots)
    outcome.peak_rss = max(sampler.peak_rss, outcome.peak_rss)
    outcome.peak_tree_pss = sampler.peak_tree_pss
    if chats:
        lane = Lane("telegram", len(chats), 1000.0 if paid else 30.0)
        for chat in chats:
            times = tg.arrivals.get(chat, [])
            lane.arrivals.extend(times[:1])
            lane.lost += not times
            lane.duplicates += max(0, len(times) - 1)
        lane.requests, lane.refused_429, lane.paid = (
            tg.send_calls,
            tg.flood_rejections,
            tg.paid_calls,
        )
        lanes.append(lane)
    if phones:
        lane = Lane("whatsapp", len(phones), 80.0)
        for phone in phones:
            got = wa.messages_to(phone)
            lane.arrivals.extend(m.at for m in got[:1])
            lane.lost += not got
            lane.duplicates += max(0, len(got) - 1)
        lane.requests, lane.refused_429 = wa.posts, wa.answers[130429]
        lanes.append(lane)
    await check(outcome, url, seeded.broadcast_id, telegram + whatsapp, stderr_path)
    if database_url:
        await drop_database(database_url, url)
    return outcome


def interleave(telegram: int, whatsapp: int) -> list[str]:
    """The recipients' channels in the order their rows fall due, the two mixed evenly."""
    total = telegram + whatsapp
    order, placed = [], 0
    for n in range(total):
        want = round((n + 1) * telegram / total) if total else 0
        if want > placed:
            order.append("telegram")
            placed += 1
        else:
            order.append("whatsapp")
    return order


async def wait_for_all(
    process: asyncio.subprocess.Process,
    tg: CountingFake,
    wa: FakeGraphAPI,
    chats: int,
    phones: list[str],
    quiet_timeout: float,
) -> None:
    """Until every recipient has a message, or nothing new arrived for `quiet_timeout` s (the run
    then counts the missing ones as lost), or the bot exited."""
    last_count, last_change = -1, time.monotonic()
    while process.returncode is None:
        await asyncio.sleep(0.25)
        count = len(tg.arrivals) + sum(1 for p in phones if wa.received.get(p))
        if count >= chats + len(phones):
            await asyncio.sleep(1.0)  # anything sent twice would come now
            return
        if count != last_count:
            last_count, last_change = count, time.monotonic()
        elif time.monotonic() - last_change > quiet_timeout:
            return


async def check(outcome: Outcome, url: str, broadcast_id: int, total: int, stderr: Path) -> None:
    """The database after the run: the figures add up, everyone's row is sent, every message
    logged as sent; and the fakes' side: nothing lost or sent twice, the bot stopped cleanly."""
    db = Database(url)
    try:
        async with db.transaction() as tx:
            outcome.figures = figures = await figures_of(tx, broadcast_id)
            shares = await tx.execute(
                select(ScheduledMessage.claimed_by, func.count())
                .where(ScheduledMessage.broadcast_id == broadcast_id)
                .group_by(ScheduledMessage.claimed_by)
            )
            outcome.per_process = sorted((int(n) for _who, n in shares.tuples()), reverse=True)
            outcome.unsent_log = int(
                await tx.scalar(
                    select(func.count())
                    .select_from(Message)
                    .where(Message.direction == "out", Message.status != MessageStatus.SENT)
                )
                or 0
            )
    finally:
        await db.dispose()
    problems = outcome.problems
    if not figures.adds_up():
        problems.append(f"the broadcast's figures do not add up: {figures}")
    if figures.sent != total:
        problems.append(f"{figures.sent} of {total} outbox rows marked sent: {figures}")
    if outcome.unsent_log:
        problems.append(f"{outcome.unsent_log} outbound messages in the log not marked sent")
    for lane in outcome.lanes:
        if lane.lost or lane.duplicates:
            problems.append(f"{lane.channel}: {lane.lost} lost, {lane.duplicates} duplicates")
    if outcome.exit_code != 0:
        tail = stderr_tail(stderr)
        problems.append(f"the bot exited with {outcome.exit_code}; stderr ends:\n{tail}")


def stderr_tail(path: Path, lines: int = 5) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
