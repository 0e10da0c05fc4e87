"""Three dispatchers in three processes on one database, as three bot processes run them (each
its own connections, limiters and platform client; they share only the database), keep each
platform's limits together: the fakes refuse anything beyond them (429 on Telegram, 130429 on
WhatsApp), and none is refused, none is lost, none goes out twice."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage import migrate
from storage.db import Database
from storage.models import ScheduledMessage, ScheduledStatus
from tests.fakes.telegram import FakeTelegramAPI
from tests.fakes.whatsapp import FakeGraphAPI
from tests.helpers.dispatching import DEADLINE
from tests.helpers.numbered import row_of, seed_numbered
from tests.helpers.paths import ROOT

SENDERS = ("a", "b", "c")  # the dispatchers' names, as their rows record them


async def senders(db: Database) -> Counter[str]:
    """How many rows each dispatcher sent."""
    async with db.transaction() as tx:
        query = select(ScheduledMessage.claimed_by).where(
            ScheduledMessage.status == ScheduledStatus.SENT
        )
        return Counter(name for name in (await tx.execute(query)).scalars() if name)


async def three_dispatchers(database_url: str, *platform: str) -> None:
    """Three dispatcher processes (tests/helpers/dispatching.py), started together once all three
    are ready, until everything is sent; each must end on its own, well within its deadline."""
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.helpers.dispatching",
            database_url,
            platform[0],
            platform[1],
            platform[2],
            name,
            *platform[3:],
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for name in SENDERS
    ]
    try:
        async with asyncio.timeout(DEADLINE + 60):
            for process in processes:
                assert process.stdout is not None
                assert await process.stdout.readline() == b"ready\n"
            outputs = await asyncio.gather(*(p.communicate(b"go\n") for p in processes))
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()
    for process, (_out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode(errors="replace")[-2000:]


async def send_on_telegram(
    database_url: str, people: int, each: int
) -> tuple[FakeTelegramAPI, dict[int, str], list[tuple[str, int]], Counter[str]]:
    """`each` messages for each of `people`, sent by three dispatchers through the fake Bot API
    enforcing its limits; (the fake, row -> address, (chat, row) per message sent, rows per
    dispatcher)."""
    db = Database(database_url)
    await migrate.upgrade(db)
    due = datetime.now(UTC) - timedelta(minutes=1)
    owners = await seed_numbered(db, "telegram", people, each, due)
    async with FakeTelegramAPI(flood_limits=True) as fake:
        for chat in set(owners.values()):
            fake.user(int(chat)).text_update("/start")  # they have written to the bot
        await three_dispatchers(database_url, "telegram", fake.url, fake.token)
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
    assert len(by_sender) >= 2  # they sent side by side (on SQLite one may wait its turn)


async def test_three_dispatchers_share_whatsapps_80_a_second(database_url: str) -> None:
    db = Database(database_url)
    await migrate.upgrade(db)
    due = datetime.now(UTC) - timedelta(minutes=1)
    owners = await seed_numbered(db, "whatsapp", 240, 1, due)
    async with FakeGraphAPI() as fake:
        for phone in owners.values():
            fake.person_wrote(phone)
        await three_dispatchers(
            database_url, "whatsapp", fake.api_url, fake.token, fake.phone_number_id
        )
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
    assert len(by_sender) >= 2
