"""The hook for the media download: WhatsApp check-in media not yet stored, then stored."""

from __future__ import annotations

from handlers.flow import FlowSettings
from handlers.types import Attachment, Kind
from storage.checkins.answers import keep_media, media_to_keep
from storage.db import Database
from tests.helpers.checkins import checkins
from tests.helpers.reminders import participant_id, register
from tests.helpers.two_channels import two_channels


async def test_whatsapp_media_waits_for_the_media_store_until_kept_there(
    db: Database, settings: FlowSettings
) -> None:
    async with two_channels(db, settings) as bot:
        for channel in ("telegram", "whatsapp"):
            person = bot.person(channel, profile_name="Yusuf Latuconsina")
            await register(person, "kota ambon")
            await person.says("/kabar")
            for text in ("3", "bekerja", "ya", "tidak perlu", "tidak"):
                await person.says(text)
            await person.sends(Kind.VOICE, attachment=Attachment(f"{channel}-media-1"))
        pid = await participant_id(db, bot.person("whatsapp").address)
    async with db.transaction() as tx:
        [waiting] = await media_to_keep(tx, "whatsapp")
        assert waiting.media_ref == "whatsapp-media-1"
        await keep_media(tx, waiting.id, "media/2026/12/checkin-1.ogg")
    async with db.transaction() as tx:
        assert await media_to_keep(tx, "whatsapp") == []
    [stored] = await checkins(db, pid)
    assert (stored.media_ref, stored.media_stored) == ("media/2026/12/checkin-1.ogg", True)
