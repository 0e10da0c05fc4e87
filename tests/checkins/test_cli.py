"""`pendamping checkins schedule`: an organisation's or a program's own check-in days."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import Database
from storage.models import CheckinSchedule
from tests.helpers.cli import run_command


async def test_an_admin_sets_the_days_of_an_organisation_and_of_one_program(
    db: Database, database_url: str
) -> None:
    code, _out, _err = await run_command(
        database_url, "orgs add --name 'Bapas Kelas II Ambon' --kind bapas --timezone WIT"
    )
    assert code == 0
    code, out, _err = await run_command(
        database_url, "checkins schedule --org 'Bapas Kelas II Ambon' --days 3,7,30"
    )
    assert (code, out.strip()) == (0, "organisation 1: check-ins on days 3,7,30")
    await run_command(database_url, "programs add --org 1 --name 'Pelatihan Las' --kind pelatihan")
    code, out, _err = await run_command(
        database_url, "checkins schedule --org 1 --program 1 --days 14,7"
    )
    assert (code, out.strip()) == (0, "program 1: check-ins on days 7,14")
    async with db.transaction() as tx:
        found = (await tx.execute(select(CheckinSchedule).order_by(CheckinSchedule.id))).scalars()
        assert [(s.program_id, s.days) for s in found] == [(None, [3, 7, 30]), (1, [7, 14])]


async def test_a_program_of_another_organisation_and_bad_days_are_refused(
    db: Database, database_url: str
) -> None:
    await run_command(database_url, "orgs add --name 'Bapas Kelas II Ambon' --kind bapas")
    code, out, err = await run_command(
        database_url, "checkins schedule --org 1 --program 9 --days 3"
    )
    assert code == 1 and "has no program 9" in out + err
