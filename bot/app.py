"""The composition root: builds the database, engine, channels and the one web app, and runs them."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Mapping, Sequence
from contextlib import suppress
from datetime import timedelta
from functools import partial

from starlette.routing import BaseRoute

from bot.channels.protocol import Channel
from bot.channels.telegram.app import attach, build_application, record_chat_member, serve
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.webhook import TelegramWebhook, process_raw_update, webhook_path
from bot.config import Settings
from bot.courier.remote import CourierProcess
from bot.inbox import Inbox
from bot.memory import freeze_startup_objects
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.limits import Limiters, paced
from bot.outbox.scheduler import ReminderScheduler
from bot.web.health import health_route
from bot.web.metrics import Metrics
from bot.web.server import WebServer
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


def web_routes(
    db: Database, settings: Settings, metrics: Metrics, webhooks: Sequence[BaseRoute]
) -> list[BaseRoute]:
    """Everything the bot's one web app serves.

    Each channel that takes a webhook contributes its route in `webhooks` (Telegram's today, in
    `run_telegram`; WhatsApp's goes beside it)."""
    max_lag = timedelta(minutes=settings.health_max_lag_minutes)
    return [health_route(db, max_lag), metrics.route(db), *webhooks]


async def run_telegram(settings: Settings, db: Database, stop: asyncio.Event) -> None:
    """Serve Telegram until `stop` is set: webhook if configured, long polling otherwise.

    The web app (health, metrics and, in webhook mode, Telegram's webhook) listens on HOST:PORT
    from before Telegram starts until after it stops. python-telegram-bot runs in a process of
    its own when `TELEGRAM_PROCESS` says so (by default on a machine with two cores or more),
    else in this one.
    """
    metrics = Metrics()
    webhook = None
    if settings.webhook_mode:
        assert settings.telegram_webhook_secret is not None  # the settings require one
        webhook = TelegramWebhook(webhook_path(settings), settings.telegram_webhook_secret)
    routes = web_routes(db, settings, metrics, [webhook.route] if webhook else [])
    async with WebServer(routes, settings.host, settings.port):
        if settings.telegram_separate_process:
            await _run_telegram_apart(settings, db, stop, metrics, webhook)
        else:
            await _run_telegram_here(settings, db, stop, metrics, webhook)


async def _run_telegram_here(
    settings: Settings,
    db: Database,
    stop: asyncio.Event,
    metrics: Metrics,
    webhook: TelegramWebhook | None,
) -> None:
    application = build_application(settings, webhook=settings.webhook_mode)
    telegram = TelegramChannel(application.bot)
    # Replies and the outbox share one limiter per channel; each attempt's outcome is counted.
    channels = paced({"telegram": metrics.counting_channel(telegram)}, Limiters())
    inbox = Inbox(db, flow_settings(settings), channels)
    receive = metrics.counting_receive(inbox.receive)
    attach(application, receive, partial(record_chat_member, db), telegram)
    reminders: list[ReminderScheduler] = []

    async def start_sending() -> None:  # PTB can send from now on
        reminders.append(start_reminders(db, settings, channels))
        if webhook is not None:
            webhook.open(partial(process_raw_update, application))
        freeze_startup_objects()

    async def stop_sending() -> None:
        if webhook is not None:
            await webhook.close()  # the updates in hand are handled while PTB can still send
        for scheduler in reminders:
            await scheduler.stop()

    try:
        await serve(
            application, settings, stop, after_start=start_sending, before_stop=stop_sending
        )
    finally:
        await stop_sending()
        await inbox.close()


async def _run_telegram_apart(
    settings: Settings,
    db: Database,
    stop: asyncio.Event,
    metrics: Metrics,
    webhook: TelegramWebhook | None,
) -> None:
    """PTB in the Telegram process; webhook posts still come here (the web app is this
    process's) and go to it raw, to be read and handled there."""
    courier = CourierProcess("telegram", "bot.channels.telegram.process", settings)
    channels = paced({"telegram": metrics.counting_channel(courier)}, Limiters())
    inbox = Inbox(db, flow_settings(settings), channels)
    await courier.start(metrics.counting_receive(inbox.receive), partial(record_chat_member, db))
    if webhook is not None:
        webhook.open(courier.handle_update)
    reminders = start_reminders(db, settings, channels)
    freeze_startup_objects()
    ended = asyncio.create_task(courier.wait())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({ended, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if webhook is not None:
        await webhook.close()  # the updates in hand finish while the courier can still send
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
