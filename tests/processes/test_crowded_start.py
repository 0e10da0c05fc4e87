"""Three `pendamping run` processes started at once on one empty database (as a supervisor or a
deployment starts them): one applies the migrations while the others wait for it, and all three
come up and answer /healthz."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.whatsapp.templates import load_catalogue
from storage import migrate
from storage.db import Database
from tests.fakes.whatsapp import FakeGraphAPI, shapes_of
from tests.helpers.whatsapp.process import BotProcess, start_whatsapp_bot


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI(templates=shapes_of(load_catalogue(None))) as server:
        yield server


async def test_three_processes_started_at_once_on_an_empty_database_all_come_up(
    fake: FakeGraphAPI, database_url: str, tmp_path: Path
) -> None:
    started = await asyncio.gather(
        *(start_whatsapp_bot(fake, database_url, tmp_path / name) for name in "abc"),
        return_exceptions=True,
    )
    bots = [bot for bot in started if isinstance(bot, BotProcess)]
    try:
        failures = [str(error) for error in started if not isinstance(error, BotProcess)]
        assert failures == []  # each came up: /healthz answered 200
        for bot in bots:
            assert "Traceback" not in bot.log.read_text(errors="replace")
        db = Database(database_url)
        assert await migrate.pending(db) == []  # migrated once, completely
        await db.dispose()
    finally:
        for bot in bots:
            await bot.ensure_gone()
