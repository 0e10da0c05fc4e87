"""The real bot on WhatsApp against the fake Graph API: a caseworker writes to a participant who
last wrote 30 hours ago; the `relay` template opens the conversation, "Buka" shows the message
(from their pendamping, by name), the reply reaches the caseworker, and "Balas" answers it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from storage import migrate
from storage.db import Database
from storage.models import Address, Participant, Staff
from tests.fakes.whatsapp import FakeGraphAPI
from tests.fakes.whatsapp.webhooks import WhatsAppUser
from tests.helpers.staff.chat import add_organisation
from tests.helpers.whatsapp.bot import Phone, graph_api, running_bot, titles, whatsapp_settings

SITI = WhatsAppUser(phone="6281234567001", user_id="ID.7001234567890001", name="Siti Aminah")
BUDI = WhatsAppUser(phone="6281234567009", user_id="ID.7001234567890009", name="Budi")


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphAPI]:
    async with graph_api() as server:
        yield server


async def test_a_closed_window_opens_with_the_relay_template_and_both_sides_talk(
    fake: FakeGraphAPI, database_url: str
) -> None:
    db = Database(database_url)
    await migrate.upgrade(db)
    now = datetime.now(UTC)
    org = await add_organisation(db, "Bapas Kelas II Ambon")
    async with db.transaction() as tx:
        budi = Staff(organisation_id=org, role="caseworker", name="Budi Santoso", created_at=now)
        tx.add(budi)
        await tx.flush()
        tx.add(
            Address(
                staff_id=budi.id, channel="whatsapp", value=BUDI.user_id, alias=BUDI.phone,
                last_inbound_at=now - timedelta(hours=1),
            )
        )  # fmt: skip
        siti = Participant(
            status="active", name="Siti Aminah", timezone="Asia/Jakarta", language="id",
            interests=[], consent_at=now, registered_at=now, organisation_id=org,
            caseworker_id=budi.id,
        )  # fmt: skip
        tx.add(siti)
        await tx.flush()
        tx.add(
            Address(
                participant_id=siti.id, channel="whatsapp", value=SITI.user_id, alias=SITI.phone,
                last_inbound_at=now - timedelta(hours=30),
            )
        )  # fmt: skip
        pid = siti.id
    await db.dispose()
    siti_id = SITI.user_id or ""
    fake.person_wrote(siti_id, time.time() - 30 * 3600)
    async with running_bot(whatsapp_settings(fake, database_url), fake) as bot:
        caseworker, participant = Phone(bot, BUDI), Phone(bot, SITI)
        [sent] = await caseworker.says(f"/pesan {pid} Bu Siti, konseling pindah ke hari Kamis")
        assert "Terkirim ke Siti Aminah" in sent.text

        [announced] = await fake.wait_for(siti_id, 1, timeout=15)
        participant.seen = 1
        assert announced.kind == "template" and titles(announced) == ["Buka"]
        assert announced.message["template"]["name"] == "pendamping_pesan_pendamping"
        assert "Kamis" not in str(announced.message)  # the words wait for the tap

        [message] = await participant.taps("Buka")
        assert message.kind == "interactive" and titles(message) == ["Selesai"]
        assert "pendamping Anda, Budi Santoso" in message.text
        assert "konseling pindah ke hari Kamis" in message.text
        assert BUDI.phone not in str(message.message) and (BUDI.user_id or "-") not in str(
            message.message
        )

        [told] = await participant.says("Baik pak, saya datang Kamis")
        assert "Terkirim ke Budi Santoso" in told.text
        [notice] = caseworker.new()
        assert "Baik pak, saya datang Kamis" in notice.text and titles(notice) == ["Balas"]

        [thread, asked] = await caseworker.taps("Balas")
        assert "konseling pindah" in thread.text and "saya datang Kamis" in thread.text
        assert "Ketik pesan Anda untuk Siti Aminah" in asked.text
        await caseworker.says("Sampai Kamis, Bu")
        answer = (await fake.wait_for(siti_id, 4, timeout=15))[3]
        assert answer.kind == "interactive" and "Sampai Kamis, Bu" in answer.text  # window open
    assert fake.answers == {}  # no free text was refused: the window was respected
