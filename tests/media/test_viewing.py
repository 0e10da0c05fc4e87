"""Staff open a check-in's voice note from the participant's card: a WhatsApp one from the media
store (uploaded, then an audio message on WhatsApp; sendVoice with the bytes on Telegram; a file
on the terminal), a Telegram one again by its file id; in scope only, and audited."""

from __future__ import annotations

import io
from pathlib import Path

from telegram import Bot

from bot.channels.console import ConsoleChannel
from bot.channels.telegram.channel import TelegramChannel
from handlers.flow import FlowSettings
from handlers.types import Kind, Media, Reply, reply_fields, reply_from
from storage.db import Database
from tests.fakes.telegram import FakeTelegramAPI
from tests.helpers.media import (
    VOICE,
    checkin_of,
    checks_in_with,
    graph_channel,
    keeper,
    media_views,
    office_with_caseworker,
)
from tests.helpers.two_channels import two_channels

CASEWORKER_WA = "6281234567002"
CASEWORKER_TG = "7001"


def bot_for(fake: FakeTelegramAPI) -> Bot:
    return Bot(fake.token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot")


async def test_a_whatsapp_voice_note_is_played_on_whatsapp_telegram_and_the_terminal(
    db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "media"
    settings = FlowSettings(media_dir=folder)
    async with graph_channel(db) as (fake, whatsapp), two_channels(db, settings) as bot:
        media_id = fake.media.person_sent(VOICE, "audio/ogg")
        _person, pid = await checks_in_with(bot, "whatsapp", Kind.VOICE, media_id)
        assert (await keeper(db, folder, whatsapp).keep_once()).kept == 1
        office = await office_with_caseworker(bot, "whatsapp", CASEWORKER_WA, pid)

        card = await office.caseworker.presses(f"staff:p:{pid}")
        assert "Dengar/lihat kabar" in [b.title for b in card[-1].buttons]
        [played] = await office.caseworker.presses(f"staff:media:{pid}")
        assert played.media is not None and played.media.content == VOICE
        assert played.text.startswith("Kabar ")

        fake.person_wrote(CASEWORKER_WA)
        sent = await whatsapp.send(CASEWORKER_WA, played)
        assert sent.ok
        audio, caption = await fake.wait_for(CASEWORKER_WA, 2)
        assert audio.kind == "audio" and "caption" not in audio.message["audio"]
        uploaded = fake.media.files[audio.message["audio"]["id"]]
        assert (uploaded.content, uploaded.mime, uploaded.uploaded) == (VOICE, "audio/ogg", True)
        assert caption.kind == "text" and caption.text.startswith("Kabar ")

    async with FakeTelegramAPI() as telegram:
        chat = telegram.user(int(CASEWORKER_TG), first_name="Sari")
        chat.send_text("/start")
        async with bot_for(telegram) as tg:
            assert (await TelegramChannel(tg).send(CASEWORKER_TG, played)).ok
        [voice] = chat.inbox
        assert voice["method"] == "sendVoice" and voice["caption"].startswith("Kabar ")
        _path, content = telegram._files[voice["voice"]["file_id"]]
        assert content == VOICE and not telegram.errors

    out = io.StringIO()
    terminal = ConsoleChannel(out, folder=tmp_path)
    assert (await terminal.send("console", played)).ok
    written = out.getvalue().split("📎 ", 1)[1].split("\n", 1)[0]
    assert _contents(written) == VOICE
    assert await media_views(db) == [("view", pid, "media")]


async def test_a_telegram_voice_note_is_sent_again_by_its_file_id(
    db: Database, settings: FlowSettings
) -> None:
    async with FakeTelegramAPI() as telegram:
        participant = telegram.user(7100, first_name="Yusuf")
        update = participant.voice_update()
        file_id = update["message"]["voice"]["file_id"]
        caseworker = telegram.user(int(CASEWORKER_TG), first_name="Sari")
        caseworker.send_text("/start")
        async with two_channels(db, settings) as bot:
            _person, pid = await checks_in_with(bot, "telegram", Kind.VOICE, file_id)
            office = await office_with_caseworker(bot, "telegram", CASEWORKER_TG, pid)
            [played] = await office.caseworker.presses(f"staff:media:{pid}")
            assert played.media == Media("voice", file_id=file_id)
            async with bot_for(telegram) as tg:
                assert (await TelegramChannel(tg).send(CASEWORKER_TG, played)).ok
                photo_as_voice = Reply("x", media=Media("voice", file_id=_photo_id(telegram)))
                refused = await TelegramChannel(tg).send(CASEWORKER_TG, photo_as_voice)
        [voice] = caseworker.inbox
        assert voice["method"] == "sendVoice" and voice["voice"]["file_id"] == file_id
        assert not refused.ok and "file of type photo as voice" in (refused.error or "").lower()
        # On WhatsApp the caseworker is told where to play it (only Telegram has the file).
        wa = await office_with_caseworker(bot, "whatsapp", CASEWORKER_WA, pid, "Dewi Lestari")
        [told] = await wa.caseworker.presses(f"staff:media:{pid}")
        assert told.media is None and "buka kartunya di Telegram" in told.text
    checkin = await checkin_of(db, pid)
    assert (checkin.media_ref, checkin.media_stored) == (file_id, False)


def _contents(path: str) -> bytes:
    return Path(path).read_bytes()


def _photo_id(telegram: FakeTelegramAPI) -> str:
    update = telegram.user(7200).photo_update()
    return str(update["message"]["photo"][-1]["file_id"])


async def test_a_whatsapp_photo_is_shown_as_an_image_with_its_caption(
    db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "media"
    photo = b"\x89PNG\r\n\x1a\n" + bytes(64)
    async with (
        graph_channel(db) as (fake, whatsapp),
        two_channels(db, FlowSettings(media_dir=folder)) as bot,
    ):
        media_id = fake.media.person_sent(photo, "image/png")
        _person, pid = await checks_in_with(bot, "whatsapp", Kind.PHOTO, media_id)
        assert (await keeper(db, folder, whatsapp).keep_once()).kept == 1
        office = await office_with_caseworker(bot, "whatsapp", CASEWORKER_WA, pid)
        [shown] = await office.caseworker.presses(f"staff:media:{pid}")
        assert shown.media is not None and shown.media.mime == "image/png"
        fake.person_wrote(CASEWORKER_WA)
        assert (await whatsapp.send(CASEWORKER_WA, shown)).ok
        [image] = await fake.wait_for(CASEWORKER_WA, 1)
    assert image.kind == "image" and image.text.startswith("Kabar ")
    assert fake.media.files[image.message["image"]["id"]].content == photo


def test_a_queued_reply_keeps_a_telegram_file_id_but_never_bytes() -> None:
    by_id = Reply("Kabar", media=Media("voice", file_id="AwACAgUAAxkBAAIB"))
    assert reply_from(by_id.text, reply_fields(by_id)).media == by_id.media
    with_bytes = Reply("Kabar", media=Media("voice", content=VOICE, filename="a.ogg"))
    fields = reply_fields(with_bytes)
    assert "OggS" not in repr(fields)
    again = reply_from(with_bytes.text, fields)
    assert again.media is None and "tidak dapat dikirim" in again.text
