"""`pendamping participants list`: finding a participant's id without dumping phone numbers."""

from __future__ import annotations

import io
import shlex
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime

from bot.cli.main import dispatch, parser
from bot.config import Settings
from storage.db import Database
from tests.helpers.participants import add_participant

REGISTERED = datetime(2026, 11, 30, 18, 30, tzinfo=UTC)  # 1 December in WIB and WIT


async def participants(database_url: str, command: str) -> tuple[int, str, str]:
    args = parser().parse_args(["participants", *shlex.split(command)])
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = await dispatch(args.command, args, Settings(database_url=database_url))
    return code, out.getvalue(), err.getvalue()


async def add_three(db: Database) -> None:
    await add_participant(
        db, "Siti Rahayu", now=REGISTERED, city="Kota Serang", phone="+6281234567890",
        category="bapas",
    )  # fmt: skip
    await add_participant(
        db, "Budi Santoso", now=REGISTERED, city="Kota Ambon", phone="+6285298765432",
        timezone="Asia/Jayapura",
    )  # fmt: skip
    await add_participant(
        db, "Dewi Lestari", now=REGISTERED, city="Kabupaten Serang", phone="+6281111111111",
        erased=True,
    )  # fmt: skip


async def test_the_list_shows_ids_names_cities_and_status_but_no_phone_numbers(
    db: Database, database_url: str
) -> None:
    await add_three(db)
    code, out, err = await participants(database_url, "list")
    assert code == 0, err
    header, siti, budi, dewi = out.splitlines()
    assert header.split() == [
        "id",
        "name",
        "city",
        "status",
        "category",
        "registered",
        "org",
        "caseworker",
    ]
    assert siti.split() == [
        "1",
        "Siti",
        "Rahayu",
        "Kota",
        "Serang",
        "active",
        "bapas",
        "2026-12-01",
        "-",
        "-",
    ]
    assert budi.split() == [
        "2",
        "Budi",
        "Santoso",
        "Kota",
        "Ambon",
        "active",
        "-",
        "2026-12-01",
        "-",
        "-",
    ]
    assert dewi.split() == ["3", "(erased)", "-", "erased", "-", "-", "-", "-"]
    for digits in ("81234567890", "85298765432", "81111111111", "+62"):
        assert digits not in out
    assert "Dewi" not in out and "Kabupaten" not in out
    # The columns line up, so the list reads as a table on a terminal.
    assert siti.index("Kota") == budi.index("Kota") == header.index("city")
    assert "3 participant(s)" in err


async def test_search_finds_names_and_cities_in_any_case_and_never_the_erased(
    db: Database, database_url: str
) -> None:
    await add_three(db)
    _code, out, _err = await participants(database_url, "list --search SERANG")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["1"]  # not the erased Dewi
    _code, out, _err = await participants(database_url, "list --search 'budi s'")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["2"]
    _code, out, _err = await participants(database_url, "list --search dewi")
    assert out.startswith("no participant's name or city contains 'dewi'")
    for wildcard in ("%", "_"):  # typed characters are searched for, not used as patterns
        _code, out, _err = await participants(database_url, f"list --search '{wildcard}'")
        assert out.startswith("no participant's name or city contains")


async def test_an_empty_list_says_which_database_it_looked_in(
    db: Database, database_url: str
) -> None:
    code, out, _err = await participants(database_url, "list")
    assert code == 0
    assert out.startswith("no participants yet (database: ")
