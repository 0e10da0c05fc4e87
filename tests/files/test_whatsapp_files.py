"""Files on WhatsApp, through the real channel against the fake Graph API: a reply's document is
uploaded (POST /media) and sent as a `document` message with its caption (a long text or buttons
follow as their own message); a document a person sent is downloaded through its media id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.channels.whatsapp.channel import WhatsAppChannel, db_window
from bot.channels.whatsapp.client import GraphClient
from bot.channels.whatsapp.templates import load_catalogue
from bot.channels.whatsapp.updates import read_delivery
from handlers.files import FileNotFetched, Unfetched
from handlers.types import Attachment, Button, Document, Kind, Reply
from storage.addresses import lock_address
from storage.db import Database
from tests.fakes.whatsapp import FakeGraphAPI, shapes_of
from tests.fakes.whatsapp.webhooks import WhatsAppUser, document, encode

PHONE = "6281234567890"
CATALOGUE = load_catalogue(None)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI(templates=shapes_of(CATALOGUE)) as api:
        yield api


@pytest.fixture
async def channel(fake: FakeGraphAPI, db: Database) -> AsyncIterator[WhatsAppChannel]:
    client = GraphClient(fake.api_url, fake.phone_number_id, fake.token, backoff=0.01)
    yield WhatsAppChannel(client, CATALOGUE, db_window(db))
    await client.aclose()


async def wrote(db: Database, fake: FakeGraphAPI) -> None:
    when = datetime.now(UTC) - timedelta(minutes=5)
    async with db.transaction() as tx:
        row, _conversation = await lock_address(tx, "whatsapp", PHONE, when)
        row.last_inbound_at = when
    fake.person_wrote(PHONE, at=when.timestamp())


async def test_a_document_is_uploaded_and_sent_with_its_caption(
    db: Database, fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    await wrote(db, fake)
    reply = Reply("<b>Laporan</b> impor", document=Document("laporan.xlsx", b"PK\x03\x04", XLSX))
    result = await channel.send(PHONE, reply)
    assert result.ok
    [message] = await fake.wait_for(PHONE, 1)
    assert message.kind == "document"
    sent = message.message["document"]
    assert sent["filename"] == "laporan.xlsx" and sent["caption"] == "*Laporan* impor"
    assert fake.media.files[sent["id"]].content == b"PK\x03\x04"
    assert fake.media.files[sent["id"]].mime == XLSX


async def test_a_csv_goes_as_plain_text_and_buttons_follow_the_file(
    db: Database, fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    await wrote(db, fake)
    reply = Reply(
        "Impor 3 sesi?",
        (Button("Impor", "staff:x:1"), Button("Batal", "staff:x:2")),
        document=Document("laporan.csv", b"baris,masalah\n", "text/csv"),
    )
    result = await channel.send(PHONE, reply)
    assert result.ok
    file_message, question = await fake.wait_for(PHONE, 2)
    assert file_message.kind == "document" and "caption" not in file_message.message["document"]
    assert fake.media.files[file_message.message["document"]["id"]].mime == "text/plain"
    assert question.kind == "interactive" and question.text == "Impor 3 sesi?"


async def test_an_unsupported_type_is_refused_as_meta_refuses_it(
    db: Database, fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    await wrote(db, fake)
    result = await channel.send(PHONE, Reply("x", document=Document("a.bin", b"1", "x/y")))
    assert not result.ok and fake.answers[131053] == 1
    assert fake.messages_to(PHONE) == []


async def test_a_document_a_person_sent_is_downloaded_through_its_media_id(
    fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    media_id = fake.media.person_sent(b"program,date\n", "text/csv", "jadwal.csv")
    user = WhatsAppUser(phone=PHONE, name="Budi")
    delivery = read_delivery(encode(document(user, media_id, "jadwal.csv", "text/csv")))
    [inbound] = delivery.messages
    incoming = inbound.incoming
    assert incoming.kind == Kind.DOCUMENT
    assert incoming.attachment == Attachment(media_id, "jadwal.csv", "text/csv")
    assert fake.media.downloads == []  # nothing until a handler asks
    assert await channel.fetch(incoming.attachment, 1024) == b"program,date\n"
    assert fake.media.downloads == [media_id]
    with pytest.raises(FileNotFetched) as too_large:
        await channel.fetch(incoming.attachment, 5)
    assert too_large.value.reason == Unfetched.TOO_LARGE
    with pytest.raises(FileNotFetched) as gone:
        await channel.fetch(Attachment("4490000000999999"), 1024)
    assert gone.value.reason == Unfetched.GONE
