"""SQLite runs on the event loop's thread: another process holding the write lock must not freeze the bot.

These tests always use an SQLite file of their own (whatever database the suite runs on), with a
second real process holding SQLite's write lock, as `pendamping sessions add` would next to a
running bot.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from storage import db as db_module
from storage import migrate
from storage.db import Database
from storage.models import Organisation

HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
connection.execute("INSERT INTO organisations (name, kind, timezone, created_at) "
                   "VALUES ('Bapas Ambon', 'bapas', 'Asia/Jayapura', '2026-01-01 00:00:00')")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("COMMIT")
print("released", flush=True)
"""


async def _hold_write_lock(path: Path) -> asyncio.subprocess.Process:
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        HOLDER,
        str(path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdout is not None
    assert await holder.stdout.readline() == b"locked\n"
    return holder


async def _release(holder: asyncio.subprocess.Process) -> None:
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write(b"go\n")
    await holder.stdin.drain()
    assert await holder.stdout.readline() == b"released\n"
    assert await holder.wait() == 0


async def _add_org(db: Database, name: str) -> None:
    async with db.transaction() as tx:
        tx.add(Organisation(name=name, kind="rutan", timezone="Asia/Jakarta"))


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'locking.db'}")
    await migrate.upgrade(database)
    yield database  # type: ignore[misc]
    await database.dispose()


async def test_a_write_waits_for_another_process_without_blocking_the_loop(
    sqlite_db: Database, tmp_path: Path
) -> None:
    holder = await _hold_write_lock(tmp_path / "locking.db")
    writer = asyncio.create_task(_add_org(sqlite_db, "Rutan Pekalongan"))

    # While the other process holds the lock, the loop keeps turning: other work finishes while
    # the write still waits. A blocked loop would run nothing else until SQLite's busy wait gave
    # up, and by then the write would be over (failed).
    turns = 0

    async def other_work() -> None:
        nonlocal turns
        for _ in range(20):
            await asyncio.sleep(0.01)
            turns += 1

    await asyncio.wait_for(other_work(), timeout=20)
    assert turns == 20
    assert not writer.done()

    await _release(holder)
    await asyncio.wait_for(writer, timeout=10)
    async with sqlite_db.transaction() as tx:
        names = set((await tx.scalars(select(Organisation.name))).all())
    assert names == {"Bapas Ambon", "Rutan Pekalongan"}


async def test_a_lock_held_too_long_fails_the_write_cleanly(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "BUSY_WAIT_SECONDS", 0.3)
    holder = await _hold_write_lock(tmp_path / "locking.db")
    try:
        with pytest.raises(OperationalError, match="locked"):
            await _add_org(sqlite_db, "Rutan Pekalongan")
    finally:
        await _release(holder)

    # The connection that failed is usable again once the lock is free.
    await _add_org(sqlite_db, "Rutan Pekalongan")
    async with sqlite_db.transaction() as tx:
        count = len((await tx.scalars(select(Organisation.id))).all())
    assert count == 2
