"""Three `pendamping run` processes on one database, started at once on an empty database, with
Telegram's updates spread over them at random (a load balancer without routing by chat): one
of them tells Telegram the webhook and the menu; a double tap split over two processes counts
once; a person's messages, each sent once the one before was answered, are answered as one
process would answer them; a redelivered update is answered once; no orphan rows."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.whatsapp.templates import load_catalogue
from handlers.i18n import LANGUAGES
from storage import migrate
from storage.db import Database
from storage.models import Address, Conversation
from tests.fakes.telegram import FakeTelegramAPI
from tests.fakes.telegram.users import FakeUser
from tests.fakes.whatsapp import FakeGraphAPI, shapes_of
from tests.helpers.orphans import participants_and_orphans
from tests.helpers.processes import Balancer, processes_started_at_once

ON_POSTGRESQL = bool(os.environ.get("PENDAMPING_TEST_DATABASE_URL"))  # as tests/conftest.py
PEOPLE = 6  # besides the one who talks to one process only
TYPED = ["Budi Santoso", "1", "Kota Ambon"]  # his name, who he is, where he lives


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as fake:
        yield fake


@pytest.fixture
async def whatsapp() -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI(templates=shapes_of(load_catalogue(None))) as server:
        yield server


def calls_to(fake: FakeTelegramAPI, method: str) -> int:
    return sum(1 for name, _params in fake.calls if name.lower() == method.lower())


async def test_three_processes_started_at_once_tell_telegram_the_webhook_and_menu_once(
    telegram: FakeTelegramAPI, whatsapp: FakeGraphAPI, database_url: str, tmp_path: Path
) -> None:
    async with processes_started_at_once(telegram, whatsapp, database_url, tmp_path, 3) as bots:
        assert len(bots) == 3
        assert calls_to(telegram, "setWebhook") == 1
        assert telegram.webhook is not None
        assert telegram.webhook["url"] == "https://bot.example.org/telegram/webhook"
        assert calls_to(telegram, "setMyCommands") == len(LANGUAGES)  # one menu per language
        for bot in bots:
            assert "Traceback" not in bot.log.read_text(errors="replace")
    db = Database(database_url)
    assert await migrate.pending(db) == []
    await db.dispose()


def texts(records: list[dict[str, Any]]) -> list[str]:
    """What the person read: each message's text and its buttons (edits that only take buttons
    away are left out: which process made them does not matter)."""
    shown = []
    for record in records:
        if "text" not in record:
            continue
        buttons = [
            button["text"]
            for row in (record.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
        ]
        shown.append(" | ".join([record["text"], *buttons]))
    return shown


def consent_taps(user: FakeUser) -> list[dict[str, Any]]:
    """Two presses of "Setuju" on the consent question (a double tap: both made before either
    is answered)."""
    question = user.inbox[-1]
    setuju = question["reply_markup"]["inline_keyboard"][0][0]
    assert setuju["text"] == "Setuju"
    return [user.callback_update(setuju["callback_data"]) for _ in range(2)]


async def conversation(user: FakeUser, balancer: Balancer, *, one_process: bool) -> list[list[str]]:
    """Halo, a double-tapped "Setuju", then the answers typed one after the other (each once
    the one before was answered); what the person read after each step. With `one_process`,
    everything goes to the first process, the taps one after the other."""
    steps: list[list[str]] = []

    async def step(*updates: dict[str, Any], apart: bool = False) -> None:
        before = len(user.inbox)
        if one_process:
            for update in updates:
                assert await balancer.post(update, to=0) == 200
        elif apart:
            first, second = balancer.two_apart()
            codes = await asyncio.gather(
                balancer.post(updates[0], to=first), balancer.post(updates[1], to=second)
            )
            assert codes == [200, 200]
        else:
            assert await balancer.post(updates[0]) == 200  # 200 once handled and answered
        steps.append(texts(user.inbox[before:]))

    await step(user.text_update("halo"))
    await step(*consent_taps(user), apart=True)
    last: dict[str, Any] = {}
    for typed in TYPED:
        last = user.text_update(typed)
        await step(last)
    before = len(user.inbox)
    assert await balancer.post(last) == 200  # Telegram sends the last one again
    assert user.inbox[before:] == []  # ... and it is not answered twice
    return steps


async def burst(user: FakeUser, balancer: Balancer, order: Sequence[int] | None) -> list[str]:
    """Halo and "Setuju", then TYPED in one burst: with `order`, typed one after the other in
    that order to the first process (as one process would take them if they arrived so); with
    None, all at once, each to another process. What the person read after "Setuju"."""
    assert await balancer.post(user.text_update("halo"), to=0) == 200
    assert await balancer.post(consent_taps(user)[0], to=0) == 200
    before = len(user.inbox)
    updates = [user.text_update(typed) for typed in TYPED]
    if order is not None:
        for n in order:
            assert await balancer.post(updates[n], to=0) == 200
    else:
        codes = await asyncio.gather(*(balancer.post(u, to=n) for n, u in enumerate(updates)))
        assert codes == [200] * len(updates)
    return sorted(texts(user.inbox[before:]))


async def where_everyone_is(db: Database) -> list[tuple[object, ...]]:
    async with db.transaction() as tx:
        query = select(Conversation.flow, Conversation.step).join(
            Address, Conversation.address_id == Address.id
        )
        return list((await tx.execute(query)).tuples())


# Several processes share PostgreSQL (the README); on SQLite this test does not exist.
if ON_POSTGRESQL:

    async def test_updates_spread_at_random_over_three_processes_are_answered_as_one_would(
        telegram: FakeTelegramAPI, whatsapp: FakeGraphAPI, database_url: str, tmp_path: Path
    ) -> None:
        async with processes_started_at_once(telegram, whatsapp, database_url, tmp_path, 3) as bots:
            alone = telegram.user(9_100_000, first_name="Budi")
            expected = await conversation(alone, Balancer(telegram, bots, 0), one_process=True)
            people = [telegram.user(9_100_001 + n, first_name="Budi") for n in range(PEOPLE)]
            heard = await asyncio.gather(
                *(
                    conversation(user, Balancer(telegram, bots, seed=n), one_process=False)
                    for n, user in enumerate(people)
                )
            )
        for steps in heard:
            assert steps[0] == expected[0]
            assert sorted(steps[1]) == sorted(expected[1])  # one welcome: the taps count once
            assert steps[2:] == expected[2:]  # each answer to the question it answers
        assert sum("Terima kasih! Kita mulai" in t for t in expected[1]) == 1
        db = Database(database_url)
        participants, orphans = await participants_and_orphans(db)
        places = await where_everyone_is(db)
        await db.dispose()
        assert (participants, orphans) == (PEOPLE + 1, 0)
        assert len(places) == PEOPLE + 1 and len(set(places)) == 1  # all where Budi alone is

    async def test_a_burst_spread_over_three_processes_ends_as_one_process_would_for_some_order(
        telegram: FakeTelegramAPI, whatsapp: FakeGraphAPI, database_url: str, tmp_path: Path
    ) -> None:
        """Without routing by chat the order of a burst's messages is not kept (README), but
        each is answered from where the one before it left the person: what the person reads
        is what one process would answer for one of the orders the messages could arrive in."""
        async with processes_started_at_once(telegram, whatsapp, database_url, tmp_path, 3) as bots:
            balancer = Balancer(telegram, bots, seed=0)
            orders = list(itertools.permutations(range(len(TYPED))))
            one_process = [
                await burst(telegram.user(9_200_000 + n, first_name="Budi"), balancer, order)
                for n, order in enumerate(orders)
            ]
            spread = await asyncio.gather(
                *(
                    burst(telegram.user(9_300_000 + n, first_name="Budi"), balancer, None)
                    for n in range(PEOPLE)
                )
            )
        for heard in spread:
            assert heard in one_process
