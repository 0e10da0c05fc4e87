"""One WhatsApp address per person, whether Meta names them by phone, by BSUID, or both."""

from __future__ import annotations

import logging

import pytest

from handlers.flow import FlowSettings
from handlers.types import Reply
from storage.db import Database
from storage.models import Participant
from tests.fakes.channel import Person
from tests.fakes.whatsapp.webhooks import WhatsAppUser, button_reply, text
from tests.helpers.signup import sign_up
from tests.helpers.whatsapp.inbound import count_deliveries, inbound_bot, whatsapp_addresses

PHONE = "6281234567890"
BSUID = "ID.1234567890123456"


def asks_consent(replies: list[tuple[str, Reply]]) -> bool:
    return any(b.payload == "consent:yes" for _address, reply in replies for b in reply.buttons)


async def test_a_bsuid_only_sender_is_answered_at_their_bsuid(
    db: Database, settings: FlowSettings
) -> None:
    async with inbound_bot(db, settings) as bot:
        replies = await bot.deliver(text(WhatsAppUser(user_id=BSUID), "halo"))
    assert asks_consent(replies)
    assert {address for address, _reply in replies} == {BSUID}
    assert [(a.value, a.alias) for a in await whatsapp_addresses(db)] == [(BSUID, None)]


async def test_a_phone_only_sender_is_answered_at_their_number(
    db: Database, settings: FlowSettings
) -> None:
    async with inbound_bot(db, settings) as bot:
        replies = await bot.deliver(text(WhatsAppUser(phone=PHONE), "halo"))
    assert asks_consent(replies)
    assert {address for address, _reply in replies} == {PHONE}
    assert [(a.value, a.alias) for a in await whatsapp_addresses(db)] == [(PHONE, None)]


async def test_a_person_first_known_by_phone_stays_one_person_when_their_bsuid_appears(
    db: Database, settings: FlowSettings
) -> None:
    """Their conversation goes on: the second message answers the consent question the first
    one got, and a later BSUID-only message reaches the same address."""
    async with inbound_bot(db, settings) as bot:
        first = await bot.deliver(text(WhatsAppUser(phone=PHONE), "halo"))
        second = await bot.deliver(text(WhatsAppUser(phone=PHONE, user_id=BSUID), "iya"))
        third = await bot.deliver(text(WhatsAppUser(user_id=BSUID), "ya"))
    assert asks_consent(first)
    assert second and not asks_consent(second)
    assert third and not asks_consent(third)
    assert {address for address, _reply in first + second + third} == {PHONE}
    assert [(a.value, a.alias) for a in await whatsapp_addresses(db)] == [(PHONE, BSUID)]


async def test_a_person_first_known_by_bsuid_keeps_their_address_when_their_phone_appears(
    db: Database, settings: FlowSettings
) -> None:
    async with inbound_bot(db, settings) as bot:
        await bot.deliver(text(WhatsAppUser(user_id=BSUID), "halo"))
        later = await bot.deliver(text(WhatsAppUser(phone=PHONE, user_id=BSUID), "iya"))
        by_phone = await bot.deliver(text(WhatsAppUser(phone=PHONE), "ya"))
    assert {address for address, _reply in later + by_phone} == {BSUID}
    assert [(a.value, a.alias) for a in await whatsapp_addresses(db)] == [(BSUID, PHONE)]


async def test_two_addresses_found_to_be_one_person_become_the_one_with_the_participant(
    db: Database, settings: FlowSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """Signed up by BSUID; a phone-only message made a second address (it got the consent
    question); a delivery with both shows they are one person: the signed-up address stays."""
    caplog.set_level(logging.INFO)
    async with inbound_bot(db, settings) as bot:
        await sign_up(Person(bot.inbox, bot.channel, BSUID, "Budi Santoso"))
        stranger = await bot.deliver(text(WhatsAppUser(phone=PHONE), "halo"))
        both = await bot.deliver(text(WhatsAppUser(phone=PHONE, user_id=BSUID), "jadwal"))
    assert asks_consent(stranger)
    assert both and not asks_consent(both)
    assert {address for address, _reply in both} == {BSUID}
    addresses = await whatsapp_addresses(db)
    assert [(a.value, a.alias) for a in addresses] == [(BSUID, PHONE)]
    async with db.transaction() as tx:
        participant = await tx.get(Participant, addresses[0].participant_id)
        assert participant is not None and participant.registered_at is not None
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "merged" in logged and PHONE not in logged and BSUID not in logged


async def test_erasure_leaves_neither_identifier_nor_raw_delivery(
    db: Database, settings: FlowSettings
) -> None:
    """After /hapus, no address holds the phone or the BSUID, and no delivery body is kept."""
    both = WhatsAppUser(phone=PHONE, user_id=BSUID, name="Budi Santoso")
    async with inbound_bot(db, settings) as bot:
        await bot.deliver(text(both, "halo"))
        await sign_up(Person(bot.inbox, bot.channel, BSUID, "Budi Santoso"))
        assert [(a.value, a.alias) for a in await whatsapp_addresses(db)] == [(BSUID, PHONE)]
        await bot.deliver(text(both, "/hapus"))
        replies = await bot.deliver(button_reply(both, "erase:yes", "Ya", context_id="wamid.X"))
        await bot.inbox.flush()
    assert "dihapus" in replies[-1][1].text
    assert await whatsapp_addresses(db) == []
    assert await count_deliveries(db) == 0
