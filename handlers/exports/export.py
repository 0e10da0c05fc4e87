"""Running one export: its lines streamed from the database into a CSV or XLSX file, and an
audit row naming what was exported (kind, format, how many rows; never whose)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.exports.kinds import ExportKind
from handlers.exports.scope import ExportScope
from handlers.exports.sheet import Cell, cells, headers
from handlers.exports.writers import Format, SheetWriter, open_writer
from handlers.i18n import _
from handlers.staff.audit import AuditAction, audit

# Rows written at a time, in a worker thread: turning thousands of rows into XLSX takes seconds
# of Python, and the event loop (the other chats, the outbox) must not wait for all of it.
WRITE_BATCH = 500


async def write_export(
    tx: AsyncSession, scope: ExportScope, kind: ExportKind, format: Format, out: BinaryIO
) -> int:
    """Write `kind` as `scope` may see it to `out` (header, then one row per line) in the
    current language; returns how many rows (besides the header) were written."""
    columns = kind.columns
    zone = scope.zone
    writer = open_writer(
        format,
        out,
        title=_(kind.title),
        headers=headers(columns, scope.timezone),
        columns=columns,
    )
    count = 0
    batch: list[list[Cell]] = []
    try:
        async for line in kind.lines(tx, scope):
            batch.append(cells(columns, line, zone))
            if len(batch) == WRITE_BATCH:
                await asyncio.to_thread(_write, writer, batch)
                count, batch = count + len(batch), []
        await asyncio.to_thread(_write, writer, batch)
        count += len(batch)
    except BaseException:
        # Best effort: when cancelled, a batch may still be being written in its thread.
        with contextlib.suppress(Exception):
            writer.discard()
        raise
    await asyncio.to_thread(writer.close)
    since = f" since={scope.since.date().isoformat()}" if scope.since is not None else ""
    await audit(
        tx,
        staff=scope.staff,
        action=AuditAction.EXPORT,
        channel=scope.channel,
        now=scope.now,
        organisation_id=scope.organisation_id,
        detail=f"{kind.name} {format} rows={count}{since}",
    )
    return count


def _write(writer: SheetWriter, rows: list[list[Cell]]) -> None:
    for row in rows:
        writer.row(row)


def file_name(scope: ExportScope, kind: ExportKind, format: Format) -> str:
    """ "peserta-2026-12-01.xlsx": the kind in the current language and the organisation's day."""
    day = scope.now.astimezone(scope.zone).date().isoformat()
    return f"{_(kind.filename)}-{day}.{format}"
