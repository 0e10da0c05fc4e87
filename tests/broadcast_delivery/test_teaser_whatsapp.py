"""The real bot on WhatsApp against the fake Graph API: a broadcast reaches people whose 24 hours
have passed as the approved `broadcast` template, the teaser "Ada pengumuman baru dari ...
Balas BACA untuk membacanya."; its Baca button, or a typed BACA, shows the announcement. A
discreet recipient's teaser does not name the Bapas."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from storage import migrate
from storage.db import Database
from tests.fakes.whatsapp import FakeGraphAPI, Received
from tests.fakes.whatsapp.webhooks import WhatsAppUser
from tests.helpers.broadcast_rows import add_broadcast, add_recipient, rows_of
from tests.helpers.staff.chat import add_organisation
from tests.helpers.whatsapp.bot import Phone, graph_api, running_bot, titles, whatsapp_settings

SITI = WhatsAppUser(phone="6281234567001", user_id="ID.7001234567890001", name="Siti Aminah")
WATI = WhatsAppUser(phone="6281234567002", user_id="ID.7001234567890002", name="Wati Lestari")
ANNOUNCEMENT = "Wajib lapor bulan Desember pindah ke hari Kamis, 09.00, di Bapas."
NEUTRAL = "Jadwal pertemuan bulan Desember pindah ke hari Kamis, 09.00."
SECOND = "Bursa kerja di Balai Kota hari Sabtu, 09.00. Bawa KTP."
THIRD = "Pelatihan las angkatan baru mulai Senin."


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphAPI]:
    async with graph_api() as server:
        yield server


def sender_of(teaser: Received) -> str:
    [body] = [c for c in teaser.message["template"]["components"] if c["type"] == "body"]
    return str(body["parameters"][0]["text"])


async def test_the_teaser_goes_outside_the_window_and_baca_or_a_typed_baca_shows_it(
    fake: FakeGraphAPI, database_url: str
) -> None:
    db = Database(database_url)
    await migrate.upgrade(db)
    long_ago = datetime.now(UTC) - timedelta(hours=30)
    org = await add_organisation(db, "Bapas Kelas II Ambon")
    ids = []
    for user, discreet in ((SITI, False), (WATI, True)):
        ids.append(
            await add_recipient(
                db, org, user.name or "", channel="whatsapp", address=user.user_id or "",
                phone=user.phone, discreet=discreet, wrote_at=long_ago,
            )
        )  # fmt: skip
        fake.person_wrote(user.user_id or "", time.time() - 30 * 3600)
    first = await add_broadcast(db, org, None, ids, text=ANNOUNCEMENT, neutral_text=NEUTRAL)
    second = await add_broadcast(db, org, None, [ids[1]], text=SECOND)
    third = await add_broadcast(db, org, None, [ids[1]], text=THIRD)
    await db.dispose()

    async with running_bot(whatsapp_settings(fake, database_url), fake) as bot:
        siti, wati = Phone(bot, SITI), Phone(bot, WATI)
        [teaser] = await fake.wait_for(SITI.user_id or "", 1, timeout=15)
        [discreet_teaser, *more] = await fake.wait_for(WATI.user_id or "", 3, timeout=30)
        siti.seen, wati.seen = 1, 3
        for sent in (teaser, discreet_teaser, *more):
            assert sent.kind == "template" and titles(sent) == ["Baca"]
            assert sent.message["template"]["name"] == "pendamping_pengumuman"
            assert "Kamis" not in str(sent.message)  # the words wait for the tap
        assert sender_of(teaser) == "Bapas Kelas II Ambon"
        assert sender_of(discreet_teaser) == "program pendampingan Anda"  # no Bapas on her screen

        [shown] = await siti.taps("Baca")
        assert ANNOUNCEMENT in shown.text and "Bapas Kelas II Ambon" in shown.text
        [nothing] = await siti.says("BACA")  # opened already: nothing new
        assert "Belum ada pengumuman baru untuk Anda" in nothing.text

        [read] = await wati.says("baca")  # her three, in one message, the newest first
        assert "Bapas" not in read.text
        assert read.text.index(THIRD) < read.text.index(SECOND) < read.text.index(NEUTRAL)
        [nothing] = await wati.says("Baca pengumuman")
        assert "Belum ada pengumuman baru untuk Anda" in nothing.text

    for bid in (first, second, third):
        assert all(row.status == "sent" for row in await rows_of(db, bid))
