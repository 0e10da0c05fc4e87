"""Files on Telegram, through the real channel against the fake Bot API: a reply's document goes
as sendDocument with the text as its caption (a text too long for a caption follows as a message),
and a document a person sent is fetched with getFile and its download, within a size limit."""

from __future__ import annotations

import pytest
from telegram import Bot, Update

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.updates import to_incoming
from handlers.files import FileNotFetched, Unfetched
from handlers.types import Attachment, Button, Document, Kind, Reply
from tests.fakes.telegram import FakeTelegramAPI

CSV = Document("laporan.csv", b"baris,masalah\n3,tanggal\n", "text/csv")


def bot_for(fake: FakeTelegramAPI) -> Bot:
    return Bot(fake.token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot")


async def test_a_document_goes_with_its_caption_and_buttons() -> None:
    async with FakeTelegramAPI() as fake:
        admin = fake.user(7001, first_name="Budi")
        admin.send_text("/start")
        async with bot_for(fake) as bot:
            channel = TelegramChannel(bot)
            reply = Reply("<b>Laporan</b> impor", (Button("Impor", "staff:x:1"),), document=CSV)
            sent = await channel.send(str(admin.chat_id), reply)
        assert sent.ok
        [message] = admin.inbox
        assert message["method"] == "sendDocument"
        assert message["document"]["file_name"] == "laporan.csv"
        assert message["caption"] == "Laporan impor"
        assert message["reply_markup"]["inline_keyboard"][0][0]["text"] == "Impor"
        file_id = message["document"]["file_id"]
        _path, content = fake._files[file_id]
        assert content == CSV.content


async def test_a_text_too_long_for_a_caption_follows_the_file() -> None:
    long_text = "\n".join(f"baris {n}: tanggal tidak terbaca" for n in range(60))
    assert len(long_text) > 1024
    async with FakeTelegramAPI() as fake:
        admin = fake.user(7001, first_name="Budi")
        admin.send_text("/start")
        async with bot_for(fake) as bot:
            sent = await TelegramChannel(bot).send(
                str(admin.chat_id), Reply(long_text, (Button("Batal", "staff:x:2"),), document=CSV)
            )
        assert sent.ok
        file_message, text_message = admin.inbox
        assert file_message["method"] == "sendDocument" and "caption" not in file_message
        assert text_message["text"] == long_text
        assert text_message["reply_markup"]["inline_keyboard"][0][0]["text"] == "Batal"
        assert not fake.errors


async def test_a_document_a_person_sent_is_fetched_once_asked_for() -> None:
    async with FakeTelegramAPI() as fake:
        admin = fake.user(7001, first_name="Budi")
        update = admin.document_update("jadwal.csv", "text/csv", b"program,date\n")
        async with bot_for(fake) as bot:
            incoming = to_incoming(Update.de_json(update, bot), bot.id)
            assert incoming is not None and incoming.kind == Kind.DOCUMENT
            attachment = incoming.attachment
            assert attachment is not None
            assert (attachment.filename, attachment.mime, attachment.size) == (
                "jadwal.csv",
                "text/csv",
                len(b"program,date\n"),
            )
            assert not fake.downloads  # nothing is downloaded until a handler asks
            channel = TelegramChannel(bot)
            assert await channel.fetch(attachment, 1024) == b"program,date\n"
            assert len(fake.downloads) == 1

            with pytest.raises(FileNotFetched) as too_large:
                await channel.fetch(attachment, 5)
            assert too_large.value.reason == Unfetched.TOO_LARGE
            with pytest.raises(FileNotFetched) as gone:
                await channel.fetch(Attachment("BQACAgUAAxkBnotthere"), 1024)
            assert gone.value.reason == Unfetched.GONE
