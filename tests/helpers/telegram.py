"""Shared set-up for tests of the real Telegram adapter against the fake Bot API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.app import run
from bot.config import Settings
from storage import migrate
from storage.db import Database
from tests.fakes.telegram import FakeTelegramAPI, FakeUser
from tests.helpers.ports import free_port


def settings_for(fake: FakeTelegramAPI, database_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {"host": "127.0.0.1", "port": free_port()} | extra
    return Settings(
        telegram_bot_token=fake.token,
        telegram_api_url=fake.url,
        database_url=database_url,
        program_name="Bapas Kelas II Ambon",
        **values,
    )


@asynccontextmanager
async def running_bot(settings: Settings, fake: FakeTelegramAPI) -> AsyncIterator[Database]:
    """The real bot (polling unless a webhook is configured) until the block ends."""
    db = Database(settings.database_url)
    await migrate.upgrade(db)
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, db, stop))
    ready = "setwebhook" if settings.webhook_mode else "getupdates"
    waiter = asyncio.create_task(fake.wait_for_call(ready, timeout=15))
    done, _pending = await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        waiter.cancel()
        await db.dispose()
        task.result()  # raises what stopped the bot
    try:
        yield db
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=20)
        await db.dispose()


async def replies_until_keyboard(user: FakeUser) -> list[dict[str, Any]]:
    """The bot's messages for one turn: everything up to the one that asks with buttons."""
    messages = [await user.next_message()]
    while not messages[-1].get("reply_markup"):
        messages.append(await user.next_message())
    return messages
