"""Telling Telegram the bot's command menu and webhook: once for all the processes on a database.

Every `pendamping run` starts the same way, so N processes would each tell Telegram the same
menu and webhook. One of them does (a row in `start_up_tasks` claimed in a transaction that
stays open while it registers; the others wait on that row and find it done), again only when
what is registered changes (another webhook URL, secret or menu text) or once it is an hour old,
so that a webhook someone removed by hand comes back at the next start.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta

from telegram import Bot, BotCommand, Update

from bot.channels.telegram.request import AiohttpRequest
from bot.config import Settings
from handlers.commands import MENU
from handlers.i18n import LANGUAGES, _, use_language
from storage.db import Database
from storage.processes.start_up import claim_start_up_task

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
TASK = "telegram"
AGAIN_AFTER = timedelta(hours=1)


def menus() -> dict[str, list[BotCommand]]:
    """The command menu in each language ("id" is everyone's default)."""
    made = {}
    for language in LANGUAGES:
        with use_language(language):
            made[language] = [BotCommand(name, _(description)) for name, description in MENU]
    return made


def fingerprint(settings: Settings, menu: dict[str, list[BotCommand]]) -> str:
    """A hash of everything registered (the secret only as part of the hash)."""
    assert settings.telegram_bot_token is not None
    registered = {
        "bot": settings.telegram_bot_token.split(":", 1)[0],
        "webhook": settings.telegram_webhook_url,
        "secret": settings.telegram_webhook_secret,
        "updates": ALLOWED_UPDATES,
        "menu": {lang: [c.to_dict() for c in commands] for lang, commands in menu.items()},
    }
    return hashlib.sha256(json.dumps(registered, sort_keys=True).encode()).hexdigest()


async def register_once(settings: Settings, db: Database) -> bool:
    """Register the menu and (in webhook mode) the webhook unless another process did; whether
    this one did. A Bot API error propagates (and leaves the task to the next process)."""
    menu = menus()
    async with db.transaction() as tx:
        claimed = await claim_start_up_task(
            tx, TASK, fingerprint(settings, menu), datetime.now(UTC), AGAIN_AFTER
        )
        if not claimed:
            log.info("telegram menu and webhook: already registered by another process")
            return False
        await register(settings, menu)
    return True


async def register(settings: Settings, menu: dict[str, list[BotCommand]]) -> None:
    assert settings.telegram_bot_token is not None
    bot = Bot(
        settings.telegram_bot_token,
        base_url=f"{settings.telegram_api_url}/bot",
        base_file_url=f"{settings.telegram_api_url}/file/bot",
        request=AiohttpRequest(connection_pool_size=1),
    )
    async with bot:
        for language, commands in menu.items():
            await bot.set_my_commands(
                commands, language_code=None if language == "id" else language
            )
        if settings.webhook_mode:
            assert settings.telegram_webhook_url is not None
            await bot.set_webhook(
                settings.telegram_webhook_url,
                secret_token=settings.telegram_webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
    log.info("telegram menu%s registered", " and webhook" if settings.webhook_mode else "")
