"""On WhatsApp, through the real channel against the fake Graph API: a check-in prompt 30 hours
after the person last wrote goes as the "checkin" template; its "Mulai" quick reply starts the
check-in; "1", "gak ada tempat tinggal" and a voice note are kept, and flags are raised."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from handlers.checkins.planning import prompt_key
from handlers.outbox.queue import enqueue
from handlers.outbox.recipients import Recipient
from storage import migrate
from storage.db import Database
from storage.models import Address, CheckinStatus, OutboxKind, Participant, ScheduledMessage
from tests.fakes.whatsapp.webhooks import WhatsAppUser, media
from tests.helpers.checkins import checkins, flags
from tests.helpers.whatsapp.bot import Phone, graph_api, running_bot, titles, whatsapp_settings

YUSUF = WhatsAppUser(phone="6281234567013", user_id="ID.7001234567890013", name="Yusuf Latu")


async def released_in_ambon(db: Database) -> tuple[int, int]:
    """Yusuf of Ambon, released three days ago, who last wrote 30 hours ago; his day-3 check-in
    is due now. Returns (participant id, outbox row id)."""
    await migrate.upgrade(db)
    now = datetime.now(UTC)
    released = (now - timedelta(days=3)).date()
    async with db.transaction() as tx:
        participant = Participant(
            status="active", name="Yusuf Latu", timezone="Asia/Jayapura", language="id",
            interests=[], consent_at=now, registered_at=now, contact_time="morning",
            release_date=released,
        )  # fmt: skip
        tx.add(participant)
        await tx.flush()
        tx.add(
            Address(
                participant_id=participant.id, channel="whatsapp", value=YUSUF.user_id,
                alias=YUSUF.phone, last_inbound_at=now - timedelta(hours=30),
            )
        )  # fmt: skip
        key = prompt_key(participant.id, 3, released.isoformat())
        await enqueue(
            tx, kind=OutboxKind.CHECKIN, recipient=Recipient(participant.id), key=key,
            due_at=now - timedelta(seconds=1),
        )  # fmt: skip
        row_id = await tx.scalar(select(ScheduledMessage.id).where(ScheduledMessage.key == key))
        return participant.id, int(row_id or 0)


async def test_a_checkin_outside_the_window_goes_as_a_template_whose_mulai_starts_it(
    database_url: str,
) -> None:
    db = Database(database_url)
    pid, row_id = await released_in_ambon(db)
    await db.dispose()
    async with graph_api() as fake:
        yusuf_id = YUSUF.user_id or ""
        fake.person_wrote(yusuf_id, time.time() - 30 * 3600)
        async with running_bot(whatsapp_settings(fake, database_url), fake) as bot:
            yusuf = Phone(bot, YUSUF)
            [prompt] = await fake.wait_for(yusuf_id, 1, timeout=15)
            yusuf.seen = 1
            assert prompt.kind == "template"
            assert prompt.message["template"]["name"] == "pendamping_kabar"
            assert titles(prompt) == ["Mulai"]
            [intro, mood] = await yusuf.taps("Mulai")
            assert "enam pertanyaan singkat" in intro.text
            assert mood.kind == "interactive"
            assert mood.message["interactive"]["type"] == "list"  # five moods: a list of rows
            assert titles(mood)[0] == "😞 Sangat buruk"
            await yusuf.says("1")
            await yusuf.says("lagi cari kerja")
            [help_list] = await yusuf.says("gak ada tempat tinggal")
            assert "Tempat tinggal" in titles(help_list)
            await yusuf.taps("Tempat tinggal")
            await yusuf.taps("Selesai")
            [note] = await yusuf.taps("Ya, hubungi saya")
            assert titles(note) == ["Lewati"]
            voice = fake.media.person_sent(b"OggS voice", "audio/ogg; codecs=opus")
            [thanks] = await yusuf.sends(media(YUSUF, "audio", voice=True, media_id=voice))
            assert "Pendamping Anda akan segera menghubungi Anda" in thanks.text
            assert all(r.kind != "template" for r in yusuf.inbox[1:])  # free text again
        [checkin] = await checkins(bot.db, pid)
        assert checkin.status == CheckinStatus.COMPLETE and checkin.channel == "whatsapp"
        assert (checkin.mood, checkin.activity, checkin.housing, checkin.wants_contact) == (
            1, "looking", "no", True,
        )  # fmt: skip
        assert checkin.media_kind == "voice" and checkin.media_ref
        assert checkin.prompt_id == row_id
        assert [reason for reason, _urgent, _c in await flags(bot.db, pid)] == [
            "low_mood", "no_home", "wants_contact",
        ]  # fmt: skip
    assert fake.answers == {}  # no free text was refused: the window was respected
