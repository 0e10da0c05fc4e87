"""One outbox dispatcher in a process of its own, as each bot process runs one, for the tests of
several processes sharing one database and its send budget (tests/processes/).

    python -m tests.helpers.dispatching DATABASE_URL telegram API_URL TOKEN WORKER
    python -m tests.helpers.dispatching DATABASE_URL whatsapp API_URL TOKEN WORKER PHONE_NUMBER_ID

Once ready it prints "ready" and waits for a line on stdin (so that several start together); then it
sends what is due, as the bot's dispatch loop does (looking again shortly while the due rows
are another process's), until no row is left unsent; exit code 0, or 1 after DEADLINE seconds.
The test's fakes run in the test's own process: each sender's timing is its own, as in production.
"""

from __future__ import annotations

import asyncio
import sys
from contextlib import AsyncExitStack

from sqlalchemy import func, select
from telegram import Bot

from bot.channels.protocol import Channel
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.request import AiohttpRequest
from bot.channels.whatsapp.channel import WhatsAppChannel, db_window
from bot.channels.whatsapp.client import GraphClient
from bot.channels.whatsapp.templates import load_catalogue
from bot.outbox.budget import SharedBudget
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.limits import Limiters
from bot.outbox.scheduler import HELD_RETRY_SECONDS
from handlers.reminders.rules import ReminderPolicy
from storage.db import Database
from storage.models import ScheduledMessage, ScheduledStatus
from tests.helpers import numbered  # noqa: F401  (registers the kind the tests' rows are)

DEADLINE = 120.0  # seconds
UNSENT = [ScheduledStatus.PENDING, ScheduledStatus.CLAIMED, ScheduledStatus.SENDING]


async def unsent(db: Database) -> int:
    async with db.transaction() as tx:
        query = select(func.count()).where(ScheduledMessage.status.in_(UNSENT))
        return int((await tx.execute(query)).scalar_one())


async def channel_for(
    db: Database, stack: AsyncExitStack, kind: str, api_url: str, token: str, extra: list[str]
) -> Channel:
    if kind == "telegram":
        bot = Bot(
            token,
            base_url=f"{api_url}/bot",
            base_file_url=f"{api_url}/file/bot",
            request=AiohttpRequest(connection_pool_size=64),
        )
        await stack.enter_async_context(bot)
        return TelegramChannel(bot)
    client = GraphClient(api_url, extra[0], token, backoff=0.01)
    stack.push_async_callback(client.aclose)
    return WhatsAppChannel(client, load_catalogue(None), db_window(db))


async def main(url: str, kind: str, api_url: str, token: str, worker: str, *extra: str) -> int:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    async with AsyncExitStack() as stack:
        db = Database(url)
        stack.push_async_callback(db.dispose)
        channel = await channel_for(db, stack, kind, api_url, token, list(extra))
        dispatcher = Dispatcher(
            db,
            {channel.name: channel},
            ReminderPolicy(),
            limiters=Limiters(budget=SharedBudget(db)),
            worker=worker,
        )
        # All of them start sending at once: each says it is ready and waits for the word.
        print("ready", flush=True)
        await loop.run_in_executor(None, sys.stdin.readline)
        deadline = loop.time() + DEADLINE
        while await unsent(db):
            if loop.time() > deadline:
                print(f"{worker}: rows still unsent after {DEADLINE} s", file=sys.stderr)
                return 1
            if not await dispatcher.run_once():
                await asyncio.sleep(HELD_RETRY_SECONDS)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:])))
