"""Running `pendamping ...` commands in the test's own process, output captured."""

from __future__ import annotations

import io
import shlex
from contextlib import redirect_stderr, redirect_stdout

from bot.cli import dispatch, parser
from bot.config import Settings


async def run_command(database_url: str, command: str) -> tuple[int, str, str]:
    """The real parser and dispatch, without a new process: exit code, stdout, stderr."""
    args = parser().parse_args(shlex.split(command))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = await dispatch(args.command, args, Settings(database_url=database_url))
    return code, out.getvalue(), err.getvalue()
