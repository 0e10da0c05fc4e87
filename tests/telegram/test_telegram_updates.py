"""What reaches the bot from Telegram: updates the library cannot read, updates of another bot."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.fakes.telegram import FakeTelegramAPI
from tests.helpers.telegram import running_bot, settings_for

WELCOME = "Apakah Anda setuju?"
# What a person who forwards a poll gives away; none of it may reach a log.
NAME, SURNAME, CHAT_ID, QUESTION = "Wulandari", "Kusumaningtyas", 918273645, "Zulkarnaen ditahan?"


@pytest.fixture(params=["same", "separate"])
def process(request: pytest.FixtureRequest) -> str:
    """python-telegram-bot in the engine's process, or in a courier process of its own."""
    return str(request.param)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


def poll_missing_fields() -> dict[str, Any]:
    """A poll as a newer (or older) Bot API might send it: without fields PTB 22 requires."""
    return {"id": "5550001", "question": QUESTION, "options": [{"text": QUESTION}]}


def unreadable_message(fake: FakeTelegramAPI) -> dict[str, Any]:
    stranger = fake.user(CHAT_ID, first_name=NAME, last_name=SURNAME, username="wulan_k")
    return stranger.message_update(poll=poll_missing_fields())


def logs(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> str:
    """Everything logged: this process's records, and the Telegram process's stderr."""
    return caplog.text + capfd.readouterr().err


def assert_logged_once_without_personal_data(text: str, update_id: int, kind: str) -> None:
    naming = [line for line in text.splitlines() if str(update_id) in line]
    assert len(naming) == 1, text
    assert f"telegram update {update_id} ({kind}) skipped" in naming[0]
    for personal in (NAME, SURNAME, str(CHAT_ID), "wulan_k", QUESTION, "Zulkarnaen"):
        assert personal not in text, f"{personal!r} was logged"


async def test_an_update_the_library_cannot_read_is_skipped_and_logged_by_id_and_type_only(
    fake: FakeTelegramAPI,
    database_url: str,
    process: str,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Regression: PTB failed the whole batch, logged it raw and fetched it again, forever."""
    caplog.set_level(logging.DEBUG)  # "at any log level": nothing of it even at DEBUG
    settings = settings_for(fake, database_url, telegram_process=process, log_level="DEBUG")
    ani, budi = fake.user(601, first_name="Ani"), fake.user(602, first_name="Budi")
    async with running_bot(settings, fake):
        ani.send_text("halo")  # the three arrive in one batch
        bad_id = fake.push_update(unreadable_message(fake))
        budi.send_text("halo")
        assert WELCOME in (await ani.next_message())["text"]
        assert WELCOME in (await budi.next_message())["text"]
        assert WELCOME in (await fake.user(CHAT_ID).next_message())["text"]  # heard, too
        ani.send_text("setuju")  # one more turn: polls after the batch have come and gone
        await ani.next_message()
        assert fake.served[bad_id] == 1  # handed out once: the offset moved past it
        assert bad_id not in [u["update_id"] for u in fake.pending_updates]
    assert_logged_once_without_personal_data(logs(caplog, capfd), bad_id, "message")


async def test_a_participant_whose_message_cannot_be_read_is_told_so(
    fake: FakeTelegramAPI, database_url: str
) -> None:
    wulan = fake.user(CHAT_ID, first_name=NAME)
    async with running_bot(settings_for(fake, database_url), fake):
        wulan.send_text("halo")
        assert WELCOME in (await wulan.next_message())["text"]
        fake.push_update(unreadable_message(fake))
        reply = await wulan.next_message()
        assert reply["text"] == "Maaf, jenis pesan ini belum bisa saya baca."
        assert WELCOME in (await wulan.next_message())["text"]  # and the question again


async def test_a_webhook_update_the_library_cannot_read_is_answered_and_logged_by_id_and_type(
    fake: FakeTelegramAPI,
    database_url: str,
    process: str,
    unused_tcp_port: int,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Answered 200: anything else and Telegram redelivers it, holding up the updates behind."""
    caplog.set_level(logging.DEBUG)
    settings = settings_for(
        fake,
        database_url,
        telegram_process=process,
        log_level="DEBUG",
        telegram_webhook_url="https://bot.example.org/telegram/webhook",
        telegram_webhook_secret="s3cret",
        host="127.0.0.1",
        port=unused_tcp_port,
    )
    url = f"http://127.0.0.1:{unused_tcp_port}/telegram/webhook"
    ani = fake.user(603, first_name="Ani")
    async with running_bot(settings, fake):
        poll = {"update_id": 880001, "poll": poll_missing_fields()}
        assert await fake.post_webhook(url, poll, "s3cret") == 200
        message = unreadable_message(fake)
        assert await fake.post_webhook(url, message, "s3cret") == 200
        assert await fake.post_webhook(url, ani.text_update("halo"), "s3cret") == 200
        assert WELCOME in (await ani.next_message())["text"]
    text = logs(caplog, capfd)
    assert_logged_once_without_personal_data(text, 880001, "poll")
    assert_logged_once_without_personal_data(text, message["update_id"], "message")


async def test_a_new_bot_token_on_the_same_database_answers_update_ids_the_old_bot_used(
    database_url: str,
) -> None:
    """Regression: update ids are counted per bot; a new bot's first ones were taken as resent."""
    async with FakeTelegramAPI(token="111111:FIRST-BOT") as first:
        user = first.user(604)
        async with running_bot(settings_for(first, database_url), first):
            used = user.send_text("halo")
            assert WELCOME in (await user.next_message())["text"]
    async with FakeTelegramAPI(token="222222:SECOND-BOT") as second:
        # Both bots count from the same first id: the new bot's first update has an old id.
        person = second.user(605)
        async with running_bot(settings_for(second, database_url), second):
            assert person.send_text("halo") == used
            assert WELCOME in (await person.next_message())["text"]
