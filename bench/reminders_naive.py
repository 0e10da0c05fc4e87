"""The naive reminder design, for comparison in `bench/reminders.py`: one APScheduler job per reminder.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_URL=... DATABASE_URL=... python bench/reminders_naive.py [--retries 1]

At start it reads every pending reminder (with the person's chat id, language, time zone and
discretion) and each session once, closes the database, and adds one APScheduler 3 `date` job per
reminder to an `AsyncIOScheduler` with the default `MemoryJobStore` and default job options
(misfire_grace_time 1 s unless `--misfire-grace`, coalesce, max_instances 1: a job that
starts more than 1 s after its time is dropped with a warning). When a job fires it renders the same text and
buttons as the real bot (`handlers.reminder_text.reminder`, `bot.telegram_channel.render_markup`)
and calls PTB `bot.send_message` directly: no rate limiting, no database at send time. On
`RetryAfter` it sleeps `retry_after` and tries again, at most `--retries` times (default 1), then
gives up; any other error gives up at once. The PTB `Bot` is built like the real bot's
(`ApplicationBuilder`, 64 pooled connections, pool timeout 30 s).

Prints one JSON line `{"ready": ...}` on stdout when every job is scheduled, and one JSON line of
counters when stopped with SIGTERM/SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import os
import signal
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # noqa: E402
from sqlalchemy import select  # noqa: E402
from telegram import Bot, LinkPreviewOptions  # noqa: E402
from telegram.constants import ParseMode  # noqa: E402
from telegram.error import RetryAfter, TelegramError  # noqa: E402
from telegram.ext import ApplicationBuilder  # noqa: E402

from bot.channels.telegram.channel import render_markup, retry_after_seconds  # noqa: E402
from bot.config import normalise_database_url  # noqa: E402
from handlers.i18n import use_language  # noqa: E402
from handlers.programs.events import session_event  # noqa: E402
from handlers.reminders import text as reminder_text  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import (  # noqa: E402
    Address,
    Participant,
    ProgramSession,
    ScheduledMessage,
)

log = logging.getLogger("reminders_naive")


@dataclass(frozen=True, slots=True)
class Person:
    """What rendering needs of a participant (reminder_text reads timezone and discreet)."""

    timezone: str
    language: str
    discreet: bool


class Counters:
    def __init__(self) -> None:
        self.fired = 0
        self.sent = 0
        self.retry_after = 0
        self.gave_up_flood = 0
        self.failed = 0


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--retries", type=int, default=1, help="retries after RetryAfter (default 1)"
    )
    parser.add_argument(
        "--misfire-grace",
        type=float,
        default=1.0,
        help="APScheduler misfire_grace_time in s (default 1, APScheduler's own); < 0: None",
    )
    args = parser.parse_args()
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING").upper(), stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    token = os.environ["TELEGRAM_BOT_TOKEN"]
    api = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org")
    started = time.monotonic()

    db = Database(normalise_database_url(os.environ["DATABASE_URL"]))
    async with db.transaction() as tx:
        events = {
            s.id: session_event(s) for s in (await tx.execute(select(ProgramSession))).scalars()
        }
        rows = (
            await tx.execute(
                select(
                    ScheduledMessage.due_at,
                    ScheduledMessage.session_id,
                    Address.value,
                    Participant.id,
                    Participant.timezone,
                    Participant.language,
                    Participant.discreet,
                )
                .join(Participant, Participant.id == ScheduledMessage.participant_id)
                .join(Address, Address.participant_id == Participant.id)
                .where(
                    ScheduledMessage.status == "pending",
                    ScheduledMessage.kind == "reminder",
                    Address.channel == "telegram",
                    Address.blocked_at.is_(None),
                )
                .order_by(ScheduledMessage.due_at)
            )
        ).all()
    await db.dispose()
    loaded = time.monotonic()

    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .connection_pool_size(64)
        .pool_timeout(30)
        .updater(None)
        .build()
    )
    bot: Bot = application.bot
    await bot.initialize()
    counters = Counters()

    async def send(chat_id: int, session_id: int, person: Person) -> None:
        counters.fired += 1
        with use_language(person.language):
            reply = reminder_text.reminder(events[session_id], person, datetime.now(UTC))  # type: ignore[arg-type]
        markup = render_markup(reply)
        for attempt in range(args.retries + 1):
            try:
                await bot.send_message(
                    chat_id=chat_id,
                    text=reply.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
                counters.sent += 1
                return
            except RetryAfter as error:
                counters.retry_after += 1
                if attempt == args.retries:
                    counters.gave_up_flood += 1
                    return
                await asyncio.sleep(retry_after_seconds(error))
            except TelegramError:
                counters.failed += 1
                return

    grace = None if args.misfire_grace < 0 else args.misfire_grace
    scheduler = AsyncIOScheduler(timezone=UTC, job_defaults={"misfire_grace_time": grace})
    people: dict[int, Person] = {}
    for due_at, session_id, chat, participant_id, zone, language, discreet in rows:
        person = people.get(participant_id)
        if person is None:
            person = people[participant_id] = Person(zone, language, discreet)
        scheduler.add_job(send, "date", run_date=due_at, args=(int(chat), session_id, person))
    jobs = len(rows)
    del rows
    gc.collect()
    scheduler.start()
    ready = time.monotonic()
    print(
        json.dumps(
            {
                "ready": True,
                "jobs": jobs,
                "jobs_in_store": len(scheduler.get_jobs()),
                "load_seconds": round(loaded - started, 2),
                "schedule_seconds": round(ready - loaded, 2),
            }
        ),
        flush=True,
    )

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    scheduler.shutdown(wait=False)
    await bot.shutdown()
    print(json.dumps({"counters": vars(counters)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
