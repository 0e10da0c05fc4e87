"""The WhatsApp channel against a fake Graph API over HTTP: the 24-hour window, templates,
Meta's errors and limits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.channels.whatsapp.channel import WhatsAppChannel, db_window
from bot.channels.whatsapp.client import GraphClient
from bot.channels.whatsapp.templates import load_catalogue
from bot.outbox.limits import Limiters, Paced
from handlers.types import Button, Reply, Template
from storage.addresses import lock_address
from storage.db import Database
from tests.fakes.whatsapp import FakeGraphAPI, shapes_of

PHONE = "6281234567890"
BSUID = "ID.13491208655302741918"
REMINDER = Reply(
    "Pengingat: <b>Pelatihan</b> besok jam 09.00. Apakah Anda hadir?",
    (Button("Hadir", "rsvp:1:yes"), Button("Tidak bisa", "rsvp:1:no")),
    template=Template("reminder", ("Pelatihan", "besok jam 09.00"), ("rsvp:1:yes", "rsvp:1:no")),
)
CATALOGUE = load_catalogue(None)


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI(templates=shapes_of(CATALOGUE), pair_interval=0.2, pair_burst=3) as api:
        yield api


@pytest.fixture
async def channel(fake: FakeGraphAPI, db: Database) -> AsyncIterator[WhatsAppChannel]:
    client = GraphClient(fake.api_url, fake.phone_number_id, fake.token, backoff=0.01)
    yield WhatsAppChannel(client, CATALOGUE, db_window(db), pair_rate_wait=0.3)
    await client.aclose()


async def wrote(db: Database, fake: FakeGraphAPI, address: str, hours_ago: float) -> None:
    """The person wrote `hours_ago` hours ago, as our database and Meta both saw it."""
    when = datetime.now(UTC) - timedelta(hours=hours_ago)
    async with db.transaction() as tx:
        row, _conversation = await lock_address(tx, "whatsapp", address, when)
        row.last_inbound_at = when
    fake.person_wrote(address, at=when.timestamp())


async def test_a_reply_inside_the_window_is_free_text_with_buttons(
    db: Database, fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    await wrote(db, fake, PHONE, hours_ago=1)
    result = await channel.send(PHONE, REMINDER)
    [message] = await fake.wait_for(PHONE, 1)
    assert result.ok and result.external_id == message.wamid
    assert message.kind == "interactive"
    assert message.text == "Pengingat: *Pelatihan* besok jam 09.00. Apakah Anda hadir?"


async def test_a_reminder_30_hours_after_the_last_message_goes_as_its_template(
    db: Database, fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    await wrote(db, fake, PHONE, hours_ago=30)
    result = await channel.send(PHONE, REMINDER)
    [message] = await fake.wait_for(PHONE, 1)
    assert result.ok and message.kind == "template"
    assert message.message["template"]["name"] == CATALOGUE.spec("reminder").name
    assert fake.answers == {}  # no free text was tried first


async def test_a_person_who_never_wrote_gets_the_template(
    fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    result = await channel.send(PHONE, REMINDER)
    assert result.ok
    assert [m.kind for m in await fake.wait_for(PHONE, 1)] == ["template"]


async def test_free_text_refused_with_131047_is_sent_once_as_the_template(
    db: Database, fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    await wrote(db, fake, PHONE, hours_ago=1)
    fake.person_wrote(PHONE, at=0)  # Meta saw it otherwise: its window is closed
    result = await channel.send(PHONE, REMINDER)
    assert result.ok
    assert fake.answers == {131047: 1}
    assert [m.kind for m in fake.messages_to(PHONE)] == ["template"]


async def test_free_text_refused_with_131047_and_no_template_fails_with_the_reason(
    db: Database, fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    await wrote(db, fake, PHONE, hours_ago=1)
    fake.person_wrote(PHONE, at=0)
    result = await channel.send(PHONE, Reply("Halo"))
    assert not result.ok and not result.unreachable
    assert result.error == "131047 (#131047) Re-engagement message"
    assert fake.messages_to(PHONE) == []


async def test_template_only_sends_the_template_even_inside_the_window(
    db: Database, fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    await wrote(db, fake, PHONE, hours_ago=1)
    assert (await channel.send(PHONE, replace(REMINDER, template_only=True))).ok
    assert [m.kind for m in fake.messages_to(PHONE)] == ["template"]


async def test_an_undeliverable_person_is_marked_unreachable(
    db: Database, fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    await wrote(db, fake, PHONE, hours_ago=1)
    fake.fail_next(131026, recipient=PHONE)
    result = await channel.send(PHONE, Reply("Halo"))
    assert result.unreachable and not result.ok
    assert result.error is not None and result.error.startswith("131026")


async def test_a_business_scoped_user_id_is_sent_as_recipient(
    db: Database, fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    await wrote(db, fake, BSUID, hours_ago=1)
    assert (await channel.send(BSUID, Reply("Halo"))).ok
    [message] = await fake.wait_for(BSUID, 1)
    assert message.message["recipient"] == BSUID and "to" not in message.message
    assert fake.messages_to(PHONE) == []


async def test_throughput_refusal_pauses_the_channel_and_the_message_goes_after_it(
    db: Database, fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    await wrote(db, fake, PHONE, hours_ago=1)
    limiter = Limiters().of("whatsapp")
    paced = Paced(channel, limiter)
    fake.fail_next(130429)
    result = await paced.send(PHONE, Reply("Halo"))
    assert result.ok and result.attempts == 2
    assert fake.answers == {130429: 1}
    assert [m.text for m in fake.messages_to(PHONE)] == ["Halo"]


async def test_throttled_part_way_through_a_long_text_leaves_the_rest_to_send(
    db: Database, channel: WhatsAppChannel
) -> None:
    async with FakeGraphAPI(per_second=1) as slow:  # one message a second, no burst
        client = GraphClient(slow.api_url, slow.phone_number_id, slow.token)
        whatsapp = WhatsAppChannel(client, CATALOGUE, db_window(db))
        await wrote(db, slow, PHONE, hours_ago=1)
        paragraphs = [f"Bagian {n}. " + "Kalimat. " * 400 for n in range(1, 4)]
        result = await whatsapp.send(PHONE, Reply("\n\n".join(paragraphs)))
        await client.aclose()
    assert result.retry_after is not None and result.rest is not None
    [first] = slow.messages_to(PHONE)
    assert first.text.startswith("Bagian 1.")
    assert result.rest.text.startswith("Bagian 2.")


async def test_pair_rate_makes_one_person_wait_not_everyone(db: Database) -> None:
    """131056 concerns one person: their message waits and goes later; nobody else waits."""
    other = "6289999999999"
    async with FakeGraphAPI(pair_interval=1.0, pair_burst=3) as fake:
        client = GraphClient(fake.api_url, fake.phone_number_id, fake.token)
        channel = WhatsAppChannel(client, CATALOGUE, db_window(db), pair_rate_wait=0.6)
        for address in (PHONE, other):
            await wrote(db, fake, address, hours_ago=1)
        for n in range(3):  # the person's burst is used up
            assert (await channel.send(PHONE, Reply(f"pesan {n}"))).ok
        fourth = asyncio.create_task(channel.send(PHONE, Reply("pesan 3")))
        await fake.wait_for_answer(131056)
        assert (await channel.send(other, Reply("untuk orang lain"))).ok
        assert len(fake.messages_to(PHONE)) == 3  # still waiting, while the other got theirs
        assert (await asyncio.wait_for(fourth, 10)).ok
        await client.aclose()
    assert [m.text for m in fake.messages_to(PHONE)] == [f"pesan {n}" for n in range(4)]


async def test_server_errors_are_tried_again(
    db: Database, fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    await wrote(db, fake, PHONE, hours_ago=1)
    fake.fail_next(131000, status=500)
    result = await channel.send(PHONE, Reply("Halo"))
    assert result.ok and result.attempts == 2


async def test_a_request_meta_refuses_is_given_up_with_its_reason(
    db: Database, fake: FakeGraphAPI, channel: WhatsAppChannel
) -> None:
    await wrote(db, fake, PHONE, hours_ago=1)
    too_long = Reply("x", tuple(Button(f"b{n}", f"p{n}") for n in range(2)))
    fake.fail_next(100)
    result = await channel.send(PHONE, too_long)
    assert not result.ok and result.error == "100 (#100) Invalid parameter"
    assert result.retry_after is None and not result.unreachable


async def test_a_wrong_token_is_given_up_without_retrying(db: Database, fake: FakeGraphAPI) -> None:
    await wrote(db, fake, PHONE, hours_ago=1)
    client = GraphClient(fake.api_url, fake.phone_number_id, "wrong", backoff=0.01)
    result = await WhatsAppChannel(client, CATALOGUE, db_window(db)).send(PHONE, Reply("Halo"))
    await client.aclose()
    assert not result.ok and result.attempts == 1
    assert result.error is not None and result.error.startswith("190")


async def test_a_network_failure_is_tried_again_then_reported(db: Database) -> None:
    await wrote(db, FakeGraphAPI(), PHONE, hours_ago=1)
    client = GraphClient("http://127.0.0.1:9", "1", "token", backoff=0.01)  # nothing listens
    result = await WhatsAppChannel(client, CATALOGUE, db_window(db)).send(PHONE, Reply("Halo"))
    await client.aclose()
    assert not result.ok and result.attempts == 3
    assert result.error == "0 network error: ClientConnectorError"


async def test_nothing_personal_is_logged_when_sending_fails(
    db: Database, fake: FakeGraphAPI, channel: WhatsAppChannel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await wrote(db, fake, PHONE, hours_ago=1)
    for code in (131000, 100, 130429):
        fake.fail_next(code, times=3)
        await channel.send(PHONE, Reply("Halo Siti, jadwal Anda besok"))
    assert "131000" in caplog.text  # the failures were logged, by code
    for secret in (PHONE, fake.token, "Siti", "jadwal"):
        assert secret not in caplog.text
