"""Sessions from a spreadsheet sent in chat (through the engine, on both channels' names): an
admin's CSV or XLSX file is checked as `pendamping sessions import` checks it, the report comes
back, nothing is written until Impor; confirming imports the good rows (checked again) and is
audited; Batal and old checks import nothing; caseworkers and participants are not affected; an
admin names only their own organisation's programs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.inbox import Inbox
from handlers.flow import FlowSettings
from handlers.types import Attachment, Incoming, Kind
from storage.db import Database
from storage.models import Message, ProgramSession
from tests.fakes.channel import Person
from tests.helpers.importing import (
    XLSX,
    FileChannel,
    add_program,
    csv_bytes,
    day,
    excel_row,
    sends_file,
    session_rows,
    xlsx_bytes,
)
from tests.helpers.signup import sign_up
from tests.helpers.staff.chat import add_organisation, audit_rows, join_as_staff


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> FileChannel:
    return FileChannel(name=str(request.param))


@pytest.fixture
async def inbox(db: Database, settings: FlowSettings, channel: FileChannel) -> AsyncIterator[Inbox]:
    inbox = Inbox(db, settings, {channel.name: channel})
    yield inbox
    await inbox.close()


async def sessions(db: Database) -> list[ProgramSession]:
    async with db.transaction() as tx:
        found = await tx.execute(select(ProgramSession).order_by(ProgramSession.id))
        return list(found.scalars())


async def admin_of(db: Database, inbox: Inbox, channel: FileChannel) -> tuple[Person, int]:
    org = await add_organisation(db, "Rutan Pekalongan")
    admin = Person(inbox, channel, address="1001")
    await join_as_staff(admin, db, org, role="admin", name="Budi Santoso")
    return admin, org


async def test_a_csv_is_checked_first_and_imported_only_on_impor(
    db: Database, inbox: Inbox, channel: FileChannel
) -> None:
    admin, org = await admin_of(db, inbox, channel)
    await add_program(db, org, "Pelatihan Las")
    rows = session_rows("Pelatihan Las", 3)
    rows.append(
        ["Pelatihan Las", "Salah", f"{day(20):%Y-%m-%d}", "13:00", "08:00", "WIB", "Aula", ""]
    )
    rows.append(["Pelatihan Las", "", "31/02/2027", "09:00", "10:00", "WITB", "Aula", ""])
    checked = await sends_file(admin, channel, csv_bytes(rows), "jadwal.csv", "text/csv")
    [report] = checked
    assert "jadwal.csv" in report.text and "3 sesi" in report.text
    assert "baris 5: jam selesai 08:00 lebih awal dari jam mulai 13:00" in report.text
    assert "baris 6:" in report.text and "WITB" in report.text
    assert [b.title for b in report.buttons] == ["Impor", "Batal"]
    assert report.document is None  # few problems: all in the chat
    assert await sessions(db) == []  # a dry run writes nothing

    done = await admin.presses(report.buttons[0].payload)
    assert "3 sesi berhasil diimpor" in done[-1].text
    imported = await sessions(db)
    assert [s.title for s in imported] == ["Pertemuan 1", "Pertemuan 2", "Pertemuan 3"]
    assert channel.fetched and len(channel.fetched) == 2  # downloaded again to confirm
    actions = [(r.action, r.detail) for r in await audit_rows(db)]
    assert ("import", "sessions imported=3 refused_rows=2") in actions

    again = await admin.presses(report.buttons[0].payload)  # a second press imports nothing
    assert "tidak lagi menunggu" in again[-1].text
    assert len(await sessions(db)) == 3
    async with db.transaction() as tx:
        logged = " ".join(m.body or "" for m in (await tx.execute(select(Message))).scalars())
    assert "Pertemuan" not in logged and "Aula" not in logged


async def test_an_xlsx_with_excel_dates_imports_like_a_csv(
    db: Database, inbox: Inbox, channel: FileChannel
) -> None:
    admin, org = await admin_of(db, inbox, channel)
    await add_program(db, org, "Pelatihan Las")
    rows = [excel_row("Pelatihan Las", 12), excel_row("Pelatihan Las", 13)]
    rows.append(
        ["Pelatihan Las", "Teks", f"{day(14):%d/%m/%Y}", "9.00", "11.30", "WIB", "Aula", ""]
    )
    rows.append(excel_row("Pelatihan Las", 12))  # the same as row 2
    [report] = await sends_file(admin, channel, xlsx_bytes(rows), "jadwal.xlsx", XLSX)
    assert "3 sesi" in report.text
    assert "baris 5: sama dengan baris 2 (program, waktu mulai dan tempat sama)" in report.text
    await admin.presses(report.buttons[0].payload)
    imported = await sessions(db)
    assert len(imported) == 3
    assert imported[0].starts_at.replace(tzinfo=UTC) == datetime.combine(
        day(12), datetime.min.time(), tzinfo=UTC
    ) + timedelta(hours=2)  # 09:00 WIB is 02:00 UTC
    assert imported[2].ends_at - imported[2].starts_at == timedelta(hours=2, minutes=30)


async def test_batal_imports_nothing_and_many_problems_come_as_a_report(
    db: Database, inbox: Inbox, channel: FileChannel
) -> None:
    admin, org = await admin_of(db, inbox, channel)
    await add_program(db, org, "Pelatihan Las")
    bad = [["Pelatihan Las", "", "kemarin", "09:00", "12:00", "WIB", "Aula", ""]] * 8
    rows = session_rows("Pelatihan Las", 1) + bad
    [report] = await sends_file(admin, channel, csv_bytes(rows), "jadwal.csv", "text/csv")
    assert "8 baris" in report.text and "3 masalah lagi" in report.text
    assert report.document is not None and report.document.filename == "laporan-jadwal.csv"
    full = report.document.content.decode("utf-8-sig")
    assert full.count("kemarin") == 8 and "\n10," in full.replace("\r\n", "\n")
    cancelled = await admin.presses(report.buttons[1].payload)
    assert "tidak ada yang diimpor" in cancelled[-1].text.lower()
    assert await admin.presses(report.buttons[0].payload)
    assert await sessions(db) == []
    assert "import" not in [r.action for r in await audit_rows(db)]


async def test_a_check_left_for_too_long_is_not_imported(
    db: Database, inbox: Inbox, channel: FileChannel
) -> None:
    admin, org = await admin_of(db, inbox, channel)
    await add_program(db, org, "Pelatihan Las")
    rows = session_rows("Pelatihan Las", 1)
    [report] = await sends_file(admin, channel, csv_bytes(rows), "jadwal.csv", "text/csv")
    later = Incoming(  # the press arrives two hours after the check
        channel=channel.name,
        address=admin.address,
        kind=Kind.BUTTON,
        payload=report.buttons[0].payload,
        dedupe_key=f"{channel.name}:later",
        received_at=datetime.now(UTC) + timedelta(hours=2),
    )
    answer = await admin.redelivers(later)
    assert "tidak lagi menunggu" in answer[-1].text
    assert await sessions(db) == []


async def test_an_admin_names_only_their_own_organisations_programs(
    db: Database, inbox: Inbox, channel: FileChannel
) -> None:
    admin, org = await admin_of(db, inbox, channel)
    other = await add_organisation(db, "Bapas Semarang")
    await add_program(db, org, "Pelatihan Las")
    theirs = await add_program(db, other, "Konseling Semarang")
    rows = session_rows("Pelatihan Las", 1)
    rows += session_rows("Konseling Semarang", 1, first_day=15)
    rows += session_rows(str(theirs), 1, first_day=16)
    [report] = await sends_file(admin, channel, csv_bytes(rows), "jadwal.csv", "text/csv")
    assert "1 sesi" in report.text
    assert "baris 3: program 'Konseling Semarang' tidak ada" in report.text
    assert f"baris 4: program '{theirs}' tidak ada" in report.text
    await admin.presses(report.buttons[0].payload)
    assert [s.program_id for s in await sessions(db)] != [theirs]
    assert len(await sessions(db)) == 1


async def test_a_file_that_cannot_be_read_at_all_says_why(
    db: Database, inbox: Inbox, channel: FileChannel
) -> None:
    admin, _org = await admin_of(db, inbox, channel)
    header = await sends_file(admin, channel, b"nama;tanggal\nx;y\n", "jadwal.csv", "text/csv")
    assert (
        "tidak dapat diimpor" in header[-1].text
        and "kolom yang tidak dikenal: nama, tanggal" in header[-1].text
    )
    pdf = await sends_file(admin, channel, b"%PDF-1.4", "surat.pdf", "application/pdf")
    assert "CSV atau Excel" in pdf[-1].text
    broken = await sends_file(admin, channel, b"PK\x03\x04broken", "jadwal.xlsx", XLSX)
    assert "tidak dapat diimpor" in broken[-1].text
    big = await admin.sends(
        Kind.DOCUMENT, attachment=Attachment("x", "besar.csv", "text/csv", 6 * 1024 * 1024)
    )
    assert "terlalu besar" in big[-1].text
    assert await sessions(db) == []


async def test_a_caseworker_or_a_participant_sending_a_file_gets_the_usual_answer(
    db: Database, inbox: Inbox, channel: FileChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    await add_program(db, org, "Pelatihan Las")
    content = csv_bytes(session_rows("Pelatihan Las", 2))
    worker = Person(inbox, channel, address="2002")
    await join_as_staff(worker, db, org, role="caseworker", name="Sari Wulandari")
    answer = await sends_file(worker, channel, content, "jadwal.csv", "text/csv")
    assert "Impor" not in [b.title for r in answer for b in r.buttons]
    assert "staff:cmd:peserta" in [b.payload for b in answer[-1].buttons]  # the staff menu

    participant = Person(inbox, channel, address="3003")
    await sign_up(participant)
    told = await sends_file(participant, channel, content, "jadwal.csv", "text/csv")
    assert "belum bisa membuka foto atau berkas" in " ".join(r.text for r in told)
    assert not channel.fetched  # nobody's file was downloaded
    assert await sessions(db) == []
    async with db.transaction() as tx:
        count = (await tx.execute(select(func.count()).select_from(ProgramSession))).scalar()
    assert count == 0
