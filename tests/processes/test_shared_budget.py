"""Three dispatchers on one database, as three bot processes would run them (each its own
connections, limiters and platform client; they share only the database), keep each platform's
limits together: the fakes refuse anything beyond them (429 on Telegram, 130429 on WhatsApp),
and none is refused, none is lost, none goes out twice."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta

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
from storage import migrate
from storage.db import Database
from storage.models import ScheduledMessage, ScheduledStatus
from tests.fakes.telegram import FakeTelegramAPI
from tests.fakes.whatsapp import FakeGraphAPI
from tests.helpers.numbered import row_of, seed_numbered

SENDERS = ("a", "b", "c")  # the dispatchers' names, as their rows record them
DEADLINE = 120.0  # seconds all of it may take (600 messages at 1/s per person take 30)
UNSENT = [ScheduledStatus.PENDING, ScheduledStatus.CLAIMED, ScheduledStatus.SENDING]


async def unsent(db: Database) -> int:
    async with db.transaction() as tx:
        query = select(func.count()).where(ScheduledMessage.status.in_(UNSENT))
        return int((await tx.execute(query)).scalar_one())


async def senders(db: Database) -> Counter[str]:
    """How many rows each dispatcher sent."""
    async with db.transaction() as tx:
        query = select(ScheduledMessage.claimed_by).where(
            ScheduledMessage.status == ScheduledStatus.SENT
        )
        return Counter(name for name in (await tx.execute(query)).scalars() if name)


async def drain(dispatchers: Sequence[Dispatcher], db: Database) -> None:
    """Each dispatcher sends what is due until nothing is left, as each process's dispatch loop
    would (it looks again shortly when the due rows are another's for now); fails after DEADLINE."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE

    async def loop_of(dispatcher: Dispatcher) -> None:
        while await unsent(db):
            assert loop.time() < deadline, "the dispatchers did not send everything in time"
            if not await dispatcher.run_once():
                await asyncio.sleep(HELD_RETRY_SECONDS)

    await asyncio.gather(*(loop_of(dispatcher) for dispatcher in dispatchers))


@asynccontextmanager
async def three_dispatchers(
    database_url: str, channel_of: object
) -> AsyncIterator[list[Dispatcher]]:
    """Three dispatchers, each with its own database engine, channel and limiters; `channel_of`
    makes a channel given the dispatcher's database and an exit stack."""
    async with AsyncExitStack() as stack:
        dispatchers = []
        for name in SENDERS:
            db = Database(database_url)
            stack.push_async_callback(db.dispose)
            channel: Channel = await channel_of(db, stack)  # type: ignore[operator]
            dispatchers.append(
                Dispatcher(
                    db,
                    {channel.name: channel},
                    ReminderPolicy(),
                    limiters=Limiters(budget=SharedBudget(db)),
                    worker=name,
                )
            )
        yield dispatchers


def telegram_channels(fake: FakeTelegramAPI) -> object:
    async def make(_db: Database, stack: AsyncExitStack) -> Channel:
        bot = Bot(
            fake.token,
            base_url=f"{fake.url}/bot",
            base_file_url=f"{fake.url}/file/bot",
            request=AiohttpRequest(connection_pool_size=64),
        )
        await stack.enter_async_context(bot)
        return TelegramChannel(bot)

    return make


async def send_on_telegram(
    database_url: str, people: int, each: int, **limits: float
) -> tuple[FakeTelegramAPI, dict[int, str], list[tuple[str, int]], Counter[str]]:
    """`each` messages for each of `people`, sent by three dispatchers through the fake Bot API
    enforcing its limits; (the fake, row -> address, (chat, row) per message sent, rows per
    dispatcher)."""
    db = Database(database_url)
    await migrate.upgrade(db)
    owners = await seed_numbered(
        db, "telegram", people, each, datetime.now(UTC) - timedelta(minutes=1)
    )
    async with FakeTelegramAPI(flood_limits=True, **limits) as fake:
        for chat in set(owners.values()):
            fake.user(int(chat)).text_update("/start")  # they have written to the bot
        async with three_dispatchers(database_url, telegram_channels(fake)) as dispatchers:
            await drain(dispatchers, db)
        sends = [
            (str(params["chat_id"]), row_of(params["text"]))
            for name, params in fake.calls
            if name.lower() == "sendmessage"
        ]
    by_sender = await senders(db)
    await db.dispose()
    return fake, owners, sends, by_sender


async def test_three_dispatchers_send_600_messages_to_20_people_without_a_429(
    database_url: str,
) -> None:
    fake, owners, sends, _ = await send_on_telegram(database_url, people=20, each=30)
    assert fake.flood_rejections == 0  # 1 a second to each person, whoever sent it
    assert len(sends) == 600
    assert sorted(row for _, row in sends) == sorted(owners)  # each row once: none lost or twice
    assert all(owners[row] == chat for chat, row in sends)  # each to its own person
    for chat in set(owners.values()):  # and to each person in the order the rows fell due
        rows = [row for to, row in sends if to == chat]
        assert rows == sorted(rows)


async def test_three_dispatchers_share_telegrams_30_a_second(database_url: str) -> None:
    fake, owners, sends, by_sender = await send_on_telegram(database_url, people=90, each=1)
    assert fake.flood_rejections == 0  # alone, each would send 30 a second: 90 together
    assert sorted(row for _, row in sends) == sorted(owners)
    assert set(by_sender) == set(SENDERS)  # all three sent a share


async def test_three_dispatchers_share_whatsapps_80_a_second(database_url: str) -> None:
    db = Database(database_url)
    await migrate.upgrade(db)
    owners = await seed_numbered(db, "whatsapp", 240, 1, datetime.now(UTC) - timedelta(minutes=1))
    async with FakeGraphAPI() as fake:
        for phone in owners.values():
            fake.person_wrote(phone)

        async def make(own_db: Database, stack: AsyncExitStack) -> Channel:
            client = GraphClient(fake.api_url, fake.phone_number_id, fake.token, backoff=0.01)
            stack.push_async_callback(client.aclose)
            return WhatsAppChannel(client, load_catalogue(None), db_window(own_db))

        async with three_dispatchers(database_url, make) as dispatchers:
            await drain(dispatchers, db)
        received = [
            (phone, row_of(message.text or ""))
            for phone, messages in fake.received.items()
            for message in messages
        ]
    by_sender = await senders(db)
    await db.dispose()
    assert fake.answers[130429] == 0  # alone, each would send 80 a second: 240 together
    assert sorted(row for _, row in received) == sorted(owners)
    assert all(owners[row] == phone for phone, row in received)
    assert set(by_sender) == set(SENDERS)
