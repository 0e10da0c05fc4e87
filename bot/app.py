"""The composition root: builds the database, engine, channels and web server, and runs them."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import timedelta
from urllib.parse import urlparse

import uvicorn

from bot.channel import Channel
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.inbox import Inbox
from bot.scheduler import ReminderScheduler
from bot.telegram_app import ALLOWED_UPDATES, attach, build_application, register_commands
from bot.telegram_channel import TelegramChannel
from bot.web import TELEGRAM_PATH, build_web_app
from handlers.flow import Settings as FlowSettings
from handlers.reminder_rules import QuietHours, ReminderPolicy
from storage import migrate
from storage.db import Database

log = logging.getLogger(__name__)


def flow_settings(settings: Settings) -> FlowSettings:
    return FlowSettings(
        default_language=settings.default_language,
        default_timezone=settings.default_timezone,
        program_name=settings.program_name,
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
    """Serve Telegram until `stop` is set: webhook if configured, long polling otherwise."""
    webhook = settings.webhook_mode
    application = build_application(settings, webhook=webhook)
    channels = {"telegram": TelegramChannel(application.bot)}
    reminders = start_reminders(db, settings, channels)
    inbox = Inbox(db, flow_settings(settings), channels)
    attach(application, inbox, db)
    async with application:
        await register_commands(application)
        await application.start()
        if webhook:
            assert settings.telegram_webhook_url is not None
            path = urlparse(settings.telegram_webhook_url).path or TELEGRAM_PATH
            web = build_web_app(application, settings.telegram_webhook_secret, path)
            server = QuietServer(
                uvicorn.Config(web, host=settings.host, port=settings.port, log_level="warning")
            )
            serving = asyncio.create_task(server.serve())
            while not server.started:  # tell Telegram about us only once we are listening
                if serving.done():
                    serving.result()  # the port is taken, or similar: raise it
                await asyncio.sleep(0.05)
            await application.bot.set_webhook(
                settings.telegram_webhook_url,
                secret_token=settings.telegram_webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            log.info(
                "telegram webhook mode: listening on %s:%d%s", settings.host, settings.port, path
            )
            await stop.wait()
            server.should_exit = True
            await serving
        else:
            assert application.updater is not None
            await application.bot.delete_webhook()
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            log.info("telegram polling mode: waiting for messages")
            await stop.wait()
            await application.updater.stop()
        await reminders.stop()
        await application.stop()
        await inbox.close()


def start_reminders(
    db: Database, settings: Settings, channels: Mapping[str, Channel]
) -> ReminderScheduler:
    """The dispatcher for the outbox, woken by APScheduler; rows live in the database."""
    dispatcher = Dispatcher(db, channels, flow_settings(settings).reminders)
    scheduler = ReminderScheduler(dispatcher)
    scheduler.start()
    return scheduler


class QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to us (we stop it through `stop`)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop
