"""Sessions from a spreadsheet, end to end: the real bot on Telegram (python-telegram-bot in the
engine's process and in a courier process of its own, which fetches the file over the pipe)
against the fake Bot API, and on WhatsApp against the fake Graph API (the file downloaded through
its media id, the long report uploaded as a document)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from storage import migrate
from storage.db import Database
from storage.models import ProgramSession
from tests.fakes.telegram import FakeTelegramAPI
from tests.fakes.whatsapp.webhooks import WhatsAppUser, document
from tests.helpers.importing import (
    XLSX,
    add_program,
    csv_bytes,
    excel_row,
    session_rows,
    xlsx_bytes,
)
from tests.helpers.staff.chat import add_organisation, audit_rows, make_invite
from tests.helpers.telegram import running_bot as running_telegram
from tests.helpers.telegram import settings_for
from tests.helpers.whatsapp.bot import Phone, graph_api, titles, whatsapp_settings
from tests.helpers.whatsapp.bot import running_bot as running_whatsapp


async def prepared(database_url: str) -> tuple[str, int]:
    """An organisation with a program and an admin's invite code; (code, program id)."""
    db = Database(database_url)
    await migrate.upgrade(db)
    org = await add_organisation(db, "Rutan Pekalongan")
    program = await add_program(db, org, "Pelatihan Las")
    code = await make_invite(db, org, now=datetime.now(UTC), role="admin", name="Budi Santoso")
    await db.dispose()
    return code, program


async def imported(db: Database) -> list[ProgramSession]:
    async with db.transaction() as tx:
        found = await tx.execute(select(ProgramSession).order_by(ProgramSession.id))
        return list(found.scalars())


def buttons_of(message: dict[str, object]) -> dict[str, str]:
    markup = message.get("reply_markup")
    assert isinstance(markup, dict), message
    return {key["text"]: key["callback_data"] for row in markup["inline_keyboard"] for key in row}


@pytest.mark.parametrize("process", ["same", "separate"])
async def test_an_admin_imports_an_excel_file_on_telegram(database_url: str, process: str) -> None:
    code, program = await prepared(database_url)
    rows = [excel_row("Pelatihan Las", 10 + n) for n in range(3)]
    rows += [["Pelatihan Las", "", "kemarin", "09:00", "12:00", "WIB", "Aula", ""]] * 7
    async with FakeTelegramAPI() as telegram:
        budi = telegram.user(7001, first_name="Budi")
        settings = settings_for(telegram, database_url, telegram_process=process)
        async with running_telegram(settings, telegram) as db:
            budi.send_text(f"/start {code}")
            asked = await budi.next_message(timeout=10)
            budi.press("claim:yes", asked["message_id"])
            await budi.next_message(timeout=10)

            budi.send_document("jadwal.xlsx", XLSX, xlsx_bytes(rows))
            report = await budi.next_message(timeout=10)
            assert report["method"] == "sendDocument"  # many problems: the report attached
            assert report["document"]["file_name"] == "laporan-jadwal.csv"
            assert "3 sesi bisa diimpor" in report["caption"]
            assert "7 baris bermasalah" in report["caption"]
            assert await imported(db) == []
            budi.press(buttons_of(report)["Impor"], report["message_id"])
            done = await budi.next_message(timeout=10)
            assert done["method"] == "sendDocument"  # the rows left out, reported again
            assert "3 sesi berhasil diimpor" in done["caption"]
            sessions = await imported(db)
            assert [s.program_id for s in sessions] == [program] * 3
            assert len(telegram.downloads) == 2  # checked, then checked again to import
            assert ("import", "telegram") in [(r.action, r.channel) for r in await audit_rows(db)]


async def test_a_caseworker_file_on_telegram_is_not_downloaded(database_url: str) -> None:
    db = Database(database_url)
    await migrate.upgrade(db)
    org = await add_organisation(db, "Rutan Pekalongan")
    await add_program(db, org, "Pelatihan Las")
    code = await make_invite(db, org, now=datetime.now(UTC), role="caseworker", name="Sari W")
    await db.dispose()
    async with FakeTelegramAPI() as telegram:
        sari = telegram.user(7002, first_name="Sari")
        settings = settings_for(telegram, database_url, telegram_process="same")
        async with running_telegram(settings, telegram) as db:
            sari.send_text(f"/start {code}")
            asked = await sari.next_message(timeout=10)
            sari.press("claim:yes", asked["message_id"])
            await sari.next_message(timeout=10)
            sari.send_document(
                "jadwal.csv", "text/csv", csv_bytes(session_rows("Pelatihan Las", 2))
            )
            answer = await sari.next_message(timeout=10)
            assert "Impor" not in buttons_of(answer)
            assert telegram.downloads == [] and await imported(db) == []


async def test_an_admin_imports_a_csv_on_whatsapp_and_cancels_another(database_url: str) -> None:
    code, program = await prepared(database_url)
    async with (
        graph_api() as fake,
        running_whatsapp(whatsapp_settings(fake, database_url), fake) as bot,
    ):
        budi = Phone(bot, WhatsAppUser(phone="6281234567001", name="Budi"))
        [confirm] = await budi.says(f"KODE {code}")
        await budi.taps(titles(confirm)[0])

        good = csv_bytes(session_rows("Pelatihan Las", 2))
        media_id = fake.media.person_sent(good, "text/csv", "jadwal.csv")
        [report] = await budi.sends(document(budi.user, media_id, "jadwal.csv", "text/csv"))
        assert "2 sesi bisa diimpor" in report.text and titles(report) == ["Impor", "Batal"]
        [done] = await budi.taps("Impor")
        assert "2 sesi berhasil diimpor" in done.text
        assert [s.program_id for s in await imported(bot.db)] == [program] * 2
        assert fake.media.downloads == [media_id, media_id]

        bad = [["Pelatihan Las", "", "kemarin", "09:00", "12:00", "WIB", "Aula", ""]] * 7
        rows = session_rows("Pelatihan Las", 1, first_day=30) + bad
        other = fake.media.person_sent(xlsx_bytes(rows), XLSX, "jadwal 2.xlsx")
        got = await budi.sends(document(budi.user, other, "jadwal 2.xlsx", XLSX))
        attached, question = got
        assert attached.kind == "document"
        assert attached.message["document"]["filename"] == "laporan-jadwal 2.csv"
        assert fake.media.files[attached.message["document"]["id"]].mime == "text/plain"
        assert "7 baris bermasalah" in question.text and titles(question) == ["Impor", "Batal"]
        [cancelled] = await budi.taps("Batal")
        assert "tidak ada yang diimpor" in cancelled.text
        assert len(await imported(bot.db)) == 2
        actions = [(r.action, r.channel) for r in await audit_rows(bot.db)]
        assert actions.count(("import", "whatsapp")) == 1
