"""Real Telegram payloads published by others, posted to the running bot's webhook.

The payloads live in `../shared/payloads` beside the checkout. A newcomer's clone may not have
them: the test then skips, but under `.ci/run` (which sets `PENDAMPING_REQUIRE_PAYLOADS=1`) a
missing folder is a failure.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from handlers.i18n import LANGUAGES, _, use_language
from tests.fakes.telegram import FakeTelegramAPI
from tests.helpers.paths import PAYLOADS
from tests.helpers.telegram import running_bot, settings_for

REQUIRED = os.environ.get("PENDAMPING_REQUIRE_PAYLOADS") == "1"
SECRET = "s3cret"
MISSING = Path("payloads-missing")


def payload_files() -> list[Path]:
    return sorted(PAYLOADS.glob("telegram/*.json")) if PAYLOADS.is_dir() else [MISSING]


def as_update(path: Path) -> dict[str, Any]:
    """The file as Telegram would post it: a bare Message or CallbackQuery wrapped in an Update."""
    data: dict[str, Any] = json.loads(path.read_bytes().decode("utf-8"))
    if "update_id" not in data:
        key = "callback_query" if "chat_instance" in data or "data" in data else "message"
        data = {"update_id": 900, key: data}
    return data


def private_sender(update: dict[str, Any]) -> int | None:
    """The private chat a person wrote or pressed in (the bot owes them an answer), else None."""
    message = update.get("message")
    query = update.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message")
    if not isinstance(message, dict) or message.get("chat", {}).get("type") != "private":
        return None
    return int(message["chat"]["id"])


def library_reads(update: dict[str, Any]) -> bool:
    try:
        Update.de_json(update, None)  # type: ignore[arg-type]
    except Exception:
        return False
    return True


def texts_in_every_language(source: str) -> set[str]:
    found = set()
    for language in LANGUAGES:
        with use_language(language):
            found.add(_(source))
    return found


APOLOGY = texts_in_every_language(
    "Sorry, something went wrong on our side. Please try again in a moment."
)
CANNOT_READ = texts_in_every_language("Sorry, I can't read this kind of message.")


def test_the_published_payloads_are_there() -> None:
    """Guards the test below against passing on nothing: the folder holds Telegram payloads."""
    if not PAYLOADS.is_dir():
        message = f"published payloads not found at {PAYLOADS} (clone 'shared' beside the checkout)"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    assert len(payload_files()) >= 10, payload_files()


@pytest.mark.parametrize("path", payload_files(), ids=lambda p: p.name)
async def test_a_published_telegram_payload_is_handled_without_error_or_apology(
    path: Path,
    database_url: str,
    unused_tcp_port: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Answered 200, nothing logged as an error, no "something went wrong"; a person who wrote
    in a private chat gets an answer there, and nobody else gets anything."""
    if path == MISSING:
        message = f"published payloads not found at {PAYLOADS}"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    update = as_update(path)
    sender = private_sender(update)
    caplog.set_level(logging.INFO)
    async with FakeTelegramAPI() as fake:
        settings = settings_for(
            fake,
            database_url,
            telegram_process="same",  # every log record in this process, where caplog sees it
            telegram_webhook_url="https://bot.example.org/telegram/webhook",
            telegram_webhook_secret=SECRET,
            host="127.0.0.1",
            port=unused_tcp_port,
        )
        url = f"http://127.0.0.1:{unused_tcp_port}/telegram/webhook"
        async with running_bot(settings, fake):
            status = await fake.post_webhook(url, update, SECRET)
            # The webhook answers once the update is handled and its replies are sent.
            sent = list(fake.sent)
            # Answering a press and taking old buttons off are best effort (a press on a message
            # older than 48 hours can do neither); what the person should read must arrive.
            errors = [e for e in fake.errors if e[0].startswith("send")]

    assert status == 200
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == [], failures
    assert errors == [], errors  # every message the bot sent was one Telegram accepts
    texts = [message.get("text", "") for message in sent]
    assert not APOLOGY & set(texts), texts
    if sender is None:  # a group, an edited message, a blocked bot: nobody to answer
        assert sent == [], texts
        return
    assert sent, "the person who wrote got no answer"
    assert {message["chat"]["id"] for message in sent} == {sender}
    if library_reads(update):  # a message the bot can read is answered for what it is
        assert not CANNOT_READ & set(texts), texts
