"""For the tests of the staff command line: staff members and organisations made straight in
the database, and `pendamping` run with settings of the test's choosing."""

from __future__ import annotations

import asyncio
import io
import os
import shlex
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot.cli.main import dispatch, parser
from bot.config import Settings
from handlers.programs.admin import add_organisation
from storage.db import Database
from storage.models import Address, AuditEntry, Staff
from tests.helpers.paths import ROOT

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09:00 WIB


async def run_with(settings: Settings, command: str) -> tuple[int, str, str]:
    """`pendamping <command>` through the real parser and dispatch, in this process (a usage
    error exits 2, as argparse does, with its message on stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            args = parser().parse_args(shlex.split(command))
        except SystemExit as exit:
            return int(exit.code or 0), out.getvalue(), err.getvalue()
        code = await dispatch(args.command, args, settings)
    return code, out.getvalue(), err.getvalue()


async def pendamping(database_url: str, command: str, **settings: object) -> tuple[int, str, str]:
    return await run_with(replace(Settings(database_url=database_url), **settings), command)  # type: ignore[arg-type]


async def run_process(
    command: str, *, database_url: str, cwd: Path, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """`python -m bot.cli <command>` in a process of its own, run from `cwd`."""
    full = {**os.environ, "DATABASE_URL": database_url, **(env or {})}
    full["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), full.get("PYTHONPATH")]))
    if not (env or {}).get("TELEGRAM_BOT_TOKEN"):
        full.pop("TELEGRAM_BOT_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *shlex.split(command), env=full, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def add_org(db: Database, name: str, kind: str = "bapas") -> int:
    async with db.transaction() as tx:
        return (await add_organisation(tx, name, kind, "Asia/Jakarta", NOW)).id


async def add_staff(
    db: Database,
    organisation_id: int,
    name: str,
    role: str = "caseworker",
    chats: tuple[tuple[str, str], ...] = (),
) -> int:
    """An active staff member with chats given as (channel, address value)."""
    async with db.transaction() as tx:
        staff = Staff(organisation_id=organisation_id, role=role, name=name, created_at=NOW)
        tx.add(staff)
        await tx.flush()
        for channel, value in chats:
            tx.add(Address(channel=channel, value=value, staff_id=staff.id))
        return staff.id


async def audit_rows(db: Database, action: str | None = None) -> list[AuditEntry]:
    async with db.transaction() as tx:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        return list((await tx.execute(query)).scalars())
