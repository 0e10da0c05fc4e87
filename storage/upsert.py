"""INSERT ... ON CONFLICT for whichever dialect the session talks to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def upsert(tx: AsyncSession, table: Any) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, which offers `on_conflict_do_update`."""
    if tx.bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_ignore(tx: AsyncSession, table: Any) -> Insert:
    """An insert that skips rows violating a unique constraint (use `.values(...)` on it)."""
    if tx.bind.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()
