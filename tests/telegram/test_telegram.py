"""The Telegram channel end to end: real python-telegram-bot, over HTTP, against the fake Bot API."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.app import CourierStopped, run
from storage import migrate
from storage.db import Database
from storage.models import Message, Participant
from tests.fakes.telegram import FakeTelegramAPI, FakeUser
from tests.helpers.telegram import replies_until_keyboard, running_bot, settings_for


@pytest.fixture(params=["same", "separate"])
def process(request: pytest.FixtureRequest) -> str:
    """python-telegram-bot in the engine's process, or in a courier process of its own."""
    return str(request.param)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


async def test_sign_up_over_telegram(
    fake: FakeTelegramAPI, database_url: str, process: str
) -> None:
    user = fake.user(501, first_name="Siti", last_name="Aminah")
    async with running_bot(settings_for(fake, database_url, telegram_process=process), fake):
        assert [c["command"] for c in fake.commands[""]][:3] == ["start", "jadwal", "profil"]
        assert fake.commands["en"][0]["description"] == "Start or open the menu"

        user.send_text("/start")
        welcome = await user.next_message()
        assert "Bapas Kelas II Ambon" in welcome["text"] and welcome["parse_mode"] == "HTML"
        user.press("consent:yes")
        assert (await user.answered_callback())["callback_query_id"]
        messages = await replies_until_keyboard(user)
        assert "Boleh saya panggil Anda Siti Aminah?" in messages[-1]["text"]
        user.send_text("iya")
        await replies_until_keyboard(user)
        user.send_sticker()  # in the middle of the questions
        sticker_reply, again = await user.next_message(), await user.next_message()
        assert (
            "Stiker" in sticker_reply["text"]
            and again["text"] == "Mana yang paling menggambarkan Anda?"
        )
        user.press("cat:bapas_client")
        await user.next_message()  # which city?
        user.send_text("ambon 🙏")
        zone = await user.next_message()
        assert "Kota Ambon, Maluku" in zone["text"] and "WIT" in zone["text"]
        user.send_text("betul")
        phone = await user.next_message()
        assert user.reply_keyboard() is not None  # the share-my-number keyboard
        assert phone["reply_markup"]["keyboard"][0][0]["request_contact"] is True
        user.send_contact("6281234567890", own=True)
        thanks = await user.next_message()
        assert "tersimpan" in thanks["text"] and user.reply_keyboard() is None
        interests = await user.next_message()
        user.press("int:legal", message_id=interests["message_id"])
        edited = await user.next_message()
        assert (
            edited["method"] == "editMessageText"
            and edited["message_id"] == interests["message_id"]
        )
        assert "✅ Bantuan hukum" in json.dumps(edited["reply_markup"], ensure_ascii=False)
        user.press("int:done")
        await user.next_message()
        user.press("time:midday")
        discreet = await user.next_message()
        assert "Mode rahasia sedang aktif" in discreet["text"]  # on for a Bapas client
        user.send_text("tidak")  # not turned off
        summary = await user.next_message()
        assert "+62 812-3456-7890" in summary["text"]
        user.send_text("benar")
        done = await user.next_message()
        assert "Pendaftaran Anda selesai" in done["text"]
    db = Database(database_url)  # after the bot stopped: every delivery has been recorded
    async with db.transaction() as tx:
        person = (await tx.execute(select(Participant))).scalar_one()
        statuses = set((await tx.execute(select(Message.status))).scalars())
    await db.dispose()
    assert (person.status, person.name, person.timezone, person.discreet) == (
        "active", "Siti Aminah", "Asia/Jayapura", True,
    )  # fmt: skip
    assert statuses == {"received", "sent"}


async def test_typed_html_is_escaped_before_telegram_sees_it(
    fake: FakeTelegramAPI, database_url: str, process: str
) -> None:
    user = fake.user(502)
    async with running_bot(settings_for(fake, database_url, telegram_process=process), fake):
        user.send_text("halo")
        await user.next_message()
        user.send_text("setuju")
        await replies_until_keyboard(user)
        user.press("name:yes")
        await replies_until_keyboard(user)
        user.press("cat:youth")
        await user.next_message()
        user.send_text("Kampung <b>Zzzqx</b> & sekitarnya")
        assert (await user.next_message())["text"] == "Itu di provinsi mana?"
        user.send_text("maluku")
        reply = await user.next_message()
        # The fake validates HTML like Telegram: unescaped "<b>" or "&" would have been a 400.
        assert "Kampung <b>Zzzqx</b> & sekitarnya" in reply["text"]
        assert not [e for e in fake.errors if e[0] == "sendmessage"]


async def test_buttons_of_an_answered_question_cannot_be_pressed_again(
    fake: FakeTelegramAPI,
    database_url: str,
    process: str,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.INFO)
    user = fake.user(790503117)  # an id no port number or pid in the log can contain
    async with running_bot(settings_for(fake, database_url, telegram_process=process), fake):
        user.send_text("/start")
        consent = await user.next_message()
        assert user.buttons_on(consent["message_id"])
        user.press("consent:yes")
        name_question = (await replies_until_keyboard(user))[-1]
        removed = await fake.wait_for_call("editMessageReplyMarkup")
        assert removed["message_id"] == consent["message_id"]
        assert user.buttons_on(consent["message_id"]) is None  # "Setuju" is gone
        fake.fail_next(  # too old to edit: the buttons stay, and the conversation goes on
            "editMessageReplyMarkup", user.chat_id, 400, "Bad Request: message can't be edited"
        )
        user.press("name:yes")
        category = (await replies_until_keyboard(user))[-1]
        assert "Mana yang paling menggambarkan Anda?" in category["text"]
        await fake.wait_for_call("editMessageReplyMarkup")
        assert user.buttons_on(name_question["message_id"])
    logged = caplog.text + capfd.readouterr().err
    assert "old buttons left in place: BadRequest" in logged
    assert str(user.chat_id) not in logged


async def test_send_refused_with_403_marks_participant_unreachable(
    fake: FakeTelegramAPI, database_url: str, process: str
) -> None:
    user = fake.user(504)
    async with running_bot(settings_for(fake, database_url, telegram_process=process), fake) as db:
        await complete_sign_up(user)
        user.send_text("/start")
        await user.next_message()
        fake.block(user.chat_id)  # blocked between their message and our reply
        user.send_text("/profil")
        await fake.wait_for_call("sendmessage")
        person = await wait_for_status(db, "unreachable")
        assert person.status == "unreachable"
        fake.unblock(user.chat_id)
        user.unblock_bot()
        user.send_text("/start")
        await user.next_message()
        assert (await wait_for_status(db, "active")).status == "active"


async def test_my_chat_member_kicked_marks_unreachable(
    fake: FakeTelegramAPI, database_url: str, process: str
) -> None:
    user = fake.user(505)
    async with running_bot(settings_for(fake, database_url, telegram_process=process), fake) as db:
        await complete_sign_up(user)
        user.block_bot()
        assert (await wait_for_status(db, "unreachable")).status == "unreachable"


async def test_flood_control_429_is_waited_out_and_retried(
    fake: FakeTelegramAPI, database_url: str, process: str
) -> None:
    user = fake.user(506)
    async with running_bot(settings_for(fake, database_url, telegram_process=process), fake):
        fake.fail_next(
            "sendMessage", user.chat_id, 429, "Too Many Requests: retry after 1", retry_after=1
        )
        user.send_text("halo")
        welcome = await user.next_message(timeout=10)
        assert "Apakah Anda setuju?" in welcome["text"]
        assert any(code == 429 for _m, _p, code, _d in fake.errors)


async def test_restart_mid_sign_up_over_telegram(
    fake: FakeTelegramAPI, database_url: str, process: str
) -> None:
    user = fake.user(507, first_name="Rudi")
    settings = settings_for(fake, database_url, telegram_process=process)
    async with running_bot(settings, fake):
        user.send_text("halo")
        await user.next_message()
        user.send_text("setuju")
        await replies_until_keyboard(user)
    async with running_bot(settings, fake):  # a new process on the same database
        user.send_text("iya")
        messages = await replies_until_keyboard(user)
        assert "Senang berkenalan, Rudi" in messages[0]["text"]


async def test_webhook_mode_checks_the_secret_and_ignores_redelivery(
    fake: FakeTelegramAPI, database_url: str, process: str, unused_tcp_port: int
) -> None:
    settings = settings_for(
        fake,
        database_url,
        telegram_process=process,
        telegram_webhook_url="https://bot.example.org/telegram/webhook",
        telegram_webhook_secret="s3cret-token_1",
        host="127.0.0.1",
        port=unused_tcp_port,
    )
    user = fake.user(508)
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram/webhook"
    async with running_bot(settings, fake):
        assert fake.webhook is not None and fake.webhook["secret_token"] == "s3cret-token_1"
        update = user.text_update("halo")
        assert await fake.post_webhook(url, update, "wrong") == 403
        assert await fake.post_webhook(url, update, None) == 403
        assert await fake.post_webhook(url, update, "s3cret-token_1") == 200
        assert "Apakah Anda setuju?" in (await user.next_message())["text"]
        assert await fake.post_webhook(url, update, "s3cret-token_1") == 200  # Telegram resends it
        assert user.pending == []  # ... and it was not answered twice
        assert (
            await fake.post_webhook(url, {"update_id": "x"}, "s3cret-token_1") == 200
        )  # dropped, logged


async def test_the_bot_stops_with_an_error_when_its_telegram_process_dies(
    fake: FakeTelegramAPI, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A supervisor (systemd, Docker) restarts a bot that exits; one that hangs deaf it would not."""
    caplog.set_level(logging.INFO, logger="bot.courier.remote")
    settings = settings_for(fake, database_url, telegram_process="separate")
    db = Database(settings.database_url)
    await migrate.upgrade(db)
    task = asyncio.create_task(run(settings, db, asyncio.Event()))
    await fake.wait_for_call("getupdates", timeout=15)
    started = [r for r in caplog.records if r.getMessage().startswith("telegram process started")]
    pid = int(started[0].getMessage().rsplit("=", 1)[1])
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(CourierStopped, match="exit code -9"):
        await asyncio.wait_for(task, timeout=20)
    await db.dispose()


async def complete_sign_up(user: FakeUser) -> None:
    """The whole sign-up, typed; each input with the number of messages the bot answers it with."""
    script = [("halo", 1), ("setuju", 2), ("ya", 2), ("remaja", 1), ("kota ambon", 1), ("ya", 1),
              ("lewati", 2), ("konseling", 2), ("pagi", 1), ("tidak", 1), ("benar", 1)]  # fmt: skip
    for text, count in script:
        user.send_text(text)
        for _ in range(count):
            last = await user.next_message()
    assert "Pendaftaran Anda selesai" in last["text"]


async def wait_for_status(db: Database, status: str) -> Participant:
    """Poll the database (the change is written by the bot's own task) until the status shows."""
    for _ in range(200):
        async with db.transaction() as tx:
            person = (await tx.execute(select(Participant))).scalar_one()
        if person.status == status:
            return person
        await asyncio.sleep(0.02)
    raise AssertionError(f"the participant's status stayed {person.status!r}, not {status!r}")
