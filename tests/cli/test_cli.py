"""The `pendamping` command as a coordinator meets it in the first hour: help, start-up, offsets."""

from __future__ import annotations

import asyncio
import io
import os
import shlex
import sys
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import dispatch, parser
from bot.config import Settings
from handlers.programs.admin import add_organisation, add_program
from storage.db import Database

NOW = datetime.now(UTC)


async def pendamping(database_url: str, command: str) -> tuple[int, str, str]:
    """Parse and run a command in this process, as `main` would; usage errors exit 2."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            args = parser().parse_args(shlex.split(command))
        except SystemExit as leaving:
            return int(leaving.code or 0), out.getvalue(), err.getvalue()
        code = await dispatch(args.command, args, Settings(database_url=database_url))
    return code, out.getvalue(), err.getvalue()


async def run(*args: str, cwd: Path, env: dict[str, str], stdin: str = "") -> tuple[int, str, str]:
    """The real command in a subprocess."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, cwd=cwd, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(stdin.encode()), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def clean_env(home: Path) -> dict[str, str]:
    """No token and no DATABASE_URL: the defaults, with `home` as the user's home folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PENDAMPING"))}
    env.pop("DATABASE_URL", None)
    env.pop("XDG_DATA_HOME", None)
    return {**env, "HOME": str(home)}


def test_help_lists_every_subcommand_with_a_description() -> None:
    text = parser().format_help()
    commands = parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert set(commands) >= {"run", "chat", "db", "participants", "orgs", "programs", "sessions",
                             "enrol", "attendance", "appointments"}  # fmt: skip
    lines = text.splitlines()
    for name in commands:
        [at] = [i for i, line in enumerate(lines) if line.strip().split(" ")[0] == name]
        line, following = lines[at], lines[at + 1]
        description = line.strip()[len(name) :].strip()
        if not description:  # a long name: the description is on the next line, indented further
            assert len(following) - len(following.lstrip()) > len(line) - len(line.lstrip())
            description = following.strip()
        assert len(description) > 10, f"{name} has no description in --help"


async def test_the_terminal_chat_says_in_english_where_the_data_is_from_any_folder(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    database = home / ".local" / "share" / "pendamping" / "pendamping.db"
    for folder in (tmp_path / "one", tmp_path / "two"):
        folder.mkdir()
        code, out, err = await run("chat", cwd=folder, env=clean_env(home), stdin="halo\n")
        assert code == 0, err
        assert f"Database: {database}" in err
        assert "chat with the bot in this terminal" in err and "/keluar" in err
        assert "Mengobrol" not in err + out  # the operator's lines are English, not mixed
        assert not (folder / "data").exists()
    code, out, err = await run("participants", "list", cwd=tmp_path, env=clean_env(home))
    assert code == 0, err
    assert "no participants yet" in out  # the same database, found from a third folder
    assert str(database) in out


async def test_a_database_left_at_the_old_place_stops_the_start_with_how_to_move_it(
    tmp_path: Path,
) -> None:
    old = tmp_path / "data" / "pendamping.db"
    old.parent.mkdir()
    old.write_bytes(b"")
    code, out, err = await run("chat", cwd=tmp_path, env=clean_env(tmp_path / "home"))
    assert code == 2
    assert str(old) in err and "mv " in err and "DATABASE_URL=sqlite:///" in err
    assert out == ""
    assert not (tmp_path / "home" / ".local" / "share" / "pendamping" / "pendamping.db").exists()


async def test_a_database_out_of_reach_is_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    env = clean_env(tmp_path / "home") | {"DATABASE_URL": "postgresql://pendamping@127.0.0.1:1/x"}
    for command in (("run",), ("db", "upgrade")):
        code, _out, err = await run(*command, cwd=tmp_path, env=env)
        assert code == 1
        [line] = [line for line in err.splitlines() if line.startswith("pendamping:")]
        assert line.startswith("pendamping: database error: ") and "refused" in line.lower()
        assert "Traceback" not in err


@pytest.mark.parametrize("offsets", ["-5", "999999", "abc", "0", "1440,-120", "1e3", "1440,,abc"])
@pytest.mark.parametrize(
    "command",
    [
        "programs add --org 1 --name Las --kind pelatihan --offsets={offsets}",
        'sessions add --program 1 --start "{day} 09:00" --end 12:00 --place Aula '
        "--offsets={offsets}",
    ],
)
async def test_negative_or_absurd_offsets_are_refused_naming_the_option(
    db: Database, database_url: str, command: str, offsets: str
) -> None:
    async with db.transaction() as tx:
        org = await add_organisation(tx, "Rutan Pekalongan", "rutan", "Asia/Jakarta", NOW)
        await add_program(tx, org, "Pelatihan Las", "job_training", None, NOW)
    day = (NOW + timedelta(days=3)).date()
    code, out, err = await pendamping(database_url, command.format(offsets=offsets, day=day))
    assert code == 2
    assert "--offsets" in err and "minutes before the start" in err and "1440" in err
    assert out == ""


async def test_offsets_in_an_imported_csv_are_refused_per_line(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    async with db.transaction() as tx:
        org = await add_organisation(tx, "Rutan Pekalongan", "rutan", "Asia/Jakarta", NOW)
        await add_program(tx, org, "Pelatihan Las", "job_training", None, NOW)
    day = (NOW + timedelta(days=3)).date()
    csv = tmp_path / "jadwal.csv"
    csv.write_text(
        "program,date,start,end,timezone,place,offsets\n"
        f"Pelatihan Las,{day},09:00,12:00,WIB,Aula,-5\n"
        f"Pelatihan Las,{day},13:00,15:00,WIB,Aula,999999\n",
        encoding="utf-8",
    )
    code, out, err = await pendamping(database_url, f"sessions import {csv}")
    assert code == 1, err
    assert "line 2: offsets '-5' must be minutes before the start" in err
    assert "line 3: offsets '999999' must be minutes before the start" in err
    assert "imported 0 session(s)" in out
