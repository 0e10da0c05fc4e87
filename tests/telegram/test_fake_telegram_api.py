"""The fake Telegram Bot API, exercised by the real python-telegram-bot over real HTTP: envelopes,
encodings, HTML checks, long polling and the webhook."""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Conflict

from tests.fakes.telegram import FakeTelegramAPI, parse_html
from tests.helpers.fake_telegram import make_bot


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


# --------------------------------------------------------------------------------------
# Basics: envelopes, tokens, methods, parameter encodings
# --------------------------------------------------------------------------------------
async def test_get_me_through_ptb(fake: FakeTelegramAPI) -> None:
    async with make_bot(fake) as bot:
        me = await bot.get_me()
    assert me.is_bot
    assert me.username == "pendamping_test_bot"
    assert me.id == 123456
    assert me.can_join_groups is True
    assert fake.calls[0][0] == "getme"


async def test_envelopes_tokens_and_encodings(fake: FakeTelegramAPI) -> None:
    fake.user(77).text_update("halo")  # the user has talked to the bot
    async with httpx.AsyncClient(base_url=fake.url) as client:
        ok = await client.get(f"/bot{fake.token}/GETME")  # methods are case-insensitive
        assert ok.status_code == 200
        assert ok.json()["ok"] is True
        assert ok.json()["result"]["is_bot"] is True

        wrong = await client.get("/bot999:WRONG/getMe")
        assert wrong.status_code == 401
        assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

        unknown = await client.post(f"/bot{fake.token}/flyToTheMoon")
        assert unknown.status_code == 404
        assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}

        by_query = await client.get(f"/bot{fake.token}/sendMessage?chat_id=77&text=lewat+query")
        by_json = await client.post(
            f"/bot{fake.token}/sendMessage",
            json={"chat_id": 77, "text": "lewat json", "reply_markup": {"remove_keyboard": True}},
        )
        by_form = await client.post(
            f"/bot{fake.token}/sendmessage", data={"chat_id": "77", "text": "lewat form"}
        )
        for response in (by_query, by_json, by_form):
            assert response.status_code == 200, response.text
        assert [m["text"] for m in fake.user(77).inbox] == [
            "lewat query",
            "lewat json",
            "lewat form",
        ]

        not_found = await client.post(
            f"/bot{fake.token}/sendMessage", json={"chat_id": 5, "text": "x"}
        )
        assert not_found.status_code == 400
        assert not_found.json()["description"] == "Bad Request: chat not found"


async def test_text_validation(fake: FakeTelegramAPI) -> None:
    fake.user(5).send_text("halo")
    async with make_bot(fake) as bot:
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(6, "siapa?")
        with pytest.raises(BadRequest, match=r"(?i)text is empty"):
            await bot.send_message(5, "   ")
        with pytest.raises(BadRequest, match=r"(?i)too long"):
            await bot.send_message(5, "a" * 4097)
        # 4096 characters after entity parsing are fine, tags do not count
        await bot.send_message(5, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)Button_data_invalid|BUTTON_DATA_INVALID"):
            await bot.send_message(
                5,
                "pilih",
                reply_markup=InlineKeyboardMarkup(
                    [[InlineKeyboardButton("x", callback_data="x" * 65)]]
                ),
            )
    assert fake.errors[-1][2:] == (400, "Bad Request: BUTTON_DATA_INVALID")


# --------------------------------------------------------------------------------------
# HTML parse mode
# --------------------------------------------------------------------------------------
async def test_invalid_html_is_rejected_like_telegram(fake: FakeTelegramAPI) -> None:
    budi = fake.user(10)
    budi.send_text("halo")
    async with make_bot(fake) as bot:
        for bad, why in [
            ("Nama: <Budi>", 'Unsupported start tag "budi" at byte offset 6'),
            ("a < b", 'Unsupported start tag "" at byte offset 2'),
            ("<b>tebal", "Can't find end tag corresponding to start tag b"),
            (
                "<b><i>x</b></i>",
                'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
            ),
            ("x</b>", "Unexpected end tag at byte offset 1"),
            ('<span class="merah">x</span>', 'Tag "span" must have class "tg-spoiler"'),
            ("AT&T", 'Unescaped "&"'),  # strict mode (default): user text must be escaped
            ("3 > 2", 'Unescaped ">"'),
        ]:
            with pytest.raises(BadRequest) as info:
                await bot.send_message(10, bad, parse_mode="HTML")
            assert why.lower() in str(info.value).lower(), (bad, str(info.value))
            assert fake.errors[-1][3].startswith("Bad Request: can't parse entities: ")

        user_text = "<script>alert('x')</script> & AT&T > 3"
        message = await bot.send_message(
            10, f"<b>Halo</b> {html.escape(user_text)}", parse_mode="HTML"
        )
    assert message.text == f"Halo {user_text}"
    record = await budi.next_message()
    assert record["text"] == f"Halo {user_text}"
    assert record["raw_text"] == f"<b>Halo</b> {html.escape(user_text)}"
    assert record["parse_mode"] == "HTML"
    assert record["entities"] == [{"type": "bold", "offset": 0, "length": 4}]


def test_parse_html_matches_tdlib_cases() -> None:
    assert parse_html("🏟 🏟<i>🏟 &lt🏟</i>") == (
        "🏟 🏟🏟 <🏟",
        [{"type": "italic", "offset": 5, "length": 6}],
    )
    assert parse_html(
        '<a href="t.me/x">tautan</a> <pre><code class="language-python">p</code></pre>'
    )[1] == [
        {"type": "text_link", "offset": 0, "length": 6, "url": "http://t.me/x"},
        {"type": "pre", "offset": 7, "length": 1, "language": "python"},
    ]
    # lenient like Telegram unless strict
    assert parse_html("AT&T &laquo; 3 > 2") == ("AT&T &laquo; 3 > 2", [])


# --------------------------------------------------------------------------------------
# getUpdates: long polling, offsets, allowed_updates, conflicts
# --------------------------------------------------------------------------------------
async def test_long_poll_wakes_immediately_on_push(fake: FakeTelegramAPI) -> None:
    budi = fake.user(20)
    async with make_bot(fake) as bot:
        loop = asyncio.get_running_loop()
        poll = asyncio.create_task(bot.get_updates(timeout=8))
        await fake.wait_for_call("getUpdates")  # the poll is now parked on the server
        assert not poll.done()
        started = loop.time()
        update_id = budi.send_text("halo")
        updates = await poll
        elapsed = loop.time() - started
        # an update-less long poll with timeout 0 returns at once
        assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()
    assert elapsed < 1.0
    assert [u.update_id for u in updates] == [update_id]
    assert updates[0].message is not None
    assert updates[0].message.text == "halo"
    assert updates[0].message.from_user is not None
    assert updates[0].message.from_user.language_code == "id"


async def test_offsets_confirm_updates(fake: FakeTelegramAPI) -> None:
    budi = fake.user(21)
    ids = [budi.send_text(f"pesan {n}") for n in range(4)]
    async with make_bot(fake) as bot:
        first = await bot.get_updates(timeout=0)
        assert [u.update_id for u in first] == ids
        again = await bot.get_updates(timeout=0)  # not confirmed yet: same again
        assert [u.update_id for u in again] == ids
        limited = await bot.get_updates(offset=ids[1], limit=2, timeout=0)
        assert [u.update_id for u in limited] == ids[1:3]
        assert [u["update_id"] for u in fake.pending_updates] == ids[1:]  # ids[0] confirmed
        last = await bot.get_updates(offset=-1, timeout=0)
        assert [u.update_id for u in last] == ids[3:]
        assert await bot.get_updates(offset=ids[3] + 1, timeout=0) == ()
    assert fake.pending_updates == []


async def test_allowed_updates_filter(fake: FakeTelegramAPI) -> None:
    budi = fake.user(22)
    budi.send_text("pesan")
    budi.block_bot()
    async with make_bot(fake) as bot:
        updates = await bot.get_updates(timeout=0, allowed_updates=["my_chat_member"])
        assert [u.my_chat_member is not None for u in updates] == [True]
        budi.send_text("tidak diizinkan")  # not queued while only my_chat_member is allowed
        assert len(fake.dropped_updates) == 1
        await bot.get_updates(timeout=0, allowed_updates=[])  # back to the default set
        budi.send_text("boleh lagi")
        texts = [u.message.text for u in await bot.get_updates(timeout=0) if u.message]
    assert texts == ["boleh lagi"]


async def test_second_get_updates_terminates_the_first(fake: FakeTelegramAPI) -> None:
    # Two bot processes polling with one token (one Bot serialises its own getUpdates calls).
    async with make_bot(fake) as one, make_bot(fake) as two:
        first = asyncio.create_task(one.get_updates(timeout=8))
        await fake.wait_for_call("getUpdates")
        second = asyncio.create_task(two.get_updates(timeout=8))
        await fake.wait_for_call("getUpdates")
        with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates request"):
            await first
        fake.user(23).send_text("halo")
        assert len(await second) == 1


async def test_get_updates_while_webhook_is_set_conflicts(fake: FakeTelegramAPI) -> None:
    async with make_bot(fake) as bot:
        assert await bot.set_webhook(
            "https://bot.example.org/telegram",
            secret_token="rahasia_123",
            allowed_updates=["message", "callback_query"],
        )
        assert fake.webhook == {
            "url": "https://bot.example.org/telegram",
            "secret_token": "rahasia_123",
            "allowed_updates": ["message", "callback_query"],
            "max_connections": 40,
        }
        with pytest.raises(
            Conflict, match=r"(?i)can't use getUpdates method while webhook is active"
        ):
            await bot.get_updates(timeout=0)
        assert fake.errors[-1][2] == 409
        with pytest.raises(BadRequest, match=r"(?i)HTTPS URL must be provided"):
            await bot.set_webhook("http://insecure.example.org/")
        assert await bot.delete_webhook(drop_pending_updates=True)
        assert fake.webhook is None
        assert await bot.get_updates(timeout=0) == ()


async def test_post_webhook_sends_like_telegram(fake: FakeTelegramAPI) -> None:
    received: list[tuple[bytes, bytes]] = []

    async def receiver(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        received.append((head, await reader.readexactly(length)))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(receiver, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        update = fake.user(24).text_update("/start")
        status = await fake.post_webhook(f"http://127.0.0.1:{port}/hook", update, "rahasia")
    finally:
        server.close()
        await server.wait_closed()
    assert status == 200
    head, body = received[0]
    assert b"x-telegram-bot-api-secret-token: rahasia" in head.lower()
    posted = Update.de_json(json.loads(body), None)
    assert posted.message is not None
    assert posted.message.text == "/start"
    assert posted.message.entities[0].type == "bot_command"
