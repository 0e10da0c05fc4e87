"""The python-telegram-bot Application: updates in (polling or webhook), commands menu, blocked chats."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import BotCommand, Update
from telegram.constants import ChatMemberStatus
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.config import Settings
from bot.inbox import Inbox
from bot.telegram_request import AiohttpRequest
from bot.telegram_updates import CHANNEL, to_incoming
from handlers.commands import MENU
from handlers.i18n import LANGUAGES, _, use_language
from handlers.reachability import mark_reachable, mark_unreachable
from storage.db import Database

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]


def build_application(settings: Settings, *, webhook: bool) -> Application:  # type: ignore[type-arg]
    assert settings.telegram_bot_token is not None
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .base_url(f"{settings.telegram_api_url}/bot")
        .base_file_url(f"{settings.telegram_api_url}/file/bot")
        .concurrent_updates(16)  # no more than the database pool serves at once
        .request(AiohttpRequest(connection_pool_size=64, pool_timeout=30))
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
    )
    if webhook:
        builder = builder.updater(None)
    return builder.build()


def attach(application: Application, inbox: Inbox, db: Database) -> None:  # type: ignore[type-arg]
    """Route every update through our own handler; PTB's handlers and state machine stay unused."""

    async def on_update(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await _answer_callback(update)
        if update.my_chat_member is not None:
            await _chat_member(update, db)
            return
        incoming = to_incoming(update)
        if incoming is None:
            if update.edited_message is not None:
                log.info("edited message ignored")
            return
        await inbox.receive(incoming)

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


async def _chat_member(update: Update, db: Database) -> None:
    member = update.my_chat_member
    assert member is not None
    if member.chat.type != "private":
        return
    status = member.new_chat_member.status
    address = str(member.chat.id)
    async with db.transaction() as session:
        if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT):
            await mark_unreachable(session, CHANNEL, address, datetime.now(UTC))
            log.info("telegram chat blocked the bot")
        elif status == ChatMemberStatus.MEMBER:
            await mark_reachable(session, CHANNEL, address)


async def register_commands(application: Application) -> None:  # type: ignore[type-arg]
    """Fill Telegram's command menu: Indonesian by default, English for English-language apps."""
    for language in LANGUAGES:
        with use_language(language):
            commands = [BotCommand(name, _(description)) for name, description in MENU]
        await application.bot.set_my_commands(
            commands, language_code=None if language == "id" else language
        )
