"""The worker behind the webhook: a delivery whose handling fails is tried again without repeating
what was done, and given up on (without its body) after a few tries; one held by a worker that
died is taken over; several workers share the store; failed ones go in time."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.channels.protocol import Receive
from handlers.flow import FlowSettings
from handlers.types import Incoming
from storage.db import Database
from storage.deliveries import claim_deliveries, fail_delivery, store_delivery
from storage.models import DeliveryStatus, WebhookDelivery
from storage.retention import apply_retention
from tests.fakes.whatsapp.webhooks import WhatsAppUser, combine, text, wamid_of
from tests.helpers.whatsapp.inbound import handled, inbound_bot

BUDI = WhatsAppUser(phone="6281234567890", name="Budi")
SITI = WhatsAppUser(phone="6285700001111", name="Siti")
FAST = (0.05, 0.05)  # seconds between tries


def failing(keys: dict[str, int]) -> Callable[[Receive], Receive]:
    """The engine raises for these messages, as many times as given (the text names a person,
    as a real error's might)."""

    def wrap(receive: Receive) -> Receive:
        async def flaky(incoming: Incoming) -> object:
            if keys.get(incoming.dedupe_key or "", 0) > 0:
                keys[incoming.dedupe_key or ""] -= 1
                raise RuntimeError(f"cannot handle the message of {incoming.address}")
            return await receive(incoming)

        return flaky

    return wrap


async def test_a_delivery_failing_half_way_is_resumed_without_answering_twice(
    db: Database, settings: FlowSettings
) -> None:
    budi, siti = text(BUDI, "halo"), text(SITI, "halo")
    wrap = failing({f"whatsapp:{wamid_of(siti)}": 1})
    async with inbound_bot(db, settings, receive=wrap, retry_delays=FAST) as bot:
        replies = await bot.deliver(combine(budi, siti))
    addresses = [address for address, _reply in replies]
    assert addresses.count(BUDI.phone) == 1  # Budi's message was handled before the failure
    assert addresses.count(SITI.phone) == 1  # Siti's on the second try
    async with db.transaction() as tx:
        assert list((await tx.execute(select(WebhookDelivery))).scalars()) == []


async def test_a_delivery_failing_every_time_is_given_up_on_without_its_body(
    db: Database, settings: FlowSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    budi = text(BUDI, "nomor saya 6281234567890")
    tries = {f"whatsapp:{wamid_of(budi)}": 10}
    async with inbound_bot(db, settings, receive=failing(tries), retry_delays=FAST) as bot:
        assert await bot.post(budi) == 200
        await handled(db)
        sent = list(bot.channel.sent)
    assert sent == [] and tries[f"whatsapp:{wamid_of(budi)}"] == 7  # three tries
    async with db.transaction() as tx:
        rows = list((await tx.execute(select(WebhookDelivery))).scalars())
    assert [(r.status, r.body, r.attempts, r.error) for r in rows] == [
        (DeliveryStatus.FAILED, None, 3, "handling raised RuntimeError")
    ]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "6281234567890" not in logged
    assert [r.levelname for r in caplog.records if "given up" in r.getMessage()] == ["ERROR"]


@pytest.mark.parametrize(
    ("holder", "lease"),
    [
        # kill -9, and the bot restarted on the same machine (a container's first process gets
        # the same process id again): taken over at once, though its lease has an hour to run.
        (f"{socket.gethostname()[:40]}:{os.getpid()}:deadbeef", timedelta(hours=1)),
        # a process on another machine that stopped answering: taken once its lease runs out.
        ("another-machine:4242:0badcafe", timedelta(milliseconds=300)),
    ],
    ids=["restarted on this machine", "gone on another machine"],
)
async def test_a_delivery_held_by_a_worker_that_died_is_handled_by_the_next(
    db: Database, settings: FlowSettings, holder: str, lease: timedelta
) -> None:
    async with inbound_bot(db, settings, opened=False) as bot:
        assert await bot.post(text(BUDI, "halo")) == 200
    async with db.transaction() as tx:
        (_held,) = await claim_deliveries(tx, "whatsapp", holder, datetime.now(UTC), lease, 10)
    async with inbound_bot(db, settings) as restarted:
        await handled(db)
        replies = list(restarted.channel.sent)
    assert [address for address, _reply in replies] == [BUDI.phone]


async def test_two_workers_on_one_database_handle_each_delivery_once(
    db: Database, settings: FlowSettings
) -> None:
    people = [WhatsAppUser(phone=f"62812000000{n:02d}") for n in range(12)]
    async with inbound_bot(db, settings) as first, inbound_bot(db, settings) as second:
        for n, person in enumerate(people):
            assert await (first if n % 2 else second).post(text(person, "halo")) == 200
        await handled(db)
        answered = [address for address, _reply in first.channel.sent + second.channel.sent]
    assert sorted(answered) == sorted(p.phone for p in people if p.phone)


async def test_retention_deletes_failed_deliveries_after_a_month_and_keeps_no_body(
    db: Database,
) -> None:
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    async with db.transaction() as tx:
        old = await store_delivery(tx, "whatsapp", b'{"a": 1}', now - timedelta(days=40))
        await fail_delivery(tx, old, "the body is not JSON", now - timedelta(days=40))
        recent = await store_delivery(tx, "whatsapp", b'{"b": 2}', now - timedelta(days=1))
        await fail_delivery(tx, recent, "the body is not JSON", now - timedelta(days=1))
        # as an older version might have left one: failed, with its body
        leftover = await store_delivery(tx, "whatsapp", b"nomor 6281234567890", now)
        await tx.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == leftover)
            .values(status=DeliveryStatus.FAILED, failed_at=now)
        )
        pending = await store_delivery(tx, "whatsapp", b'{"c": 3}', now)
    async with db.transaction() as tx:
        purged = await apply_retention(tx, now)
    async with db.transaction() as tx:
        rows = (await tx.execute(select(WebhookDelivery).order_by(WebhookDelivery.id))).scalars()
        left = [(row.id, row.body) for row in rows]
    assert purged.deliveries == 1
    assert left == [(recent, None), (leftover, None), (pending, b'{"c": 3}')]
