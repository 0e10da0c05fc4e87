"""PTB's HTTP layer on aiohttp (`bot.channels.telegram.request`): JSON calls, uploads, timeouts, dead servers."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.channels.telegram.request import AiohttpRequest
from tests.fakes.telegram import FakeTelegramAPI


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


def bot_at(url: str, token: str = "123456:TEST", **timeouts: float) -> Bot:
    return Bot(token, base_url=f"{url}/bot", request=AiohttpRequest(**timeouts))


async def test_messages_with_keyboards_and_html_reach_telegram(fake: FakeTelegramAPI) -> None:
    budi = fake.user(1001, "Budi")
    budi.send_text("/start")  # a bot can only write to someone who wrote to it first
    async with bot_at(fake.url) as bot:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Hadir", callback_data="rsvp:1")]])
        message = await bot.send_message(
            budi.chat_id, "Halo <b>Budi</b> &amp; keluarga", parse_mode="HTML", reply_markup=markup
        )
    received = await budi.next_message()
    assert received["text"] == "Halo Budi & keluarga"
    assert received["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "rsvp:1"
    assert message.message_id == received["message_id"]


async def test_telegram_errors_keep_their_meaning(fake: FakeTelegramAPI) -> None:
    budi = fake.user(1001, "Budi")
    budi.send_text("/start")  # a bot can only write to someone who wrote to it first
    async with bot_at(fake.url) as bot:
        with pytest.raises(BadRequest, match="parse entities"):
            await bot.send_message(budi.chat_id, "<b>unclosed", parse_mode="HTML")


async def test_a_file_is_uploaded_as_multipart(fake: FakeTelegramAPI) -> None:
    budi = fake.user(1001, "Budi")
    budi.send_text("/start")  # a bot can only write to someone who wrote to it first
    data = b"id,nama\n1,Budi\n"
    async with bot_at(fake.url) as bot:
        await bot.send_document(
            budi.chat_id, data, filename="peserta.csv", caption="Data <i>Anda</i>"
        )
    received = await budi.next_message()
    assert received["document"]["file_name"] == "peserta.csv"
    assert received["document"]["file_size"] == len(data)
    assert received["caption"] == "Data <i>Anda</i>"


async def test_a_server_that_never_answers_times_out() -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def silent(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # read nothing, answer nothing

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        bot = bot_at(f"http://127.0.0.1:{port}", read_timeout=0.3, write_timeout=0.3)
        await bot.request.initialize()  # type: ignore[attr-defined]
        try:
            with pytest.raises(TimedOut):
                await bot.get_me()
        finally:
            await bot.request.shutdown()  # type: ignore[attr-defined]
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_no_server_at_all_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = bot_at(f"http://127.0.0.1:{port}")
    await bot.request.initialize()  # type: ignore[attr-defined]
    try:
        with pytest.raises(NetworkError):
            await bot.get_me()
    finally:
        await bot.request.shutdown()  # type: ignore[attr-defined]
