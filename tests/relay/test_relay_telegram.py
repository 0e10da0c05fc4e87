"""The real bot on Telegram against the fake Bot API: a caseworker writes with /pesan, the
participant reads it from their pendamping by name and replies, the caseworker answers with
"Balas", and the participant ends the conversation with "Selesai"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from storage import migrate
from storage.db import Database
from storage.models import Address, Participant, Staff
from tests.fakes.telegram import FakeTelegramAPI
from tests.helpers.staff.chat import add_organisation
from tests.helpers.telegram import running_bot, settings_for


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(key["text"], key["callback_data"]) for row in keyboard for key in row]


async def test_both_ways_over_telegram(fake: FakeTelegramAPI, database_url: str) -> None:
    db = Database(database_url)
    await migrate.upgrade(db)
    now = datetime.now(UTC)
    org = await add_organisation(db, "Bapas Kelas II Ambon")
    budi, siti = fake.user(7101, first_name="Budi"), fake.user(7102, first_name="Siti")
    async with db.transaction() as tx:
        member = Staff(organisation_id=org, role="caseworker", name="Budi Santoso", created_at=now)
        tx.add(member)
        await tx.flush()
        tx.add(Address(staff_id=member.id, channel="telegram", value=str(budi.chat_id)))
        person = Participant(
            status="active", name="Siti Aminah", timezone="Asia/Jakarta", language="id",
            interests=[], consent_at=now, registered_at=now, organisation_id=org,
            caseworker_id=member.id,
        )  # fmt: skip
        tx.add(person)
        await tx.flush()
        tx.add(Address(participant_id=person.id, channel="telegram", value=str(siti.chat_id)))
        pid = person.id
    await db.dispose()
    async with running_bot(settings_for(fake, database_url), fake):
        siti.send_text("/start")  # a bot may write only to chats that wrote to it
        await siti.next_message(timeout=10)

        budi.send_text(f"/pesan {pid} Bu Siti, jangan lupa bawa KTP besok")
        assert "Terkirim ke Siti Aminah" in (await budi.next_message(timeout=10))["text"]
        message = await siti.next_message(timeout=15)
        assert "pendamping Anda, Budi Santoso" in message["text"]
        assert "jangan lupa bawa KTP besok" in message["text"]
        assert buttons(message) == [("Selesai", "relay:end")]
        assert str(budi.chat_id) not in str(message)

        siti.send_text("Siap pak, saya bawa")
        assert "Terkirim ke Budi Santoso" in (await siti.next_message(timeout=10))["text"]
        notice = await budi.next_message(timeout=10)
        assert "Siap pak, saya bawa" in notice["text"]
        assert buttons(notice) == [("Balas", f"staff:msg:{pid}")]

        budi.press(f"staff:msg:{pid}", notice["message_id"])
        thread = await budi.next_message(timeout=10)
        assert "bawa KTP" in thread["text"] and "Siap pak" in thread["text"]
        assert "Ketik pesan Anda" in (await budi.next_message(timeout=10))["text"]
        budi.send_text("Terima kasih, Bu")
        assert "Terkirim" in (await budi.next_message(timeout=10))["text"]
        answer = await siti.next_message(timeout=15)
        assert "Terima kasih, Bu" in answer["text"]

        siti.press("relay:end", answer["message_id"])
        assert "percakapan ini sudah ditutup" in (await siti.next_message(timeout=10))["text"]
        assert "menutup percakapan" in (await budi.next_message(timeout=10))["text"]
