"""`pendamping report --month YYYY-MM --org ID`: an organisation's monthly report as an XLSX
file, the same as /laporan sends its admins, written to the audit log as an export."""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import date
from pathlib import Path
from typing import Any

from bot.cli.common import Context, leaf, typed
from bot.cli.exports import target
from handlers.i18n import LANGUAGES, use_language
from handlers.programs.admin import find_organisation
from handlers.reports.monthly import monthly_report, parse_month
from handlers.reports.workbook import file_name, write_report
from handlers.staff.audit import AuditAction, audit

REPORT_COMMANDS = {"report"}


def add_report_parsers(sub: Any) -> None:
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
            output = target(args.output, file_name(report))
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
