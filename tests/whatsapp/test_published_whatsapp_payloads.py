"""Real WhatsApp deliveries published by others, posted signed to the running webhook.

The payloads live in `../shared/payloads/whatsapp` beside the checkout (never copied into the
project). A newcomer's clone may not have them: the test then skips, but under `.ci/run` (which
sets `PENDAMPING_REQUIRE_PAYLOADS=1`) a missing folder is a failure. The real captured delivery
(`*.body`) is posted byte for byte with the signature Meta's test gave it, checked against the
app secret published with it.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest

from handlers.flow import FlowSettings
from handlers.i18n import LANGUAGES, _, use_language
from storage.db import Database
from storage.models import DeliveryStatus
from tests.fakes.whatsapp.webhooks import post_delivery
from tests.helpers.paths import PAYLOADS as SHARED_PAYLOADS
from tests.helpers.whatsapp.inbound import SECRET, count_deliveries, handled, inbound_bot

PAYLOADS = SHARED_PAYLOADS / "whatsapp"
REQUIRED = os.environ.get("PENDAMPING_REQUIRE_PAYLOADS") == "1"
MISSING = Path("payloads-missing")
PRETTY_COPY = "pywa_signed_text_message_il_sender_to_us_business.json"  # not byte-exact
NOT_ANSWERED = {"reaction", "revoke"}  # a reaction or a deletion expects no reply


def payload_files() -> list[Path]:
    if not PAYLOADS.is_dir():
        return [MISSING]
    files = [p for p in PAYLOADS.glob("*.json") if p.name != PRETTY_COPY]
    files = [p for p in files if not p.name.endswith(".signature.json")]
    return sorted(files) + sorted(PAYLOADS.glob("*.body"))


def signed(path: Path) -> tuple[bytes, str, str]:
    """The body, the app secret and the X-Hub-Signature-256 header to post it with."""
    body = path.read_bytes()
    if path.suffix != ".body":
        return body, SECRET, ""
    meta = json.loads(path.with_name(path.stem + ".signature.json").read_text(encoding="utf-8"))
    return body, str(meta["app_secret"]), str(meta["header_value"])


def message_types(body: bytes) -> list[str]:
    data: dict[str, Any] = json.loads(body)
    return [
        str(message.get("type"))
        for entry in data.get("entry", [])
        for change in entry.get("changes", [])
        for message in change.get("value", {}).get("messages", [])
    ]


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
    """Guards the test below against passing on nothing: the folder holds WhatsApp payloads."""
    if not PAYLOADS.is_dir():
        message = f"published payloads not found at {PAYLOADS} (clone 'shared' beside the checkout)"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    files = payload_files()
    assert len(files) >= 25, files
    assert [p.name for p in files if p.suffix == ".body"], "the real signed delivery is missing"


@pytest.mark.parametrize("path", payload_files(), ids=lambda p: p.name)
async def test_a_published_whatsapp_delivery_is_handled_without_error_or_apology(
    path: Path, db: Database, settings: FlowSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """Answered 200, handled from the store, nothing logged as an error, no "something went
    wrong"; a person who wrote gets an answer (unless they reacted or deleted), and a delivery of
    statuses or Meta's errors only is answered to nobody."""
    if path == MISSING:
        message = f"published payloads not found at {PAYLOADS}"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    body, secret, header = signed(path)
    caplog.set_level(logging.INFO)
    async with inbound_bot(db, settings, app_secret=secret) as bot:
        response = await post_delivery(bot.url, body, secret, signature=header or None)
        await handled(db)
        sent = list(bot.channel.sent)
    assert response.status_code == 200
    assert await count_deliveries(db, DeliveryStatus.FAILED) == 0
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == [], failures
    texts = [reply.text for _address, reply in sent]
    assert not APOLOGY & set(texts), texts
    types = message_types(body)
    if not types:  # statuses, or Meta's own errors: nobody to answer
        assert sent == [], texts
        return
    assert len({address for address, _reply in sent}) <= 1, "only the sender is answered"
    if set(types) - NOT_ANSWERED:
        assert sent, "the person who wrote got no answer"
    if "text" in types:
        assert not CANNOT_READ & set(texts), texts
