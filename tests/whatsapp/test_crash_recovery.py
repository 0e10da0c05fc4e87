"""A WhatsApp delivery the bot acknowledged (200) just before a kill -9 is still handled after
the restart, exactly once: the real `pendamping run` in a process of its own, killed and started
again on the same database, a fake Graph API over HTTP, signed webhook posts.

Two moments of the kill:

* `at-once` (every database): killed the moment the 200 arrives. Where the bot's worker had got
  to by then is a race: the delivery not yet claimed, claimed, or half handled. Whichever way
  it went, after the restart the person gets the bot's answer, once.
* `while-sending` (every database): the message is handled and its answer logged, and the
  answer is on its way (Meta said "too many messages to this person" once, so the channel
  waits a few seconds before sending again) when the kill comes. The restarted bot finds the
  delivery again, sees the message was handled, and sends the answer that never went out.
* `while-blocked` (PostgreSQL only: the test holds `LOCK TABLE addresses` in a transaction of
  its own, which lets the webhook's INSERT through but blocks the worker's identity resolution
  and the engine): the delivery is stored, acknowledged and claimed by the worker, which waits
  on the lock, when the kill comes; the lock is let go only after. This is the case the
  judgement names, made certain. SQLite has no lock that stops the worker and not the webhook
  (both write, and SQLite has one writer at a time), so there the test does not exist.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.channels.whatsapp.templates import load_catalogue
from storage.db import Database
from storage.models import DeliveryStatus, Message, WebhookDelivery
from tests.fakes.whatsapp import FakeGraphAPI, Received, shapes_of
from tests.fakes.whatsapp.webhooks import WhatsAppUser, encode, post_delivery, wamid_of
from tests.fakes.whatsapp.webhooks import text as text_message
from tests.helpers.whatsapp.process import SECRET, BotProcess, start_whatsapp_bot

ON_POSTGRESQL = bool(os.environ.get("PENDAMPING_TEST_DATABASE_URL"))  # as tests/conftest.py
MOMENTS = ["at-once", "while-sending", *(["while-blocked"] if ON_POSTGRESQL else [])]

PHONE = "6281311122233"
NAME = "Sulastri Wahyuningsih"
FIRST_WORDS = "halo kak saya mau tanya jadwal wajib lapor"
CONSENT_QUESTION = "Apakah Anda setuju?"
ANSWER_WAIT = 60.0  # seconds the person may wait for an answer before the test fails
DEADLINE = 30.0  # seconds any other awaited event may take


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI(templates=shapes_of(load_catalogue(None))) as server:
        yield server


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Until `condition()` holds; fails the test after DEADLINE seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while not await condition():
        if loop.time() > deadline:
            raise AssertionError(f"not within {DEADLINE} s: {what}")
        await asyncio.sleep(0.05)


async def stored(db: Database, *, claimed: bool | None = None) -> int:
    """Pending deliveries in the store (claimed by a worker, or not, or either)."""
    query = select(func.count()).where(WebhookDelivery.status == DeliveryStatus.PENDING)
    if claimed is not None:
        column = WebhookDelivery.claimed_by
        query = query.where(column.is_not(None) if claimed else column.is_(None))
    async with db.transaction() as tx:
        return int((await tx.execute(query)).scalar_one())


async def logged(db: Database, wamid: str) -> int:
    """Inbound messages logged with this delivery's dedupe key."""
    query = select(func.count()).where(Message.dedupe_key == f"whatsapp:{wamid}")
    async with db.transaction() as tx:
        return int((await tx.execute(query)).scalar_one())


async def waiting_on_addresses(db: Database) -> int:
    """PostgreSQL: sessions of this database waiting for a lock on `addresses`."""
    query = text(
        "SELECT count(*) FROM pg_locks AS l JOIN pg_class AS c ON c.oid = l.relation "
        "WHERE c.relname = 'addresses' AND NOT l.granted "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    async with db.transaction() as tx:
        return int((await tx.execute(query)).scalar_one())


async def post_and_kill_at_once(
    bot: BotProcess, body: bytes, db: Database, fake: FakeGraphAPI
) -> None:
    response = await post_delivery(bot.webhook, body, SECRET)
    await bot.kill()
    assert response.status_code == 200


async def post_and_kill_while_blocked(
    bot: BotProcess, body: bytes, db: Database, fake: FakeGraphAPI
) -> None:
    async with db.transaction() as holding:
        await holding.execute(text("LOCK TABLE addresses IN ACCESS EXCLUSIVE MODE"))
        response = await post_delivery(bot.webhook, body, SECRET)
        assert response.status_code == 200
        await until(lambda: has(stored(db, claimed=True)), "the worker claims the delivery")
        await until(lambda: has(waiting_on_addresses(db)), "the worker waits for the lock")
        await bot.kill()
    # Killed while holding it, before handling it: stored, not handled.
    assert await stored(db) == 1
    assert await logged(db, wamid_of_body(body)) == 0


async def post_and_kill_while_sending(
    bot: BotProcess, body: bytes, db: Database, fake: FakeGraphAPI
) -> None:
    fake.fail_next(131056, recipient=PHONE)  # the answer's first try: the channel waits, then
    response = await post_delivery(bot.webhook, body, SECRET)
    assert response.status_code == 200
    await fake.wait_for_answer(131056, timeout=DEADLINE)
    await until(lambda: has(logged(db, wamid_of_body(body))), "the message is handled")
    await bot.kill()
    assert fake.messages_to(PHONE) == []  # handled, its answer never sent
    assert await stored(db) == 1


async def has(count: Awaitable[int]) -> bool:
    return await count > 0


def wamid_of_body(body: bytes) -> str:
    return wamid_of(json.loads(body))


KILLS = {
    "at-once": post_and_kill_at_once,
    "while-sending": post_and_kill_while_sending,
    "while-blocked": post_and_kill_while_blocked,
}


@pytest.mark.parametrize("moment", MOMENTS)
async def test_a_delivery_acknowledged_before_a_kill_is_answered_once_after_the_restart(
    moment: str, fake: FakeGraphAPI, database_url: str, tmp_path: Path
) -> None:
    person = WhatsAppUser(phone=PHONE, name=NAME)
    fake.person_wrote(PHONE)  # the person writes: their 24 hours are open
    first = text_message(person, FIRST_WORDS)
    db = Database(database_url)
    first_bot = await start_whatsapp_bot(fake, database_url, tmp_path / "home")
    second_bot: BotProcess | None = None
    try:
        await KILLS[moment](first_bot, encode(first), db, fake)

        second_bot = await start_whatsapp_bot(fake, database_url, tmp_path / "home")
        [answer] = await fake.wait_for(PHONE, 1, timeout=ANSWER_WAIT)
        assert CONSENT_QUESTION in answer.text, answer.text
        assert "consent:yes" in button_ids(answer)

        # A later message, answered after the first delivery: had the first been handled
        # twice, its second answer would be here by then (deliveries go in order of arrival).
        fake.person_wrote(PHONE)
        await post_and_expect_200(second_bot, encode(text_message(person, "setuju")))
        received = await fake.wait_for(PHONE, 3, timeout=ANSWER_WAIT)
        await until(lambda: no_pending(db), "the restarted bot handles both deliveries")
        assert received[0] == answer
        assert "name:yes" in button_ids(received[2])  # "setuju" answered: thanks, the name

        assert await second_bot.stop() == 0  # what was in hand is finished and sent
        everything = fake.messages_to(PHONE)
        assert len(everything) == 3, [m.text for m in everything]
        assert [m for m in everything if CONSENT_QUESTION in m.text] == [answer]  # once
        assert await stored(db) == 0  # handled rows are deleted, bodies with them
        assert await logged(db, wamid_of(first)) == 1
    finally:
        await first_bot.ensure_gone()
        if second_bot is not None:
            await second_bot.ensure_gone()
        await db.dispose()

    logs = [first_bot.log.read_text(errors="replace")]
    logs.append(second_bot.log.read_text(errors="replace"))
    assert all("pendamping starting" in log for log in logs), logs  # the logs were captured
    for secret in (PHONE, FIRST_WORDS, NAME, NAME.split()[0]):
        assert not [log for log in logs if secret in log], secret


async def post_and_expect_200(bot: BotProcess, body: bytes) -> None:
    assert (await post_delivery(bot.webhook, body, SECRET)).status_code == 200


async def no_pending(db: Database) -> bool:
    return await stored(db) == 0


def button_ids(received: Received) -> list[str]:
    interactive = received.message.get("interactive", {})
    buttons = interactive.get("action", {}).get("buttons", [])
    return [str(button["reply"]["id"]) for button in buttons]
