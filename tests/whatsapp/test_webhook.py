"""The WhatsApp webhook: Meta's handshake, signatures, and deliveries stored before the answer
and handled from the store: once each, in order, also after a restart."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.channels.whatsapp.webhook import MAX_BODY, WhatsAppWebhook
from bot.web.server import WebServer
from handlers.flow import FlowSettings
from handlers.types import Reply
from storage.db import Database
from storage.models import DeliveryStatus, Message, WebhookDelivery
from tests.fakes.whatsapp.webhooks import (
    WhatsAppUser,
    combine,
    encode,
    post_delivery,
    sign,
    text,
    wamid_of,
)
from tests.helpers.whatsapp.inbound import (
    SECRET,
    VERIFY_TOKEN,
    count_deliveries,
    free_port,
    handled,
    inbound_bot,
)

BUDI = WhatsAppUser(phone="6281234567890", user_id="ID.1234567890123456")


def asks_consent(replies: list[tuple[str, Reply]]) -> bool:
    return any(b.payload == "consent:yes" for _address, reply in replies for b in reply.buttons)


async def test_meta_handshake_gets_the_challenge_back_only_with_our_verify_token(
    db: Database, settings: FlowSettings
) -> None:
    async with inbound_bot(db, settings) as bot, httpx.AsyncClient() as client:
        good = await client.get(
            bot.url,
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": VERIFY_TOKEN,
                "hub.challenge": "1158201444",
            },
        )
        wrong = await client.get(
            bot.url,
            params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        )
        no_mode = await client.get(
            bot.url, params={"hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"}
        )
    assert (good.status_code, good.text) == (200, "1158201444")
    assert good.headers["content-type"].startswith("text/plain")
    assert (wrong.status_code, no_mode.status_code) == (403, 403)


async def test_unsigned_and_forged_posts_are_refused_and_change_nothing(
    db: Database, settings: FlowSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = encode(text(BUDI, "halo rahasia"))
    async with inbound_bot(db, settings) as bot:
        unsigned = await bot.post(body, secret=None)
        forged = await bot.post(body, secret="not-the-app-secret")
        tampered = await post_delivery(
            bot.url, body.replace(b"rahasia", b"RAHASIA"), None, signature=sign(body, SECRET)
        )
        stored = await count_deliveries(db)
        sent = list(bot.channel.sent)
    assert (unsigned, forged) == (401, 403)
    assert tampered.status_code == 403  # the signature of another body
    assert stored == 0 and sent == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "rahasia" not in logged and BUDI.phone not in logged  # type: ignore[operator]


async def test_a_signed_text_gets_the_consent_question(
    db: Database, settings: FlowSettings
) -> None:
    async with inbound_bot(db, settings) as bot:
        replies = await bot.deliver(text(BUDI, "halo"))
    assert asks_consent(replies)
    assert {address for address, _reply in replies} == {BUDI.user_id}
    assert await count_deliveries(db) == 0  # the raw body is gone once handled


async def test_the_same_delivery_posted_twice_is_answered_once(
    db: Database, settings: FlowSettings
) -> None:
    delivery = encode(text(BUDI, "halo"))
    async with inbound_bot(db, settings) as bot:
        first = await bot.deliver(delivery)
        again = await bot.deliver(delivery)
    assert asks_consent(first)
    assert again == []


async def test_a_message_id_seen_in_another_delivery_changes_nothing(
    db: Database, settings: FlowSettings
) -> None:
    """Meta may resend a message inside a batch of others: only the new one is answered."""
    hello = text(BUDI, "halo")
    siti = WhatsAppUser(phone="6285700001111", name="Siti")
    async with inbound_bot(db, settings) as bot:
        await bot.deliver(hello)
        siti_hello = text(siti, "halo")
        replies = await bot.deliver(combine(siti_hello, hello))
    assert {address for address, _reply in replies} == {siti.phone}
    async with db.transaction() as tx:
        inbound = select(Message.dedupe_key).where(Message.direction == "in")
        keys = sorted((await tx.execute(inbound)).scalars())
    assert keys == sorted(f"whatsapp:{wamid_of(d)}" for d in (hello, siti_hello))


async def test_a_delivery_stored_before_a_restart_is_handled_after_it(
    db: Database, settings: FlowSettings
) -> None:
    """Answered 200 while the engine was not handling (starting up, or about to die): still
    answered once the webhook opens again, in the order the messages came."""
    async with inbound_bot(db, settings, opened=False) as bot:
        assert await bot.post(text(BUDI, "halo")) == 200
        assert await bot.post(text(BUDI, "iya")) == 200
        assert bot.channel.sent == []
    assert await count_deliveries(db, DeliveryStatus.PENDING) == 2
    async with inbound_bot(db, settings) as restarted:
        await handled(db)
        replies = list(restarted.channel.sent)
    assert asks_consent(replies[:1])  # "halo" first: the consent question
    assert replies[1:] and not asks_consent(replies[1:])  # then "iya" answered it
    assert await count_deliveries(db) == 0


async def test_a_signed_body_that_is_no_delivery_is_answered_200_and_recorded_failed_without_it(
    db: Database, settings: FlowSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with inbound_bot(db, settings) as bot:
        status = await bot.post(b"Nomor saya 6281299998888 {not json")
        await handled(db)
        sent = list(bot.channel.sent)
    assert status == 200 and sent == []
    async with db.transaction() as tx:
        rows = list((await tx.execute(select(WebhookDelivery))).scalars())
    assert [(r.status, r.body, r.error) for r in rows] == [
        (DeliveryStatus.FAILED, None, "the body is not JSON")
    ]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "6281299998888" not in logged
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_post_larger_than_any_delivery_is_refused_unread(
    db: Database, settings: FlowSettings
) -> None:
    huge = b"x" * (MAX_BODY + 1)
    async with inbound_bot(db, settings) as bot:
        response = await post_delivery(bot.url, huge, None, signature="sha256=00")
        stored = await count_deliveries(db)
    assert (response.status_code, stored) == (413, 0)


async def test_a_delivery_that_cannot_be_stored_is_answered_503_for_meta_to_resend(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing is acknowledged that was not stored; the database's error, which would quote the
    body, is not logged."""
    caplog.set_level(logging.DEBUG)
    empty = Database(f"sqlite+aiosqlite:///{tmp_path / 'no-tables.db'}")  # never migrated
    webhook = WhatsAppWebhook(empty, SECRET, VERIFY_TOKEN)
    port = free_port()
    try:
        async with WebServer(webhook.routes, "127.0.0.1", port):
            url = f"http://127.0.0.1:{port}/webhooks/whatsapp"
            response = await post_delivery(url, text(BUDI, "rahasia saya"), SECRET)
    finally:
        await empty.dispose()
    assert response.status_code == 503
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "rahasia" not in logged and "whatsapp delivery not stored" in logged
