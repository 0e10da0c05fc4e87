"""SQLite for the async engine without a thread hop: each sqlite3 call runs at once on the loop thread.

SQLAlchemy's aiosqlite dialect drives an aiosqlite connection, which runs every DB-API call on a
worker thread and wakes the event loop for each result. For SQLite that hop costs far more than the
call itself: a statement on a local file takes microseconds, but the hop and loop wake-up cost a
third of the bot's CPU under load (`bench/inbound.py`). This module gives the dialect a connection
with aiosqlite's interface whose methods simply run the sqlite3 call (via `async_creator`, the
engine's documented hook for supplying driver connections).

Running on the loop thread is safe because nothing here waits long:

- inside this process, `storage.db.Database` lets one transaction write at a time (an asyncio
  lock), so statements never wait on each other;
- another process (the CLI next to the bot) can hold the write lock; `busy_timeout` is short
  (`BUSY_TIMEOUT_MS`), and `Database` retries a busy `BEGIN IMMEDIATE` with `asyncio.sleep`
  between attempts instead of blocking the loop;
- WAL with `synchronous=NORMAL` does not fsync on commit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

BUSY_TIMEOUT_MS = 50


class InlineCursor:
    """aiosqlite.Cursor's interface over a sqlite3 cursor."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        if parameters is None:
            self._cursor.execute(sql)
        else:
            self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid


class InlineConnection:
    """aiosqlite.Connection's interface (the part SQLAlchemy's dialect uses) over sqlite3."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    async def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        return await InlineCursor(self._conn.cursor()).execute(sql, parameters)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    def stop(self) -> None:
        """SQLAlchemy's forced close (pool terminate)."""
        self._conn.close()


def connector(path: str) -> Callable[[], Any]:
    """The engine's `async_creator`: opens `path` in autocommit mode (we issue BEGIN ourselves)."""

    async def connect() -> InlineConnection:
        connection = sqlite3.connect(
            path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,  # the pool may close a connection from a finaliser
            uri=path.startswith("file:"),
        )
        return InlineConnection(connection)

    return connect


def is_busy(error: BaseException) -> bool:
    """Whether `error` (possibly wrapped by SQLAlchemy) is SQLite's "database is locked"."""
    original = getattr(error, "orig", error)
    return isinstance(original, sqlite3.OperationalError) and (
        "locked" in str(original) or "busy" in str(original)
    )
