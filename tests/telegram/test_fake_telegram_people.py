"""The fake Telegram Bot API's people, errors and a whole application over real HTTP: blocked
users, injected failures, flood limits, buttons, edits, commands and media."""

from __future__ import annotations

import asyncio
import html
from collections.abc import AsyncIterator

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
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram import FakeTelegramAPI, NoMessageError
from tests.helpers.fake_telegram import make_app, make_bot, polling, retry_after_of


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


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
