"""`pendamping sessions import` reads an Excel workbook (.xlsx) as it reads a CSV: the same
columns in the header row, dates and times as Excel values or as text, the same report by row
number, a workbook that cannot be read refused whole."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

from sqlalchemy import select

from handlers.programs.admin import add_organisation, add_program
from storage.db import Database
from storage.models import ProgramSession
from tests.helpers.cli import run_command
from tests.helpers.importing import day, xlsx_bytes

HEADER = ["Program", "Title", "Date", "Start", "End", "Timezone", "Place", "Capacity", "Open"]


async def test_an_xlsx_file_is_imported_row_by_row(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        rutan = await add_organisation(tx, "Rutan Pekalongan", "rutan", "Asia/Jakarta", now)
        await add_program(tx, rutan, "Pelatihan Las", "job_training", None, now)
    workbook = tmp_path / "jadwal.xlsx"
    workbook.write_bytes(
        xlsx_bytes(
            [
                ["Pelatihan Las", "Las 1", day(10), time(9, 0), time(12, 0), "WIB", "Aula", 20, True],
                ["Pelatihan Las", None, f"{day(11):%d/%m/%Y}", "13.00", "15.30", "WIB", "Aula", None, "tidak"],
                [None, None, None, None, None, None, None, None, None],
                ["Pelatihan Las", None, day(12), time(12, 0), time(9, 0), "WIB", "Aula", 0, None],
            ],
            header=HEADER,
        )
    )  # fmt: skip
    code, out, err = await run_command(database_url, f"sessions import {workbook} --dry-run")
    assert code == 1 and out.startswith("dry run: 2 session(s) would be imported")
    assert "line 5: end time 09:00 is before start time 12:00" in err
    assert "line 5: capacity '0' must be a whole number of seats" in err

    code, out, err = await run_command(database_url, f"sessions import {workbook}")
    assert (code, out) == (1, "imported 2 session(s) (ids 1, 2)\n"), err
    async with db.transaction() as tx:
        first, second = (await tx.execute(select(ProgramSession).order_by("id"))).scalars()
    assert (first.title, first.capacity, first.open) == ("Las 1", 20, True)
    assert first.starts_at.astimezone(UTC).hour == 2  # 09:00 WIB
    assert (second.title, second.capacity, second.open) == (None, None, False)
    assert second.ends_at - second.starts_at == (
        datetime(2000, 1, 1, 15, 30) - datetime(2000, 1, 1, 13, 0)
    )


async def test_a_file_that_only_looks_like_a_workbook_is_refused_whole(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    broken = tmp_path / "jadwal.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    code, out, err = await run_command(database_url, f"sessions import {broken}")
    assert code == 2 and out == ""
    assert "not an Excel workbook (.xlsx) that can be read" in err
