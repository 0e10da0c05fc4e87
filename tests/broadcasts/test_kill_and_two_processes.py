"""A broadcast through the real `pendamping run` (WhatsApp, against the fake Graph API): killed
with SIGKILL half-way and started again, it goes on where it stopped, and nobody gets it twice;
two processes on one PostgreSQL send one broadcast between them, each person once. The figures
at the end add up to the people it was for."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.channels.whatsapp.templates import load_catalogue
from storage import migrate
from storage.broadcasts.figures import Figures, figures_of
from storage.db import Database
from storage.models import Address, Broadcast, BroadcastStatus, Organisation, Participant
from tests.fakes.whatsapp import FakeGraphAPI, shapes_of
from tests.helpers.cli import run_command
from tests.helpers.whatsapp.process import BotProcess, start_whatsapp_bot

ON_POSTGRESQL = bool(os.environ.get("PENDAMPING_TEST_DATABASE_URL"))  # as tests/conftest.py
PEOPLE = 240
PACE = "20"  # messages a second: 240 people take 12 s, time enough to kill it half-way
TEXT = "Bursa kerja hari Sabtu pukul 09.00 di Balai Kota. Bawa KTP dan CV."
DEADLINE = 120.0  # seconds the whole broadcast may take before the test fails


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI(templates=shapes_of(load_catalogue(None))) as server:
        yield server


async def crowd(database_url: str, fake: FakeGraphAPI) -> tuple[int, list[str]]:
    """An office and PEOPLE participants on WhatsApp who wrote a moment ago; their numbers."""
    db = Database(database_url)
    await migrate.upgrade(db)
    now = datetime.now(UTC)
    phones = [f"62812{index:07d}" for index in range(PEOPLE)]
    async with db.transaction() as tx:
        org = (
            await tx.execute(
                insert(Organisation).returning(Organisation.id),
                [
                    {
                        "name": "Dinas Sosial Kota Semarang",
                        "kind": "city",
                        "timezone": "Asia/Jakarta",
                    }
                ],
            )
        ).scalar_one()
        people = [
            {
                "status": "active", "name": f"Peserta {index}", "timezone": "Asia/Jakarta",
                "language": "id", "interests": [], "consent_at": now, "registered_at": now,
                "organisation_id": org,
            }
            for index in range(PEOPLE)
        ]  # fmt: skip
        ids = (await tx.execute(insert(Participant).returning(Participant.id), people)).scalars()
        addresses = [
            {"participant_id": pid, "channel": "whatsapp", "value": phone, "last_inbound_at": now}
            for pid, phone in zip(list(ids), phones, strict=True)
        ]
        await tx.execute(insert(Address), addresses)
    await db.dispose()
    for phone in phones:
        fake.person_wrote(phone, time.time())
    return org, phones


async def send(database_url: str, org: int) -> int:
    """`pendamping broadcast send` from the command line, as an admin would; its id."""
    code, out, err = await run_command(  # at any hour: night hours have tests of their own
        database_url, f'broadcast send --org {org} --text "{TEXT}" --yes', quiet_hours="off"
    )
    assert code == 0, out + err
    db = Database(database_url)
    async with db.transaction() as tx:
        broadcast_id = (await tx.execute(select(Broadcast.id))).scalar_one()
    await db.dispose()
    return int(broadcast_id)


def got_it(fake: FakeGraphAPI, phones: list[str]) -> Counter[str]:
    """How many times each person received the announcement."""
    return Counter(
        phone for phone in phones for m in fake.messages_to(phone) if TEXT[:20] in m.text
    )


async def until_finished(database_url: str, broadcast_id: int, bots: list[BotProcess]) -> Figures:
    """Until nothing of the broadcast waits any more and the bot has called it done (and told
    its sender); fails the test after DEADLINE."""
    db = Database(database_url)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    try:
        while True:
            async with db.transaction() as tx:
                figures = await figures_of(tx, broadcast_id)
                broadcast = await tx.get(Broadcast, broadcast_id)
                done = broadcast is not None and broadcast.status == BroadcastStatus.DONE
            if figures.recipients and figures.finished and done:
                return figures
            for bot in bots:
                assert bot.process.returncode is None, bot.log.read_text(errors="replace")
            assert loop.time() < deadline, f"still waiting after {DEADLINE} s: {figures}"
            await asyncio.sleep(0.2)
    finally:
        await db.dispose()


async def until_received(fake: FakeGraphAPI, phones: list[str], count: int) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while sum(got_it(fake, phones).values()) < count:
        assert loop.time() < deadline, "the broadcast did not start"
        await asyncio.sleep(0.05)


async def test_killed_half_way_it_resumes_and_nobody_gets_it_twice(
    fake: FakeGraphAPI, database_url: str, tmp_path: Path
) -> None:
    org, phones = await crowd(database_url, fake)
    broadcast_id = await send(database_url, org)
    bot = await start_whatsapp_bot(fake, database_url, tmp_path, WHATSAPP_MESSAGES_PER_SECOND=PACE)
    try:
        await until_received(fake, phones, PEOPLE // 4)
        await bot.kill()  # no goodbye, no cleanup: mid-send
        before = sum(got_it(fake, phones).values())
        assert before < PEOPLE  # it really was cut off half-way
        bot = await start_whatsapp_bot(
            fake, database_url, tmp_path, WHATSAPP_MESSAGES_PER_SECOND=PACE
        )
        figures = await until_finished(database_url, broadcast_id, [bot])
    finally:
        await bot.ensure_gone()
    received = got_it(fake, phones)
    assert max(received.values()) == 1  # nobody twice
    # Nobody lost: everyone got it, but for the few whose send was in flight at the kill
    # (the outbox never sends those again, and counts them as interrupted).
    missing = PEOPLE - len(received)
    assert missing <= figures.interrupted <= 20
    assert figures.adds_up() and figures.recipients == PEOPLE
    assert figures.sent + figures.interrupted == PEOPLE and figures.failed_total == 0
    assert figures.sent == len(received) - (figures.interrupted - missing)


# Several processes share PostgreSQL (the README); on SQLite this test does not exist.
if ON_POSTGRESQL:

    async def test_two_processes_on_postgresql_share_one_broadcast_each_person_once(
        fake: FakeGraphAPI, database_url: str, tmp_path: Path
    ) -> None:
        org, phones = await crowd(database_url, fake)
        first = await start_whatsapp_bot(fake, database_url, tmp_path / "a", QUIET_HOURS="off")
        second = await start_whatsapp_bot(fake, database_url, tmp_path / "b", QUIET_HOURS="off")
        try:
            broadcast_id = await send(database_url, org)
            figures = await until_finished(database_url, broadcast_id, [first, second])
        finally:
            await first.ensure_gone()
            await second.ensure_gone()
        received = got_it(fake, phones)
        assert len(received) == PEOPLE and set(received.values()) == {1}
        assert figures.sent == PEOPLE and figures.adds_up()
