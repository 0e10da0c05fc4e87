"""The python-telegram-bot Application: updates in (polling or webhook), commands menu, blocked chats."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import Bot, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.channels.protocol import MemberChanged, Receive
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.reader import ReadingBot
from bot.channels.telegram.registration import ALLOWED_UPDATES
from bot.channels.telegram.request import AiohttpRequest
from bot.channels.telegram.updates import CHANNEL, to_incoming
from bot.config import Settings
from bot.logs import hide_library_payloads
from handlers.outbox.reachability import mark_reachable, mark_unreachable
from handlers.types import Kind
from storage.db import Database

log = logging.getLogger(__name__)


def build_application(settings: Settings, *, webhook: bool) -> Application:  # type: ignore[type-arg]
    assert settings.telegram_bot_token is not None
    hide_library_payloads()
    bot = ReadingBot(
        settings.telegram_bot_token,
        base_url=f"{settings.telegram_api_url}/bot",
        base_file_url=f"{settings.telegram_api_url}/file/bot",
        request=AiohttpRequest(connection_pool_size=64, pool_timeout=30),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    )
    # Enough updates at once to keep the engine busy while others wait on Telegram; each holds a
    # database connection only for its transaction.
    builder = ApplicationBuilder().bot(bot).concurrent_updates(32)
    if webhook:
        builder = builder.updater(None)
    return builder.build()


def attach(
    application: Application,  # type: ignore[type-arg]
    receive: Receive,
    member_changed: MemberChanged,
    channel: TelegramChannel,
) -> None:
    """Route every update through our own handler; PTB's handlers and state machine stay unused.

    `receive` gets each message as an `Incoming` (`Inbox.receive`, or the engine process's) and
    returns once it is handled and answered; `member_changed` hears that a private chat blocked
    or unblocked the bot. `channel` is the one that sends the replies in this process: it takes
    the buttons off a message once a press on it is handled.
    """

    async def on_update(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await _answer_callback(update)
        member = update.my_chat_member
        if member is not None:
            if member.chat.type == "private":
                await member_changed(str(member.chat.id), member.new_chat_member.status)
            return
        incoming = to_incoming(update, application.bot.id)
        if incoming is None:
            if update.edited_message is not None:
                log.info("edited message ignored")
            return
        if incoming.kind is Kind.BUTTON and incoming.message_ref is not None:
            async with channel.answering_press(incoming.address, incoming.message_ref):
                await receive(incoming)
        else:
            await receive(incoming)

    async def on_error(_update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error(
            "telegram update failed: %s", type(context.error).__name__, exc_info=context.error
        )

    application.add_handler(TypeHandler(Update, on_update))
    application.add_error_handler(on_error)


async def _answer_callback(update: Update) -> None:
    query = update.callback_query
    assert query is not None
    try:
        await query.answer()
    except Exception as error:  # an expired query must not stop the press from being handled
        log.info("answerCallbackQuery failed: %s", type(error).__name__)


async def record_chat_member(db: Database, address: str, status: str) -> None:
    """A private chat blocked the bot (unreachable) or came back (reachable again)."""
    async with db.transaction() as tx:
        if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            await mark_unreachable(tx, CHANNEL, address, datetime.now(UTC))
            log.info("telegram chat blocked the bot")
        elif status == ChatMemberStatus.MEMBER:
            await mark_reachable(tx, CHANNEL, address)


async def serve(
    application: Application,  # type: ignore[type-arg]
    settings: Settings,
    stop: asyncio.Event,
    *,
    after_start: Callable[[], Awaitable[None]] | None = None,
    before_stop: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Take updates until `stop` is set: a webhook if one is configured, long polling otherwise.

    This builds no server: the webhook is a route on the bot's one web app (`webhook.py`), which
    listens before this is called; the process with the database tells Telegram about it once
    posts can be handled (`registration.py`).
    `after_start` runs once the bot can send (PTB initialised), before updates are taken (the
    webhook is opened there). `before_stop` runs after polling stopped (the webhook closes
    there), while the bot can still send; then PTB stops after the updates in hand are handled.
    """
    async with application:
        await application.start()
        if after_start is not None:
            await after_start()
        if settings.webhook_mode:  # Telegram is told of it once for all (registration.py)
            log.info("telegram webhook mode: updates come to the web app's webhook route")
            await stop.wait()
        else:
            assert application.updater is not None
            await application.bot.delete_webhook()
            await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            log.info("telegram polling mode: waiting for messages")
            await stop.wait()
            await application.updater.stop()
        if before_stop is not None:
            await before_stop()
        await application.stop()


GET_ME_SECONDS = 10  # one Bot API call at start-up; links work without the username


@dataclass(frozen=True)
class BotUsername:
    username: str | None
    problem: str | None  # why there is none, for the operator


async def bot_username(settings: Settings) -> BotUsername:
    """The Telegram bot's username, from one `getMe` call (TELEGRAM_API_URL honoured)."""
    if not settings.telegram_bot_token:
        return BotUsername(None, "TELEGRAM_BOT_TOKEN is not set")
    bot = Bot(
        settings.telegram_bot_token,
        base_url=f"{settings.telegram_api_url}/bot",
        base_file_url=f"{settings.telegram_api_url}/file/bot",
        request=AiohttpRequest(connection_pool_size=1),
    )
    try:
        async with asyncio.timeout(GET_ME_SECONDS), bot:  # initialising calls getMe
            return BotUsername(bot.username, None)
    except (TelegramError, TimeoutError, OSError) as error:
        log.info("getMe failed: %s", type(error).__name__)
        return BotUsername(None, f"the Bot API did not answer getMe ({type(error).__name__})")
