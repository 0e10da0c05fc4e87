"""Check-ins in an export (CSV and XLSX read back): every answer in its own column, their words
neutralised, nothing personal left of someone who erased their data, only the reader's
organisation's own participants (never another organisation's, never to a partner), asked for
with /ekspor on Telegram and WhatsApp and with `pendamping export checkins`."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.channels.whatsapp.render import render
from bot.inbox import Inbox
from handlers.types import Kind, Reply
from storage.db import Database
from storage.erasure import erase_participant
from storage.models import Participant
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.checkin_views import add_checkin
from tests.helpers.cli import run_command
from tests.helpers.exports import (
    LAST_WEEK,
    NOW,
    World,
    export_as,
    read_csv,
    read_xlsx,
    world,
    xlsx_rows,
)
from tests.helpers.participants import add_participant

HEADER = [
    "ID peserta", "Nama", "Mulai (WIB)", "Selesai (WIB)", "Status kabar", "Saluran",
    "Perasaan (1-5)", "Kegiatan utama", "Tempat tinggal aman", "Bantuan yang diminta",
    "Ingin dihubungi", "Kata-kata peserta", "Pesan suara/foto",
]  # fmt: skip


async def checked_in(db: Database, w: World) -> int:
    """Budi's two check-ins, Dewi's one (the other organisation's), and one of Rudi, who then
    erases his data; returns Rudi's id."""
    await add_checkin(
        db, w.budi, LAST_WEEK, mood=4, activity="work", housing="yes",
        needs=("capital", "work"), wants_contact=False, words="=1+1 sudah kerja di bengkel",
        media="file-abc", channel="whatsapp",
    )  # fmt: skip
    await add_checkin(db, w.budi, NOW - timedelta(days=1), status="expired")
    await add_checkin(db, w.dewi, LAST_WEEK, mood=2, words="Dewi di Semarang")
    rudi = await add_participant(db, "Rudi Hartono", now=LAST_WEEK - timedelta(days=30))
    async with db.transaction() as tx:
        person = await tx.get(Participant, rudi)
        assert person is not None
        person.organisation_id = w.org_a
    await add_checkin(db, rudi, LAST_WEEK + timedelta(hours=1), status="partial", mood=1,
                      housing="no", words="tidur di terminal", media="file-rudi")  # fmt: skip
    async with db.transaction() as tx:
        person = await tx.get(Participant, rudi)
        assert person is not None
        await erase_participant(tx, person, NOW - timedelta(hours=1))
    return rudi


async def test_the_check_ins_export_reads_back_cell_by_cell(db: Database) -> None:
    w = await world(db, "telegram")
    rudi = await checked_in(db, w)

    sheet = read_xlsx(await export_as(db, w.admin_a, "checkins", "xlsx"))

    assert sheet.title == "Kabar peserta" and sheet.freeze_panes == "A2"
    header, *rows = xlsx_rows(sheet)
    assert header == HEADER
    assert rows == [
        [
            w.budi, "Budi Santoso", datetime(2026, 11, 25, 9, 0), datetime(2026, 11, 25, 9, 2),
            "Lengkap", "WhatsApp", 4, "Bekerja", "Ya", "Pekerjaan, Modal usaha", "Tidak usah",
            "'=1+1 sudah kerja di bengkel", "Pesan suara",
        ],
        [
            rudi, None, datetime(2026, 11, 25, 10, 0), None, "Sebagian", "Telegram", 1, None,
            "Tidak", None, None, None, None,
        ],  # erased: no name, no words, no voice note; the answers stay, for counting
        [
            w.budi, "Budi Santoso", datetime(2026, 11, 30, 10, 0), None, "Tidak dijawab",
            None, None, None, None, None, None, None, None,
        ],
    ]  # fmt: skip
    assert sheet.cell(2, 7).data_type == "n"  # the mood is a number a chart can use
    assert "Semarang" not in str(rows)

    csv_rows = read_csv(await export_as(db, w.caseworker_a, "checkins", "csv"))
    assert [(int(r["ID peserta"]), r["Status kabar"]) for r in csv_rows] == [
        (w.budi, "Lengkap"),
        (rudi, "Sebagian"),
        (w.budi, "Tidak dijawab"),
    ]
    assert csv_rows[0]["Kata-kata peserta"] == "'=1+1 sudah kerja di bengkel"
    assert csv_rows[0]["Mulai (WIB)"].startswith("2026-11-25 09:00")
    assert csv_rows[1]["Nama"] == "" and csv_rows[1]["Kata-kata peserta"] == ""


async def test_each_organisation_exports_only_its_own_participants_check_ins(
    db: Database,
) -> None:
    w = await world(db, "telegram")
    await checked_in(db, w)

    theirs = read_csv(await export_as(db, w.caseworker_b, "checkins", "csv"))
    assert [(int(r["ID peserta"]), r["Kata-kata peserta"]) for r in theirs] == [
        (w.dewi, "Dewi di Semarang")
    ]
    partner = read_csv(await export_as(db, w.partner_c, "checkins", "csv"))
    assert partner == []  # Budi is referred to them: his check-ins stay with his caseworker
    ours = read_csv(await export_as(db, w.caseworker_a, "checkins", "csv"))
    assert ours and all(int(r["ID peserta"]) != w.dewi for r in ours)


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))


async def test_ekspor_offers_check_ins_and_sends_the_file(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    await checked_in(db, w)
    admin = Person(inbox, channel, address=w.admin_a.address)

    async def typed(text: str) -> list[Reply]:
        head, _sep, args = text[1:].partition(" ")
        return await admin.sends(Kind.COMMAND, text=text, command=head, args=args, received_at=NOW)

    (what,) = await typed("/ekspor")
    titles = [b.title for b in what.buttons]
    assert "Kabar peserta" in titles and len(titles) <= 10
    if channel.name == "whatsapp":
        message = render(what)[-1].message
        assert message["interactive"]["type"] == "list"
    (which,) = await admin.sends(
        Kind.BUTTON, payload=what.buttons[titles.index("Kabar peserta")].payload, received_at=NOW
    )
    assert "Kabar peserta" in which.text
    (sent,) = await admin.sends(Kind.BUTTON, payload=which.buttons[0].payload, received_at=NOW)
    assert sent.document is not None
    assert sent.document.filename == "kabar-2026-12-01.csv"
    assert [int(r["ID peserta"]) for r in read_csv(sent.document.content)][:1] == [w.budi]

    (typed_once,) = await typed("/ekspor kabar excel")
    assert typed_once.document is not None
    assert xlsx_rows(read_xlsx(typed_once.document.content))[0] == HEADER


async def test_pendamping_export_checkins(db: Database, database_url: str, tmp_path: Path) -> None:
    w = await world(db, "telegram")
    await checked_in(db, w)
    output = tmp_path / "kabar.csv"

    code, out, err = await run_command(
        database_url, f"export checkins --org {w.org_a} --format csv --output {output}"
    )

    assert code == 0, err
    assert out.strip() == f"exported 3 row(s) of checkins of Rutan Kelas IIA Pekalongan to {output}"
    rows = read_csv(output.read_bytes())
    assert [r["Perasaan (1-5)"] for r in rows] == ["4", "1", ""]
