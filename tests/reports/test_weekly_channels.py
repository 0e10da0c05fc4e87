"""The weekly digest through the real channels: on Telegram a photo (sendPhoto) with its text as
the caption; on WhatsApp an uploaded PNG sent as an image message inside the 24 hours, the
"weekly" template outside them, whose "Buka" sends the chart; in the terminal a PNG file."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Bot

from bot.channels.console import ConsoleChannel
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.whatsapp.channel import WhatsAppChannel, db_window
from bot.channels.whatsapp.client import GraphClient
from bot.channels.whatsapp.templates import load_catalogue
from bot.inbox import Inbox
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.limits import ChannelLimits, Limiters
from handlers.reminders.rules import ReminderPolicy
from handlers.reports.planning import plan_weekly
from handlers.types import Document, Kind, Reply
from storage.db import Database
from tests.fakes.channel import CollectingChannel, Person
from tests.fakes.telegram import FakeTelegramAPI
from tests.fakes.whatsapp import FakeGraphAPI, shapes_of
from tests.helpers.reminders import Clock
from tests.helpers.reports import NOW, seeded_month, wrote

MONDAY_7_WIB = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CATALOGUE = load_catalogue(None)


@pytest.fixture
def channel() -> CollectingChannel:
    """The engine's replies (the "Buka" pressed later) go through a collecting "whatsapp" one."""
    return CollectingChannel(name="whatsapp")


def fast() -> Limiters:
    return Limiters(unlisted=ChannelLimits(per_second=10_000, per_chat_interval=0))


async def plan(db: Database) -> None:
    async with db.transaction() as tx:
        await plan_weekly(tx, NOW)


async def test_on_telegram_the_weekly_digest_is_a_photo_with_its_text(db: Database) -> None:
    async with FakeTelegramAPI() as fake:
        admin = fake.user(9001, first_name="Harto")
        admin.send_text("/start")
        caseworker = fake.user(9002, first_name="Rina")
        caseworker.send_text("/start")
        await seeded_month(db, "telegram", addresses=("9001", "9002"))
        await plan(db)
        async with Bot(fake.token, base_url=f"{fake.url}/bot") as bot:
            dispatcher = Dispatcher(
                db, {"telegram": TelegramChannel(bot)}, ReminderPolicy(), limiters=fast(),
                clock=Clock(MONDAY_7_WIB),
            )  # fmt: skip
            assert await dispatcher.run_once() == 2
        for user, whose in ((admin, "seluruh lembaga"), (caseworker, "peserta dampingan Anda")):
            [message] = user.inbox
            assert message["method"] == "sendPhoto"
            assert message["caption"].startswith("Ringkasan mingguan: " + whose)
            assert "Grafik menunjukkan 8 minggu terakhir." in message["caption"]
            _path, content = fake._files[message["photo"][0]["file_id"]]
            assert content.startswith(PNG_SIGNATURE) and len(content) > 10_000


async def test_on_whatsapp_an_image_in_the_window_and_the_template_outside_it(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    away, here = "6281100000001", "6281100000002"
    clock = Clock(MONDAY_7_WIB)
    async with FakeGraphAPI(
        templates=shapes_of(CATALOGUE), clock=lambda: clock().timestamp()
    ) as fake:
        await seeded_month(db, "whatsapp", addresses=(away, here))
        await wrote(db, "whatsapp", away, MONDAY_7_WIB - timedelta(hours=40))
        await wrote(db, "whatsapp", here, MONDAY_7_WIB - timedelta(hours=1))
        fake.person_wrote(here, at=(MONDAY_7_WIB - timedelta(hours=1)).timestamp())
        await plan(db)
        client = GraphClient(fake.api_url, fake.phone_number_id, fake.token, backoff=0.01)
        whatsapp = WhatsAppChannel(client, CATALOGUE, db_window(db), clock=clock)
        try:
            sent = await Dispatcher(
                db, {"whatsapp": whatsapp}, ReminderPolicy(), limiters=fast(), clock=clock
            ).run_once()
        finally:
            await client.aclose()
        assert sent == 2

        [image] = await fake.wait_for(here, 1)
        assert image.kind == "image"
        assert image.text.startswith("*Ringkasan mingguan*: peserta dampingan Anda")
        media = fake.media.files[image.message["image"]["id"]]
        assert media.mime == "image/png" and media.content.startswith(PNG_SIGNATURE)

        [template] = await fake.wait_for(away, 1)
        assert template.kind == "template"
        body = template.message["template"]
        assert body["name"] == "pendamping_ringkasan_mingguan"
        [params, button] = body["components"]
        assert params["parameters"] == [{"type": "text", "text": "8"}]
        payload = button["parameters"][0]["payload"]
        assert payload.startswith("staff:wk:")

    # The admin taps "Buka": the chart and its text come back as a photo reply.
    admin = Person(inbox, channel, address=away)
    [opened] = await admin.sends(
        Kind.BUTTON, payload=payload, received_at=MONDAY_7_WIB + timedelta(hours=2)
    )
    assert opened.text.startswith("<b>Ringkasan mingguan</b>: seluruh lembaga")
    assert opened.document is not None and opened.document.photo
    assert opened.document.content.startswith(PNG_SIGNATURE)


async def test_in_the_terminal_the_chart_is_written_as_a_png_file(tmp_path: Path) -> None:
    out = io.StringIO()
    terminal = ConsoleChannel(out, folder=tmp_path)
    png = PNG_SIGNATURE + b"\x00" * 64
    chart = Document("ringkasan-2026-W50.png", png, "image/png")
    result = await terminal.send("local", Reply("Ringkasan mingguan", document=chart))
    assert result.ok
    assert (tmp_path / "ringkasan-2026-W50.png").read_bytes() == png
    assert f"🖼 {tmp_path / 'ringkasan-2026-W50.png'}" in out.getvalue()
