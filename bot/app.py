"""The composition root: builds the database, engine, channels and web server, and runs them."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Mapping
from contextlib import suppress
from datetime import timedelta
from functools import partial

from bot.channels.protocol import Channel
from bot.channels.telegram.app import attach, build_application, record_chat_member, serve
from bot.channels.telegram.channel import TelegramChannel
from bot.config import Settings
from bot.courier.remote import CourierProcess
from bot.inbox import Inbox
from bot.memory import freeze_startup_objects
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.limits import Limiters, paced
from bot.outbox.scheduler import ReminderScheduler
from handlers.flow import FlowSettings
from handlers.reminders.rules import QuietHours, ReminderPolicy
from storage import migrate
from storage.db import Database

log = logging.getLogger(__name__)


def flow_settings(settings: Settings) -> FlowSettings:
    return FlowSettings(
        default_language=settings.default_language,
        default_timezone=settings.default_timezone,
        program_name=settings.program_name,
        emergency_number=settings.emergency_number,
        crisis_lines=settings.crisis_lines,
        reminders=ReminderPolicy(
            quiet=QuietHours.parse(settings.quiet_hours),
            grace=timedelta(minutes=settings.reminder_grace_minutes),
        ),
    )


async def open_database(settings: Settings) -> Database:
    """Connect and apply pending migrations."""
    db = Database(settings.database_url)
    todo = await migrate.pending(db)
    if todo:
        log.info("applying %d database migration(s)", len(todo))
        await migrate.upgrade(db)
    return db


async def run_telegram(settings: Settings, db: Database, stop: asyncio.Event) -> None:
    """Serve Telegram until `stop` is set: webhook if configured, long polling otherwise.

    python-telegram-bot runs in a process of its own when `TELEGRAM_PROCESS` says so (by default
    on a machine with two cores or more), else in this one.
    """
    if settings.telegram_separate_process:
        await _run_telegram_apart(settings, db, stop)
        return
    application = build_application(settings, webhook=settings.webhook_mode)
    telegram = TelegramChannel(application.bot)
    channels = paced({"telegram": telegram}, Limiters())  # replies and the outbox share limiters
    inbox = Inbox(db, flow_settings(settings), channels)
    attach(application, inbox.receive, partial(record_chat_member, db), telegram)
    reminders: list[ReminderScheduler] = []

    async def start_sending() -> None:  # PTB can send from now on
        reminders.append(start_reminders(db, settings, channels))
        freeze_startup_objects()

    async def stop_sending() -> None:
        for scheduler in reminders:
            await scheduler.stop()

    try:
        await serve(
            application, settings, stop, after_start=start_sending, before_stop=stop_sending
        )
    finally:
        await stop_sending()
        await inbox.close()


async def _run_telegram_apart(settings: Settings, db: Database, stop: asyncio.Event) -> None:
    courier = CourierProcess("telegram", "bot.channels.telegram.process", settings)
    channels = paced({"telegram": courier}, Limiters())  # replies and the outbox share limiters
    inbox = Inbox(db, flow_settings(settings), channels)
    await courier.start(inbox.receive, partial(record_chat_member, db))
    reminders = start_reminders(db, settings, channels)
    freeze_startup_objects()
    ended = asyncio.create_task(courier.wait())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({ended, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    await reminders.stop()  # before the courier: a reminder being sent needs it
    if ended.done():
        await courier.close()
        await inbox.close()
        raise CourierStopped(f"the Telegram process ended by itself (exit code {ended.result()})")
    code = await courier.stop()
    await inbox.close()
    if code != 0:
        log.warning("the Telegram process exited with code %d", code)


class CourierStopped(RuntimeError):
    """A channel's process ended without being asked to: the bot stops so a supervisor restarts it."""


def start_reminders(
    db: Database, settings: Settings, channels: Mapping[str, Channel]
) -> ReminderScheduler:
    """The dispatcher for the outbox, woken by APScheduler; rows live in the database."""
    dispatcher = Dispatcher(db, channels, flow_settings(settings).reminders)
    scheduler = ReminderScheduler(dispatcher)
    scheduler.start()
    return scheduler


def stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop
