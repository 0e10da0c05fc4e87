"""Running one export: its lines streamed from the database into a CSV or XLSX file, and an
audit row naming what was exported (kind, format, how many rows; never whose)."""

from __future__ import annotations

from typing import BinaryIO

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.exports.kinds import ExportKind
from handlers.exports.scope import ExportScope
from handlers.exports.sheet import cells, headers
from handlers.exports.writers import Format, open_writer
from handlers.i18n import _
from handlers.staff.audit import AuditAction, audit


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
    try:
        async for line in kind.lines(tx, scope):
            writer.row(cells(columns, line, zone))
            count += 1
    except BaseException:
        writer.discard()
        raise
    writer.close()
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


def file_name(scope: ExportScope, kind: ExportKind, format: Format) -> str:
    """ "peserta-2026-12-01.xlsx": the kind in the current language and the organisation's day."""
    day = scope.now.astimezone(scope.zone).date().isoformat()
    return f"{_(kind.filename)}-{day}.{format}"
