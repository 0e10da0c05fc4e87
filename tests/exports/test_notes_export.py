"""Notes in an export: only the reader's own organisation's notes about the people they may see
(a partner never gets the referring organisation's notes); a note about someone who erased their
data keeps its date and author and loses its text and the name."""

from __future__ import annotations

from datetime import timedelta

from storage.db import Database
from storage.erasure import erase_participant
from storage.models import Participant
from storage.staff.notes import add_note
from tests.helpers.exports import NOW, export_as, read_csv, read_xlsx, world, xlsx_rows
from tests.helpers.staff.partners import StaffChat


async def write(db: Database, who: StaffChat, participant: int, text: str, hours_ago: int) -> None:
    async with db.transaction() as tx:
        await add_note(
            tx,
            participant_id=participant,
            staff_id=who.view.staff_id,
            organisation_id=who.view.organisation_id,
            text=text,
            now=NOW - timedelta(hours=hours_ago),
        )


async def test_each_organisation_exports_its_own_notes_and_an_erased_persons_lose_their_text(
    db: Database,
) -> None:
    w = await world(db, "telegram")
    await write(db, w.caseworker_a, w.budi, "Sudah dapat kerja di bengkel", hours_ago=5)
    await write(db, w.admin_a, w.formula, "=1+1 ditelepon, tidak diangkat", hours_ago=3)
    await write(db, w.caseworker_b, w.dewi, "Ibu Dewi minta info pelatihan", hours_ago=2)
    await write(db, w.partner_c, w.budi, "Hadir di kelas menjahit", hours_ago=1)

    ours = read_csv(await export_as(db, w.caseworker_a, "notes", "csv"))
    assert [(int(r["ID peserta"]), r["Catatan"]) for r in ours] == [
        (w.budi, "Sudah dapat kerja di bengkel"),
        (w.formula, "'=1+1 ditelepon, tidak diangkat"),  # a spreadsheet would have run it
    ]
    assert ours[0]["Nama"] == "Budi Santoso" and ours[0]["Ditulis oleh"]
    theirs = read_csv(await export_as(db, w.caseworker_b, "notes", "csv"))
    assert [r["Catatan"] for r in theirs] == ["Ibu Dewi minta info pelatihan"]
    partner = read_csv(await export_as(db, w.partner_c, "notes", "csv"))
    assert [r["Catatan"] for r in partner] == ["Hadir di kelas menjahit"]  # not the Rutan's

    async with db.transaction() as tx:
        budi = await tx.get(Participant, w.budi)
        assert budi is not None
        await erase_participant(tx, budi, NOW)
    sheet = read_xlsx(await export_as(db, w.admin_a, "notes", "xlsx"))
    header, *rows = xlsx_rows(sheet)
    assert header[:2] == ["ID peserta", "Nama"] and header[-1] == "Catatan"
    by_id = {row[0]: row for row in rows}
    erased = by_id[w.budi]
    assert erased[1] in (None, "") and erased[-1] in (None, "")  # no name, no text
    assert erased[2] is not None  # still dated: the timeline keeps its gap
    assert "bengkel" not in str(rows)
