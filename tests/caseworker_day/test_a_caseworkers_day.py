"""A caseworker's day, as one story on each channel: the digest names who needs her, most urgent
first; she opens a card, adds a note, writes to a participant and reads the reply; she marks
attendance and the absent person gets the kind follow-up; the admin imports sessions from an
Excel file and exports attendance as XLSX; the audit log has every step."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.inbox import Inbox
from handlers.flow import FlowSettings
from storage.db import Database
from storage.models import AuditEntry, Participant, ProgramSession
from tests.fakes.channel import Person
from tests.helpers.exports import read_xlsx, xlsx_rows
from tests.helpers.importing import (
    XLSX,
    FileChannel,
    add_program,
    excel_row,
    sends_file,
    xlsx_bytes,
)
from tests.helpers.participants import add_participant
from tests.helpers.relay import deliver
from tests.helpers.reminders import Clock, dispatcher, outbox
from tests.helpers.sessions_staff import add_session, answer, button, enrol_in, text_of
from tests.helpers.signup import sign_up
from tests.helpers.staff.chat import add_organisation, place
from tests.helpers.staff.cli import add_staff

RINA, HENDRA, SITI = "9001", "9003", "5550001"
WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> FileChannel:
    return FileChannel(name=str(request.param))


@pytest.fixture
async def inbox(db: Database, settings: FlowSettings, channel: FileChannel) -> AsyncIterator[Inbox]:
    inbox = Inbox(db, settings, {channel.name: channel})
    yield inbox
    await inbox.close()


async def audit_actions(db: Database) -> list[str]:
    async with db.transaction() as tx:
        return list((await tx.execute(select(AuditEntry.action).order_by(AuditEntry.id))).scalars())


async def test_a_caseworkers_day(db: Database, inbox: Inbox, channel: FileChannel) -> None:
    now = datetime.now(UTC)
    org = await add_organisation(db, "Bapas Kelas I Semarang")
    on = channel.name
    rina_id = await add_staff(db, org, "Rina Wulandari", chats=((on, RINA),))
    await add_staff(db, org, "Hendra Gunawan", role="admin", chats=((on, HENDRA),))
    rina = Person(inbox, channel, address=RINA)
    hendra = Person(inbox, channel, address=HENDRA)

    siti = Person(inbox, channel, address=SITI, profile_name="Siti Aminah")
    await sign_up(siti)  # a new sign-up, given to Rina
    async with db.transaction() as tx:
        siti_id = (await tx.execute(select(Participant.id))).scalar_one()
    await place(db, siti_id, org, rina_id)
    sari_id = await add_participant(db, "Sari Dewi", now=now - timedelta(days=30))
    await place(db, siti_id, org, rina_id)
    await place(db, sari_id, org, rina_id)
    program = await add_program(db, org, "Pelatihan Las")
    today = await add_session(db, program, now - timedelta(hours=1))  # began an hour ago
    thursday = await add_session(db, program, now + timedelta(days=3))
    for pid in (siti_id, sari_id):
        await enrol_in(db, pid, today)
    await enrol_in(db, sari_id, thursday)
    await answer(db, sari_id, thursday, "no")  # "Tidak bisa", not handled by anyone yet

    # The digest: who needs her, most urgent first.
    [digest] = await rina.says("/ringkasan")
    assert digest.text.index(f"#{sari_id} Sari") < digest.text.index(f"#{siti_id} Siti")
    assert f"staff:p:{sari_id}" in [b.payload for b in digest.buttons]

    # The card, a note, a message and its answer.
    card = await rina.presses(f"staff:p:{siti_id}")
    assert "Siti Aminah" in card[-1].text and "Rina Wulandari" in card[-1].text
    asked = await rina.presses(button(card, "Tambah catatan"))
    assert asked
    await rina.says("Sudah dapat kerja di bengkel las")
    again = await rina.says(f"/peserta {siti_id}")
    assert "Sudah dapat kerja di bengkel las" in again[-1].text

    await rina.presses(button(again, "Kirim pesan"))
    await rina.says("Halo Bu Siti, besok jam 9 ada pelatihan ya")
    assert await deliver(db, channel) == 1
    [message] = [reply for to, reply in channel.sent if to == SITI][-1:]
    assert "Rina Wulandari" in message.text and "besok jam 9" in message.text
    before = len(channel.sent)
    await siti.says("Baik bu, saya datang")
    told = [reply.text for to, reply in channel.sent[before:] if to == RINA]
    assert any("Baik bu, saya datang" in text for text in told)

    # Attendance from the phone: Sari came, Siti did not, and Siti gets the kind follow-up.
    week = await rina.says("/sesi")
    start = (now - timedelta(hours=1)).astimezone(WIB)
    opened = await rina.presses(button(week, f"{start.day}/{start:%m %H.%M}"))
    checklist = await rina.presses(button(opened, "Catat kehadiran"))
    asked = await rina.presses(button(checklist, "Sari Dewi"))
    after = await rina.presses(button(asked, "Hadir"))
    asked = await rina.presses(button(after, "Siti Aminah"))
    done = await rina.presses(button(asked, "Tidak hadir"))
    assert "Semua sudah dicatat" in text_of(done)
    [follow_up] = [row for row in await outbox(db) if row.kind == "followup"]
    assert follow_up.participant_id == siti_id
    before = len(channel.sent)
    await dispatcher(db, channel, Clock(follow_up.due_at + timedelta(seconds=1))).run_once()
    [kind_word] = [reply.text for to, reply in channel.sent[before:] if to == SITI]
    assert "Kami tidak melihat Anda" in kind_word

    # The admin imports next month's sessions from Excel and exports attendance as XLSX.
    rows = [excel_row("Pelatihan Las", 30), excel_row("Pelatihan Las", 37)]
    [report] = await sends_file(hendra, channel, xlsx_bytes(rows), "jadwal.xlsx", XLSX)
    assert "2 sesi" in report.text
    await hendra.presses(report.buttons[0].payload)
    async with db.transaction() as tx:
        count = len((await tx.execute(select(ProgramSession.id))).all())
    assert count == 4
    [export] = await hendra.says("/ekspor kehadiran excel")
    assert export.document is not None and export.document.filename.endswith(".xlsx")
    header, *lines = xlsx_rows(read_xlsx(export.document.content))
    attendance = {(line[1], line[header.index("Kehadiran")]) for line in lines}
    assert {("Sari Dewi", "Hadir"), ("Siti Aminah", "Tidak hadir")} <= attendance

    actions = await audit_actions(db)
    for action in ("view", "note", "message", "relay", "attendance", "import", "export"):
        assert action in actions, action
