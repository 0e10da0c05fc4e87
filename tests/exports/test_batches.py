"""A big organisation's export is streamed from the database in batches, and comes out whole:
every row once, in order, across the batch boundaries."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.db import Database
from storage.models import Participant, ParticipantStatus
from storage.staff.exports import BATCH
from tests.helpers.exports import export_as, read_csv, read_xlsx, world, xlsx_rows

MANY = 2 * BATCH + 7


async def add_many(db: Database, organisation_id: int) -> None:
    signed_up = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    async with db.transaction() as tx:
        tx.add_all(
            Participant(
                status=ParticipantStatus.ACTIVE,
                name=f"Peserta {n:04d}",
                timezone="Asia/Jakarta",
                language="id",
                interests=["job_training"],
                organisation_id=organisation_id,
                registered_at=signed_up,
                created_at=signed_up,
            )
            for n in range(MANY)
        )


async def test_an_export_larger_than_a_batch_has_every_row_once_in_order(db: Database) -> None:
    w = await world(db, "telegram")
    await add_many(db, w.org_b)

    rows = read_csv(await export_as(db, w.caseworker_b, "participants", "csv"))
    assert len(rows) == MANY + 1  # and Dewi
    ids = [int(r["ID"]) for r in rows]
    assert ids == sorted(set(ids))
    assert rows[-1]["Nama"] == f"Peserta {MANY - 1:04d}"
    assert {r["Minat"] for r in rows[1:]} == {"Pelatihan kerja"}

    sheet = read_xlsx(await export_as(db, w.admin_a, "participants", "xlsx"))
    assert len(xlsx_rows(sheet)) == 1 + 3  # A's three; B's many are not A's
