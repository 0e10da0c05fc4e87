"""`pendamping participants export`: the real command, on the same database the bot used."""

from __future__ import annotations

import csv
from pathlib import Path

from storage.db import Database
from tests.fakes.channel import Person
from tests.helpers.cli import run_cli
from tests.helpers.paths import ROOT
from tests.helpers.signup import sign_up


async def test_export_csv_has_header_and_erased_rows_have_no_personal_fields(
    person: Person, db: Database, database_url: str, tmp_path: Path
) -> None:
    await sign_up(person)
    other = Person(person.inbox, person.channel, address="2002", profile_name='=HYPERLINK("x")')
    await sign_up(other)
    await other.says("/hapus")
    await other.presses("erase:yes")

    output = tmp_path / "peserta.csv"
    code, _out, err = await run_cli(
        "participants", "export", "--format", "csv", "--output", str(output),
        database_url=database_url, cwd=ROOT,
    )  # fmt: skip
    assert code == 0, err
    assert "exported 2 participant(s)" in err
    with output.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for column in ("id", "name", "phone", "category", "city", "province", "timezone", "language",
                   "interests", "status", "consent_at", "created_at", "channels"):  # fmt: skip
        assert column in rows[0]
    budi, erased = rows
    assert (budi["name"], budi["phone"], budi["city"], budi["channels"]) == (
        "Budi Santoso", "+6281234567890", "Kabupaten Serang", "fake",
    )  # fmt: skip
    assert budi["interests"] == "job_training;counselling"
    assert erased["status"] == "erased"
    assert (erased["name"], erased["phone"], erased["city"], erased["channels"]) == ("", "", "", "")
    assert erased["province"] == "Banten"


async def test_export_to_stdout(db: Database, database_url: str) -> None:
    code, out, _err = await run_cli("participants", "export", database_url=database_url, cwd=ROOT)
    assert code == 0
    assert out.splitlines()[0].startswith("id,name,phone,category")
