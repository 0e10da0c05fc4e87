"""Running `pendamping ...` commands in the test's own process, output captured."""

from __future__ import annotations

import asyncio
import io
import os
import shlex
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

from bot.cli.main import dispatch, parser
from bot.config import Settings


async def run_command(database_url: str, command: str, **settings: Any) -> tuple[int, str, str]:
    """The real parser and dispatch, without a new process: exit code, stdout, stderr
    (`settings`: more of the bot's settings, e.g. quiet_hours="off")."""
    args = parser().parse_args(shlex.split(command))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = await dispatch(args.command, args, Settings(database_url=database_url, **settings))
    return code, out.getvalue(), err.getvalue()


async def run_cli(*args: str, database_url: str, cwd: Path) -> tuple[int, str, str]:
    """`python -m bot.cli ARGS` in a process of its own: exit code, stdout, stderr."""
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
