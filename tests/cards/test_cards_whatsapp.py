"""The real bot on WhatsApp (fake Graph API): a caseworker taps through their list of people (a
list of rows, then at most three buttons), opens a card from a row, adds a note with the card's
button and sees it on the card."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import migrate
from storage.db import Database
from tests.fakes.whatsapp.webhooks import WhatsAppUser
from tests.helpers.cards import CARD_ACTIONS, Answer, add_program, add_session, enrol_with, staff_id
from tests.helpers.participants import add_participant
from tests.helpers.staff.chat import add_organisation, make_invite, place
from tests.helpers.whatsapp.bot import Phone, graph_api, running_bot, titles, whatsapp_settings


async def test_a_caseworker_finds_a_person_opens_the_card_and_adds_a_note_on_whatsapp(
    database_url: str,
) -> None:
    db = Database(database_url)
    await migrate.upgrade(db)
    org = await add_organisation(db, "Rutan Pekalongan")
    code = await make_invite(db, org, now=datetime.now(UTC), name="Sari Wulandari")
    await db.dispose()
    fake = graph_api()
    async with fake, running_bot(whatsapp_settings(fake, database_url), fake) as bot:
        sari = Phone(bot, WhatsAppUser(phone="6281234567002", name="Sari"))
        await sari.says(f"KODE {code}")
        await sari.taps("Ya")
        worker = await staff_id(bot.db, "Sari Wulandari")
        now = datetime.now(UTC)
        people = []
        for n in range(11):
            pid = await add_participant(bot.db, f"Peserta Nomor{n}", now=now, city="Batang")
            await place(bot.db, pid, org, caseworker_id=worker)
            people.append(pid)
        program = await add_program(bot.db, org, "Pelatihan Las")
        session = await add_session(bot.db, program, now + timedelta(days=1))
        await enrol_with(bot.db, people[3], session, Answer(rsvp="no"))

        listed, pages = await sari.taps("Peserta")
        assert listed.kind == "interactive" and listed.message["interactive"]["type"] == "list"
        rows = titles(listed)
        assert len(rows) == 10 and rows[0] == f"#{people[3]} Peserta Nomor3"
        assert all(len(row) <= 24 for row in rows)
        assert "tidak bisa / minta jadwal lain" in listed.text
        assert pages.message["interactive"]["type"] == "button"
        assert titles(pages) == ["Halaman berikutnya", "Semua peserta", "Menu"]

        [card] = await sari.taps(f"#{people[3]} Peserta Nomor3")
        assert f"<b>#{people[3]} Peserta Nomor3</b>" not in card.text  # WhatsApp's own bold
        assert (
            f"*#{people[3]} Peserta Nomor3*" in card.text
            and "Pelatihan Las · tidak bisa" in card.text
        )
        assert titles(card) == CARD_ACTIONS
        [asked] = await sari.taps("Tambah catatan")
        assert f"Ketik catatan tentang #{people[3]}" in asked.text
        [saved] = await sari.says("Sudah ditelepon, minggu depan bisa datang")
        assert f"Catatan untuk #{people[3]} sudah disimpan" in saved.text
        shown = await sari.taps("Buka kartu")
        assert any("Sudah ditelepon, minggu depan bisa datang" in r.text for r in shown)
