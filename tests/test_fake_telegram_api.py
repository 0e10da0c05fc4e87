"""The fake Telegram Bot API, exercised by the real python-telegram-bot over real HTTP."""

from __future__ import annotations

import asyncio
import datetime as dtm
import html
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram import FakeTelegramAPI, NoMessageError, parse_html


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


def make_bot(fake: FakeTelegramAPI) -> Bot:
    return Bot(fake.token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot")


def make_app(fake: FakeTelegramAPI) -> Application:  # type: ignore[type-arg]
    return (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(f"{fake.url}/bot")
        .base_file_url(f"{fake.url}/file/bot")
        .build()
    )


@asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Run the application with long polling for the duration of the block."""
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=dtm.timedelta(seconds=10))
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def seconds(value: int | float | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def retry_after_of(exc: RetryAfter) -> float:
    """PTB 22.8 gives an int (deprecated, with a warning) unless PTB_TIMEDELTA is set."""
    return seconds(exc.retry_after)


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


# --------------------------------------------------------------------------------------
# Errors: blocked users, injected failures, flood limits
# --------------------------------------------------------------------------------------
async def test_blocked_user_and_my_chat_member(fake: FakeTelegramAPI) -> None:
    siti = fake.user(30, "Siti")
    siti.send_text("halo")
    async with make_bot(fake) as bot:
        sent = await bot.send_message(30, "sebelum diblokir")
        siti.block_bot()
        with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
            await bot.send_message(30, "sesudah diblokir")
        with pytest.raises(Forbidden):
            await bot.edit_message_text("ubah", chat_id=30, message_id=sent.message_id)
        updates = await bot.get_updates(timeout=0)
        member = updates[-1].my_chat_member
        assert member is not None
        assert member.chat.type == "private"
        assert member.old_chat_member.status == "member"
        assert member.new_chat_member.status == "kicked"
        assert member.new_chat_member.user.id == fake.bot_id
        siti.unblock_bot()
        await bot.send_message(30, "kembali")
    assert fake.errors[0][2:] == (403, "Forbidden: bot was blocked by the user")
    assert [m["text"] for m in siti.inbox] == ["sebelum diblokir", "kembali"]


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fail_next_retry_after_and_targeting(fake: FakeTelegramAPI) -> None:
    fake.user(40).send_text("halo")
    fake.user(41).send_text("halo")
    fake.fail_next(
        "sendMessage", 40, 429, "Too Many Requests: retry after 7", retry_after=7, times=2
    )
    fake.fail_next("SENDMESSAGE", None, 400, "Bad Request: something odd")
    async with make_bot(fake) as bot:
        for _ in range(2):
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(40, "coba")
            assert retry_after_of(info.value) == 7
        with pytest.raises(BadRequest, match=r"(?i)something odd"):
            await bot.send_message(41, "coba")
        await bot.send_message(40, "berhasil")
        await bot.send_message(41, "berhasil")
    assert [m["text"] for m in fake.sent] == ["berhasil", "berhasil"]
    assert [c[0] for c in fake.calls] == ["getme"] + ["sendmessage"] * 5


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_limits(fake: FakeTelegramAPI) -> None:
    async with FakeTelegramAPI(
        flood_limits=True, overall_per_second=3, per_chat_per_second=1
    ) as fl:
        for chat in range(50, 55):
            fl.user(chat).send_text("halo")
        async with make_bot(fl) as bot:
            await bot.send_message(50, "satu")
            with pytest.raises(RetryAfter) as info:
                await bot.send_message(50, "dua")  # per chat: 1/s, burst 1
            assert retry_after_of(info.value) >= 1
            await bot.send_message(51, "a")
            await bot.send_message(52, "b")
            with pytest.raises(RetryAfter):
                await bot.send_message(53, "c")  # overall: 3/s, burst 3
    assert fl.flood_rejections == 2
    assert fl.errors[0][3].startswith("Too Many Requests: retry after ")
    assert fake.flood_rejections == 0


# --------------------------------------------------------------------------------------
# An Application end to end: text, commands, buttons, edits, callback answers
# --------------------------------------------------------------------------------------
async def test_application_round_trip_with_buttons(fake: FakeTelegramAPI) -> None:
    app = make_app(fake)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("Setuju", callback_data="consent:yes")],
                [InlineKeyboardButton("Tidak setuju", callback_data="consent:no")],
            ]
        )
        payload = " ".join(context.args or [])
        await context.bot.send_message(
            update.effective_chat.id, f"Selamat datang {payload}".strip(), reply_markup=keyboard
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Terima kasih")
        await query.edit_message_text(f"Pilihan: {query.data}")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(
            f"Kamu bilang: <i>{html.escape(update.message.text)}</i>",
            parse_mode="HTML",
            reply_markup=ReplyKeyboardMarkup(
                [[KeyboardButton("Bagikan nomor", request_contact=True)]], one_time_keyboard=True
            ),
        )

    async def contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.contact is not None
        own = update.message.contact.user_id == update.effective_user.id  # type: ignore[union-attr]
        await update.message.reply_text(
            f"nomor {update.message.contact.phone_number} milik sendiri: {own}",
            reply_markup=ReplyKeyboardRemove(),
        )

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.CONTACT, contact))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))

    budi = fake.user(60, "Budi", "Santoso")
    async with polling(app):
        budi.send_text("/start@pendamping_test_bot kode123")
        welcome = await budi.next_message()
        assert welcome["text"] == "Selamat datang kode123"
        assert budi.last_keyboard() == [
            [{"text": "Setuju", "callback_data": "consent:yes"}],
            [{"text": "Tidak setuju", "callback_data": "consent:no"}],
        ]

        budi.press("consent:yes")
        answer = await budi.answered_callback()
        assert answer["text"] == "Terima kasih"
        edited = await budi.next_message()
        assert edited["method"] == "editMessageText"
        assert edited["message_id"] == welcome["message_id"]
        assert edited["text"] == "Pilihan: consent:yes"
        assert "reply_markup" not in edited  # edited without markup: the buttons are gone
        with pytest.raises(AssertionError, match=r"(?i)no bot message with an inline keyboard"):
            budi.press("consent:no")

        budi.send_text("saya <Budi> & co")
        echoed = await budi.next_message()
        assert echoed["text"] == "Kamu bilang: saya <Budi> & co"
        assert echoed["reply_markup"]["keyboard"][0][0]["request_contact"] is True
        assert budi.reply_keyboard() is not None

        budi.send_contact("+6281234567890")
        got_contact = await budi.next_message()
        assert got_contact["text"] == "nomor +6281234567890 milik sendiri: True"
        assert budi.reply_keyboard() is None

        with pytest.raises(NoMessageError, match=r"(?i)Kamu bilang"):
            await budi.next_message(timeout=0.05)
    assert [r["method"] for r in budi.inbox] == [
        "sendMessage",
        "editMessageText",
        "sendMessage",
        "sendMessage",
    ]
    assert fake.internal_errors == []


async def test_edit_errors(fake: FakeTelegramAPI) -> None:
    budi = fake.user(61)
    budi.send_text("halo")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    async with make_bot(fake) as bot:
        sent = await bot.send_message(61, "teks", reply_markup=markup)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=61, message_id=sent.message_id + 5)
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text(
                "teks", chat_id=61, message_id=sent.message_id, reply_markup=markup
            )
        with pytest.raises(BadRequest, match=r"(?i)can't be edited"):
            await bot.edit_message_text("x", chat_id=61, message_id=1)  # the user's own message
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_callback_query("123")
        edited = await bot.edit_message_text(
            "teks baru", chat_id=61, message_id=sent.message_id, reply_markup=markup
        )
    assert isinstance(edited, Message)
    assert edited.text == "teks baru"
    assert edited.reply_markup == markup
    assert [r["method"] for r in fake.sent] == ["sendMessage", "editMessageText"]


async def test_set_my_commands(fake: FakeTelegramAPI) -> None:
    async with make_bot(fake) as bot:
        await bot.set_my_commands(
            [BotCommand("bantuan", "Bantuan"), BotCommand("profil", "Profil")]
        )
        await bot.set_my_commands([BotCommand("help", "Help")], language_code="en")
        await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(99))
        with pytest.raises(BadRequest):
            await bot.set_my_commands([BotCommand("Bantuan-Saya", "tidak valid")])
    assert fake.commands == {
        "": [
            {"command": "bantuan", "description": "Bantuan"},
            {"command": "profil", "description": "Profil"},
        ],
        "en": [{"command": "help", "description": "Help"}],
    }
    assert len(fake.scoped_commands) == 3


async def test_media_updates_parse_and_a_document_uploads(fake: FakeTelegramAPI) -> None:
    rina = fake.user(70, "Rina", language_code=None, username="rina_id")
    rina.send_sticker()
    rina.send_photo(caption="foto")
    rina.send_voice()
    rina.send_location(-6.2, 106.8)
    rina.send_document("ktp.pdf", content=b"%PDF-1.7 isi")
    rina.send_contact("08123", own=False)
    async with make_bot(fake) as bot:
        messages = [u.message for u in await bot.get_updates(timeout=0) if u.message is not None]
        sticker, photo, voice, location, document, contact = messages
        assert sticker.sticker is not None
        assert photo.photo[-1].width == 1280 and photo.caption == "foto"
        assert voice.voice is not None and voice.voice.mime_type == "audio/ogg"
        assert location.location is not None and location.location.latitude == -6.2
        assert contact.contact is not None and contact.contact.user_id is None
        assert document.document is not None and document.document.file_name == "ktp.pdf"
        # a bot upload travels as multipart/form-data
        sent = await bot.send_document(
            70, b"laporan", filename="laporan.txt", caption="<b>Laporan</b>", parse_mode="HTML"
        )
        assert sent.caption == "Laporan"
        assert sent.document is not None and sent.document.file_name == "laporan.txt"
    assert sticker.from_user is not None and sticker.from_user.username == "rina_id"
    assert rina.inbox[-1]["method"] == "sendDocument"


async def test_a_method_the_bot_never_calls_is_not_found(fake: FakeTelegramAPI) -> None:
    """Only what the bot uses is implemented: an unknown method answers 404, as Telegram does."""
    async with make_bot(fake) as bot:
        with pytest.raises(InvalidToken, match="Not Found"):  # PTB's reading of a 404
            await bot.get_webhook_info()
    assert fake.errors[-1][:3] == ("getwebhookinfo", {}, 404)


async def test_uvicorn_backend_round_trip() -> None:
    async with FakeTelegramAPI(backend="uvicorn") as fake:
        budi = fake.user(80)
        async with make_bot(fake) as bot:
            poll = asyncio.create_task(bot.get_updates(timeout=8))
            await fake.wait_for_call("getUpdates")
            budi.send_text("halo")
            (update,) = await poll
            assert update.message is not None
            await bot.send_message(80, f"balas {update.message.text}")
            with pytest.raises(InvalidToken, match="was rejected by the server"):
                async with Bot("1:WRONG", base_url=f"{fake.url}/bot"):
                    pass
        assert (await budi.next_message())["text"] == "balas halo"
