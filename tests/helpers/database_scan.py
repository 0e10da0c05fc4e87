"""Look for strings in every text, string and JSON column of every table in a test database.

The tables come from the database itself (reflection), not from a list in a test, so a table a
later migration adds is searched too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import MetaData, select
from sqlalchemy.engine import Connection

from storage.db import Database


@dataclass(frozen=True)
class Found:
    table: str
    column: str
    needle: str
    value: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column} holds {self.needle!r}: {self.value[:120]!r}"


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return None


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


async def find_strings(
    db: Database, texts: Sequence[str], digits: Sequence[str] = ()
) -> list[Found]:
    """Where any of `texts` (case-insensitive) or `digits` (a number typed in any form: the
    digits of each value are compared, so "0857-4100 2299" matches "85741002299") is stored."""

    def read_all(connection: Connection) -> list[tuple[str, str, Any]]:
        metadata = MetaData()
        metadata.reflect(connection)
        cells: list[tuple[str, str, Any]] = []
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                cells.extend((table.name, column, value) for column, value in row.items())
        return cells

    async with db.transaction() as tx:
        connection = await tx.connection()
        cells = await connection.run_sync(read_all)
    found: list[Found] = []
    for table, column, value in cells:
        text = _as_text(value)
        if not text:
            continue
        lowered, number = text.lower(), _digits(text)
        found.extend(Found(table, column, t, text) for t in texts if t.lower() in lowered)
        found.extend(Found(table, column, d, text) for d in digits if d in number)
    return found
