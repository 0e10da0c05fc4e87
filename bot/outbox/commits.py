"""Group commit: many senders' small writes (a row is being sent, a row was sent) in one
transaction, so that the database's commits do not cap how fast the platforms are served."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database

T = TypeVar("T")


class GroupCommit(Generic[T]):
    """`await commit(item)` returns once `item` is written and committed.

    Items that arrive while a transaction is open wait for the next one, which takes them all:
    alone, an item is committed at once; under load, one commit serves many. If the transaction
    fails, every item in it gets the error (nothing of it was written).
    """

    def __init__(
        self, db: Database, write: Callable[[AsyncSession, list[T]], Awaitable[None]]
    ) -> None:
        self.db = db
        self.write = write
        self.commits = 0  # how many transactions so far (for the benchmark)
        self._waiting: list[tuple[T, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def __call__(self, item: T) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        await done

    async def _write_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                async with self.db.transaction() as tx:
                    await self.write(tx, [item for item, _ in batch])
            except Exception as error:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(error)
                continue
            self.commits += 1
            for _, done in batch:
                if not done.done():
                    done.set_result(None)
