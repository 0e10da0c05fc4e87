"""The composition root: builds the database, engine, channels and the one web app, and runs them."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from datetime import timedelta
from functools import partial

from starlette.routing import BaseRoute

from bot.channels.protocol import Channel, Receive
from bot.channels.telegram.app import (
    attach,
    bot_username,
    build_application,
    record_chat_member,
    serve,
)
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.registration import register_once
from bot.channels.telegram.webhook import TelegramWebhook, process_raw_update, webhook_path
from bot.channels.whatsapp.service import WhatsApp
from bot.config import Settings
from bot.courier.remote import CourierProcess
from bot.engines.router import Engines
from bot.inbox import Inbox
from bot.media import MediaKeeper
from bot.memory import freeze_startup_objects
from bot.outbox.budget import SharedBudget
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


def flow_settings(
    settings: Settings, channels: Iterable[str] = (), telegram_username: str | None = None
) -> FlowSettings:
    """What the flows need of the settings; `channels`: the names of the channels running;
    `telegram_username`: the bot's, for links (read from the Bot API at start-up)."""
    return FlowSettings(
        channels=frozenset(channels),
        telegram_username=telegram_username,
        whatsapp_number=settings.whatsapp_business_number,
        invite_hours=settings.invite_hours,
        media_dir=settings.media_folder,
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
    """Connect and apply pending migrations (several processes started at once on PostgreSQL:
    one migrates, the others wait for it and find nothing left to do)."""
    db = Database(settings.database_url)
    todo = await migrate.pending(db)
    if todo:
        log.info("applying %d database migration(s)", len(todo))
        await migrate.upgrade(db)
    return db


def web_routes(
    db: Database, settings: Settings, metrics: Metrics, webhooks: Sequence[BaseRoute]
) -> list[BaseRoute]:
    """Everything the bot's one web app serves: health, metrics, and each channel's webhook."""
    max_lag = timedelta(minutes=settings.health_max_lag_minutes)
    return [health_route(db, max_lag), metrics.route(db), *webhooks]


def channel_limiters(settings: Settings, db: Database) -> Limiters:
    """One limiter per channel, shared by replies and the outbox, at the configured rates; their
    slots come from the database's send budgets, which every process on it shares."""
    paid = (
        {"telegram": settings.telegram_paid_broadcast_rate}
        if settings.telegram_paid_broadcast
        else {}
    )
    return Limiters(
        per_second={"whatsapp": settings.whatsapp_messages_per_second},
        paid=paid,
        budget=SharedBudget(db),
    )


async def run(settings: Settings, db: Database, stop: asyncio.Event) -> None:
    """Serve every configured channel (Telegram, WhatsApp, or both) until `stop` is set.

    The web app (health, metrics and the channels' webhooks) listens on HOST:PORT from before the
    channels start until after they stop: a webhook post that comes early is answered (WhatsApp's
    is stored, to be handled once the engine runs). python-telegram-bot runs in a process of its
    own when `TELEGRAM_PROCESS` says so (by default on a machine with two cores or more), else in
    this one; WhatsApp (an HTTP client and a webhook) always runs in this one.
    """
    metrics = Metrics()
    telegram_webhook = None
    if settings.telegram_bot_token and settings.webhook_mode:
        assert settings.telegram_webhook_secret is not None  # the settings require one
        telegram_webhook = TelegramWebhook(webhook_path(settings), settings.telegram_webhook_secret)
    whatsapp = WhatsApp(settings, db) if settings.whatsapp_enabled else None
    webhooks = [
        *([telegram_webhook.route] if telegram_webhook else []),
        *(whatsapp.routes if whatsapp else []),
    ]
    sending = Sending(db, settings, metrics, whatsapp)
    if settings.engines > 1:  # a worker that ends by itself stops the bot, as a courier does
        sending.engines = Engines(settings, on_death=stop.set)
    if settings.telegram_bot_token:
        found = await bot_username(settings)  # for the links in invites and pre-release codes
        if found.username is None:
            log.warning("no Telegram links in invites: %s", found.problem)
        sending.telegram_username = found.username
    try:
        async with WebServer(
            web_routes(db, settings, metrics, webhooks), settings.host, settings.port
        ):
            if not settings.telegram_bot_token:
                await _run_without_telegram(sending, stop)
            elif settings.telegram_separate_process:
                await _run_telegram_apart(settings, sending, stop, telegram_webhook)
            else:
                await _run_telegram_here(settings, sending, stop, telegram_webhook)
    finally:
        if whatsapp is not None:
            await whatsapp.aclose()
    if sending.engines is not None and sending.engines.death is not None:
        raise CourierStopped(sending.engines.death)


class Sending:
    """The parts every channel shares: the channels (paced and counted), the inbox, the outbox,
    and the WhatsApp webhook's worker. Started once every channel can send; stopped before any
    channel stops, so what is in hand still goes out."""

    def __init__(
        self, db: Database, settings: Settings, metrics: Metrics, whatsapp: WhatsApp | None
    ) -> None:
        self.db = db
        self.settings = settings
        self.metrics = metrics
        self.whatsapp = whatsapp
        self.limiters = channel_limiters(settings, db)
        self.channels: dict[str, Channel] = {}
        if whatsapp is not None:
            self.add(whatsapp.channel)
        self._inbox: Inbox | None = None
        self.engines: Engines | None = None  # ENGINES > 1: each person's messages to one engine
        self._reminders: ReminderScheduler | None = None
        self.telegram_username: str | None = None
        self._media: asyncio.Task[None] | None = None
        self._media_stop = asyncio.Event()

    def add(self, channel: Channel) -> None:
        """A channel, paced by its limiter (replies and the outbox share it) and counted."""
        self.channels.update(
            paced({channel.name: self.metrics.counting_channel(channel)}, self.limiters)
        )

    @property
    def inbox(self) -> Inbox:
        if self._inbox is None:
            flows = flow_settings(self.settings, self.channels.keys(), self.telegram_username)
            self._inbox = Inbox(self.db, flows, self.channels)
        return self._inbox

    @property
    def receive(self) -> Receive:
        receive = self.engines.receive if self.engines is not None else self.inbox.receive
        return self.metrics.counting_receive(receive)

    async def start(self) -> None:
        self._reminders = start_reminders(self.db, self.settings, self.channels)
        self._media_stop.clear()
        fetch = self.whatsapp.channel.fetch if self.whatsapp is not None else None
        keeper = MediaKeeper(self.db, self.settings.media_folder, fetch)
        self._media = asyncio.create_task(keeper.run(self._media_stop), name="media-keeper")
        self.inbox.on_media = keeper.wake
        self.inbox.on_outbox = self._reminders.wake
        if self.engines is not None:
            await self.engines.start(self.inbox, self.channels)
        if self.whatsapp is not None:
            await self.whatsapp.webhook.open(self.receive, on_requeue=self._reminders.wake)
        freeze_startup_objects()

    async def stop(self) -> None:
        """Idempotent: the updates in hand are handled, then the outbox stops."""
        if self.whatsapp is not None:
            await self.whatsapp.webhook.close()
        if self._reminders is not None:
            await self._reminders.stop()  # before the channels: a reminder being sent needs them
            self._reminders = None
        if self._media is not None:
            self._media_stop.set()
            await self._media
            self._media = None

    async def close(self) -> None:
        await self.stop()
        if self.engines is not None:  # the workers finish their turns while channels can send
            await self.engines.stop()
        if self._inbox is not None:
            await self._inbox.close()


async def _run_without_telegram(sending: Sending, stop: asyncio.Event) -> None:
    try:
        await sending.start()
        log.info("serving WhatsApp only")
        await stop.wait()
    finally:
        await sending.close()


async def _run_telegram_here(
    settings: Settings,
    sending: Sending,
    stop: asyncio.Event,
    webhook: TelegramWebhook | None,
) -> None:
    application = build_application(settings, webhook=settings.webhook_mode)
    telegram = TelegramChannel(application.bot, paid_broadcast=settings.telegram_paid_broadcast)
    sending.add(telegram)
    attach(application, sending.receive, partial(record_chat_member, sending.db), telegram)

    async def start_sending() -> None:  # PTB can send from now on
        await sending.start()
        if webhook is not None:
            webhook.open(partial(process_raw_update, application))
        await register_once(settings, sending.db)  # posts can be handled: tell Telegram

    async def stop_sending() -> None:
        if webhook is not None:
            await webhook.close()  # the updates in hand are handled while PTB can still send
        await sending.stop()

    try:
        await serve(
            application, settings, stop, after_start=start_sending, before_stop=stop_sending
        )
    finally:
        await stop_sending()
        await sending.close()


async def _run_telegram_apart(
    settings: Settings,
    sending: Sending,
    stop: asyncio.Event,
    webhook: TelegramWebhook | None,
) -> None:
    """PTB in the Telegram process; webhook posts still come here (the web app is this
    process's) and go to it raw, to be read and handled there."""
    courier = CourierProcess("telegram", "bot.channels.telegram.process", settings)
    sending.add(courier)
    await courier.start(sending.receive, partial(record_chat_member, sending.db))
    if webhook is not None:
        webhook.open(courier.handle_update)
    await sending.start()
    await register_once(settings, sending.db)  # posts can be handled: tell Telegram
    ended = asyncio.create_task(courier.wait())
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({ended, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if webhook is not None:
        await webhook.close()  # the updates in hand finish while the courier can still send
    await sending.stop()  # before the courier: a reminder being sent needs it
    if ended.done():
        await courier.close()
        await sending.close()
        raise CourierStopped(f"the Telegram process ended by itself (exit code {ended.result()})")
    code = await courier.stop()
    await sending.close()
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
