"""Fixtures: a fresh real database per test (SQLite, or PostgreSQL when configured)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.config import normalise_database_url
from bot.inbox import Inbox
from handlers.flow import FlowSettings
from storage import migrate
from storage.db import Database
from tests.fakes.channel import CollectingChannel, Person

PG_URL = os.environ.get("PENDAMPING_TEST_DATABASE_URL")


def pytest_report_header() -> str:
    return f"pendamping database: {'PostgreSQL (' + PG_URL.split('@')[-1] + ')' if PG_URL else 'SQLite'}"


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A URL to an empty database of the kind under test."""
    if PG_URL is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    # One throw-away database per test keeps tests independent, also across processes.
    name = f"pendamping_t_{uuid.uuid4().hex[:12]}"
    admin_dsn = normalise_database_url(PG_URL).replace("postgresql+asyncpg", "postgresql")
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _slash, _db = normalise_database_url(PG_URL).rpartition("/")
    yield f"{base}/{name}"
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await migrate.upgrade(database)
    yield database
    await database.dispose()


@pytest.fixture
def settings() -> FlowSettings:
    return FlowSettings(program_name="Rutan Kelas IIA Pekalongan")


@pytest.fixture
def channel() -> CollectingChannel:
    return CollectingChannel()


@pytest.fixture
async def inbox(
    db: Database, settings: FlowSettings, channel: CollectingChannel
) -> AsyncIterator[Inbox]:
    inbox = Inbox(db, settings, {channel.name: channel})
    yield inbox
    await inbox.close()


@pytest.fixture
def person(inbox: Inbox, channel: CollectingChannel) -> Person:
    return Person(inbox, channel, address="1001", profile_name="Budi Santoso")
