"""Two bot processes on one PostgreSQL (each its own engine, connections and in-process locks),
a person's messages split between them as a load balancer would: a turn never starts from what
another process has already changed. A double-tapped "Setuju" that waits for the other process's
turn reads the person as that turn left them: one participant, one welcome, and the person ends
where one process would have left them."""

from __future__ import annotations

import asyncio
import os

from sqlalchemy import select, text

from bot.inbox import Inbox
from handlers.flow import FlowSettings
from storage import migrate
from storage.db import Database
from storage.models import Address, Conversation
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.orphans import participants_and_orphans

ON_POSTGRESQL = bool(os.environ.get("PENDAMPING_TEST_DATABASE_URL"))  # as tests/conftest.py
LOCK_WAIT = 10.0  # seconds the two turns may take to reach the person's lock


async def waiting_for_locks(db: Database, count: int) -> None:
    """Until `count` other sessions wait for a row lock; fails the test after LOCK_WAIT."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LOCK_WAIT
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while True:
        async with db.transaction() as tx:
            if (await tx.execute(query)).scalar_one() >= count:
                return
        assert loop.time() < deadline, "the two turns never reached the person's lock"
        await asyncio.sleep(0.02)


async def where(db: Database, address: str) -> tuple[object, ...]:
    async with db.transaction() as tx:
        query = (
            select(Address.participant_id.is_not(None), Conversation.flow, Conversation.step)
            .outerjoin(Conversation, Conversation.address_id == Address.id)
            .where(Address.value == address)
        )
        return tuple((await tx.execute(query)).one())


# Several processes share PostgreSQL (the README); on SQLite this test does not exist.
if ON_POSTGRESQL:

    async def test_a_double_tap_split_over_two_processes_is_one_process_would_have_it(
        database_url: str, settings: FlowSettings
    ) -> None:
        first_db, second_db, holder = (Database(database_url) for _ in range(3))
        await migrate.upgrade(first_db)
        channel = CollectingChannel("telegram")
        one = Inbox(first_db, settings, {"telegram": channel})
        two = Inbox(second_db, settings, {"telegram": channel})
        try:
            # As one process would have it: "halo", then "setuju" twice in a row.
            alone = Person(one, channel, address="5001", profile_name="Budi Santoso")
            await alone.says("halo")
            expected = [r.text for r in await alone.says("setuju") + await alone.says("setuju")]

            budi = Person(one, channel, address="5002", profile_name="Budi Santoso")
            same_budi = Person(two, channel, address="5002", profile_name="Budi Santoso")
            await budi.says("halo")
            sent_before = len(channel.sent)
            async with holder.transaction() as tx:  # his row held, so both turns queue on it
                lock = "SELECT id FROM addresses WHERE value = '5002' FOR UPDATE"
                await tx.execute(text(lock))
                taps = [
                    asyncio.create_task(budi.says("setuju")),
                    asyncio.create_task(same_budi.says("setuju")),
                ]
                await waiting_for_locks(holder, 2)
            await asyncio.gather(*taps)
            # Every reply the two turns sent him (each tap's own list may hold the other's too).
            replies = [r.text for to, r in channel.sent[sent_before:] if to == "5002"]

            assert sorted(replies) == sorted(expected)  # one welcome, one answer to the second
            assert await where(first_db, "5002") == await where(first_db, "5001")
            people, orphans = await participants_and_orphans(first_db)
            assert (people, orphans) == (2, 0)  # Budi alone and Budi on two processes
        finally:
            await one.close()
            await two.close()
            for db in (first_db, second_db, holder):
                await db.dispose()
