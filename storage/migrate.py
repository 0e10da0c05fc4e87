"""Apply and create Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from storage.db import BUSY_WAIT_SECONDS, Database
from storage.sqlite_inline import is_busy

MIGRATIONS = Path(__file__).parent / "migrations"
# PostgreSQL: processes started together on one database migrate one at a time; the others wait
# for this lock (held until the migrating transaction ends), then find nothing left to do.
T = TypeVar("T")
MIGRATION_LOCK = 7_370_656_476  # any number of ours; "pend" in ASCII, and a few digits more


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


async def upgrade(db: Database, revision: str = "head") -> None:
    """Apply the migrations up to `revision`. Processes that start together take turns: on
    PostgreSQL they queue on an advisory lock; on SQLite on its write lock (BEGIN IMMEDIATE),
    trying again while another process migrates, for up to `BUSY_WAIT_SECONDS`."""

    def run(connection: Connection) -> None:
        command.upgrade(_config(connection), revision)

    async def once() -> None:
        async with db.engine.begin() as connection:
            if not db.is_sqlite:
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            await connection.run_sync(run)

    await _when_free(db, once)


async def _when_free(db: Database, work: Callable[[], Awaitable[T]]) -> T:
    """`work()`, again after a pause while another process holds SQLite's write lock."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUSY_WAIT_SECONDS
    while True:
        try:
            return await work()
        except OperationalError as error:
            if not (db.is_sqlite and is_busy(error)) or loop.time() > deadline:
                raise
        await asyncio.sleep(0.1)


async def pending(db: Database) -> list[str]:
    """Revisions not yet applied, oldest first."""

    def read(connection: Connection) -> list[str]:
        current = set(MigrationContext.configure(connection).get_current_heads())
        script = ScriptDirectory.from_config(_config())
        todo = []
        for rev in script.walk_revisions():
            if rev.revision in current:
                break
            todo.append(rev.revision)
        return list(reversed(todo))

    async def once() -> list[str]:
        async with db.engine.connect() as connection:
            return await connection.run_sync(read)

    return await _when_free(db, once)


async def downgrade(db: Database, revision: str) -> None:
    def run(connection: Connection) -> None:
        command.downgrade(_config(connection), revision)

    async with db.engine.begin() as connection:
        await connection.run_sync(run)


async def revision(db: Database, message: str) -> None:
    """Autogenerate a new migration from the difference between the models and the database."""

    def run(connection: Connection) -> None:
        command.revision(_config(connection), message=message, autogenerate=True)

    async with db.engine.begin() as connection:
        await connection.run_sync(run)
