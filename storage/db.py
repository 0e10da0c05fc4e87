"""The database handle: engine setup for SQLite and PostgreSQL, and one transaction per unit of work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_inline

BUSY_WAIT_SECONDS = 30.0  # how long a transaction waits for another process's SQLite write lock


class Database:
    """Owns the engine. `transaction()` is the only way in: it commits on success, rolls back on error.

    SQLite allows one writer at a time. Transactions start with BEGIN IMMEDIATE (so two writers never
    deadlock on a lock upgrade) and, inside this process, queue on an asyncio lock rather than spinning
    in SQLite's busy handler. SQLite calls run on the loop thread (`storage.sqlite_inline`); when
    another process (the CLI next to a running bot) holds the write lock, BEGIN is retried with
    `asyncio.sleep` in between, so the loop is never blocked for more than a short busy timeout.

    On PostgreSQL at most `pool_size` transactions are open at once in a process; the others
    queue. More would not finish sooner (the statements share one event loop), and each would
    open and close an overflow connection, a new server backend every time.
    """

    def __init__(self, url: str, *, search_path: str | None = None, pool_size: int = 10) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        self.is_sqlite = self.dialect == "sqlite"
        kwargs: dict[str, Any] = {}
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["async_creator"] = sqlite_inline.connector(parsed.database or ":memory:")
        else:
            kwargs["pool_size"] = pool_size
            kwargs["max_overflow"] = pool_size
            kwargs["pool_pre_ping"] = True
            # The bot's queries are short; PostgreSQL's JIT compiled the outbox's claim query
            # (its cost estimate grows with the rows waiting) at about 35 ms a time, for a query
            # that runs in a few: off, as commonly advised for OLTP.
            server_settings = {"jit": "off"}
            if search_path:
                server_settings["search_path"] = search_path
            kwargs["connect_args"] = {"server_settings": server_settings}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        self._open = asyncio.Semaphore(pool_size)  # PostgreSQL: transactions open at once

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        if self._write_lock is None:
            async with self._open, self._sessions() as tx, tx.begin():
                yield tx
            return
        async with self._write_lock, self._sessions() as tx:
            await _begin_when_free(tx)  # autobegins the session's transaction
            try:
                yield tx
            except BaseException:
                await tx.rollback()
                raise
            await tx.commit()

    async def dispose(self) -> None:
        await self.engine.dispose()


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The connection is in autocommit mode (`sqlite_inline.connector`): we issue BEGIN ourselves.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={sqlite_inline.BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


async def _begin_when_free(tx: AsyncSession) -> None:
    """Start the session's transaction (BEGIN IMMEDIATE), waiting without blocking the loop.

    Another process holding SQLite's write lock makes BEGIN fail after the short busy timeout;
    then we sleep and try again, for up to `BUSY_WAIT_SECONDS`.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BUSY_WAIT_SECONDS
    pause = 0.005
    while True:
        try:
            await tx.connection()
            return
        except OperationalError as error:
            await tx.rollback()
            if not sqlite_inline.is_busy(error) or loop.time() + pause > deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.2)
