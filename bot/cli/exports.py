"""`pendamping export participants|attendance|...`: an organisation's data as CSV or XLSX, as
its admins see it (its participants, and those referred to it for the referred program); and
`pendamping report --month YYYY-MM`: its monthly report (XLSX with charts), the same as /laporan
sends its admins. Each written to the audit log as an export from the command line."""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.cli.common import Context, group, leaf, typed
from handlers.exports.export import file_name, write_export
from handlers.exports.kinds import EXPORT_KINDS
from handlers.exports.scope import organisation_scope
from handlers.exports.writers import Format
from handlers.i18n import LANGUAGES, use_language
from handlers.programs.admin import Refused, find_organisation
from handlers.reports.monthly import monthly_report, parse_month
from handlers.reports.workbook import file_name as report_file_name
from handlers.reports.workbook import write_report
from handlers.staff.audit import AuditAction, audit

EXPORT_COMMANDS = {"export", "report"}


def day(text: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        raise ValueError(f"must be a date like 2026-12-01, not {text!r}") from None


def add_export_parsers(sub: Any) -> None:
    """`export participants|attendance|...` and `report`."""
    exports = group(sub, "export", "an organisation's participants, attendance or answers")
    for name, kind in EXPORT_KINDS.items():
        command = leaf(exports, name, kind.about, export_cmd)
        command.set_defaults(kind=name)
        command.add_argument("--org", required=True, help="the organisation's id or exact name")
        command.add_argument(
            "--format",
            choices=[f.value for f in Format],
            default=Format.XLSX.value,
            help="xlsx (a spreadsheet, the default) or csv",
        )
        command.add_argument(
            "--output",
            type=Path,
            help="the file to write (default: e.g. peserta-2026-12-01.xlsx in this folder)",
        )
        command.add_argument(
            "--since",
            type=typed(day),
            help="from this day on, in the organisation's time zone (YYYY-MM-DD): sessions "
            "and answers of meetings from then, participants who signed up from then",
        )
        command.add_argument(
            "--language",
            choices=LANGUAGES,
            help="of the header and labels (default: DEFAULT_LANGUAGE)",
        )
    _add_report_parser(sub)


async def export_cmd(args: argparse.Namespace, context: Context) -> int:
    kind = EXPORT_KINDS[args.kind]
    format = Format(args.format)
    with use_language(args.language or context.settings.default_language):
        async with context.db.transaction() as tx:
            organisation = await find_organisation(tx, args.org)
            since = None
            if args.since is not None:
                local_midnight = datetime.combine(args.since.date(), time())
                since = local_midnight.replace(tzinfo=ZoneInfo(organisation.timezone))
            scope = organisation_scope(organisation, now=context.now, since=since)
            output = target(args.output, file_name(scope, kind, format))
            partial = output.with_name(output.name + ".part")
            try:
                with partial.open("wb") as out:
                    count = await write_export(tx, scope, kind, format, out)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
    # Only once the audit row is committed, and never half-written under the real name.
    os.replace(partial, output)
    print(f"exported {count} row(s) of {kind.name} of {organisation.name} to {output}")
    return 0


def target(output: Path | None, default_name: str) -> Path:
    """Where the file goes: --output, or the default name in the current folder."""
    chosen = output or Path(default_name)
    if chosen.is_dir():
        raise Refused(f"--output {chosen} is a folder; give a file name")
    return chosen


def _add_report_parser(sub: Any) -> None:
    command = leaf(sub, "report", "an organisation's monthly report (XLSX with charts)", report_cmd)
    command.add_argument(
        "--month", required=True, type=typed(parse_month), help="the month, e.g. 2026-11"
    )
    command.add_argument("--org", required=True, help="the organisation's id or exact name")
    command.add_argument(
        "--output", type=Path, help="the file to write (default: laporan-YYYY-MM.xlsx here)"
    )
    command.add_argument(
        "--language", choices=LANGUAGES, help="of the labels (default: DEFAULT_LANGUAGE)"
    )


async def report_cmd(args: argparse.Namespace, context: Context) -> int:
    month: date = args.month
    with use_language(args.language or context.settings.default_language):
        async with context.db.transaction() as tx:
            organisation = await find_organisation(tx, args.org)
            report = await monthly_report(
                tx, organisation.id, organisation.name, organisation.timezone, month
            )
            output = target(args.output, report_file_name(report))
            content = await asyncio.to_thread(write_report, report)
            await audit(
                tx,
                staff=None,
                action=AuditAction.EXPORT,
                channel="cli",
                now=context.now,
                organisation_id=organisation.id,
                detail=f"report month={month:%Y-%m}",
            )
    # Only once the audit row is committed, and never half-written under the real name.
    partial = output.with_name(output.name + ".part")
    try:
        partial.write_bytes(content)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, output)
    print(f"wrote the report of {month:%Y-%m} of {organisation.name} to {output}")
    return 0
