"""Messages through the bot, on both channels' names through the engine: a caseworker writes
from a card or with /pesan, the participant reads it from "their pendamping" by name and
replies, the reply reaches the caseworker (or whoever looks after the participant now)."""

from __future__ import annotations

import pytest

from bot.inbox import Inbox
from handlers.staff.audit import AuditAction
from storage.db import Database
from storage.relay import relay_thread
from tests.fakes.channel import CollectingChannel
from tests.helpers.relay import (
    ANI,
    BUDI,
    RINA,
    SITI,
    audit_of,
    cast,
    deliver,
    relays,
    sent_to,
)


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))


async def test_a_caseworker_writes_and_reads_the_participants_reply(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    c = await cast(db, inbox, channel)
    [sent] = await c.budi_chat.says(f"/pesan {c.participant_id} Halo <b>Siti</b>, besok jam 9 ya")
    assert "Terkirim ke Siti Aminah" in sent.text

    before = len(channel.sent)
    assert await deliver(db, channel) == 1
    [message] = [reply for to, reply in channel.sent[before:] if to == SITI]
    assert "pendamping Anda, Budi Santoso" in message.text
    assert "Halo &lt;b&gt;Siti&lt;/b&gt;, besok jam 9 ya" in message.text  # escaped, as typed
    assert [b.title for b in message.buttons] == ["Selesai"]

    before = len(channel.sent)
    [told] = await c.siti.says("Baik pak, saya datang")
    assert "Terkirim ke Budi Santoso" in told.text
    [notice] = [reply for to, reply in channel.sent[before:] if to == BUDI]
    assert "Siti Aminah" in notice.text and "Baik pak, saya datang" in notice.text
    assert [(b.title, b.payload) for b in notice.buttons] == [
        ("Balas", f"staff:msg:{c.participant_id}")
    ]
    assert sent_to(channel, ANI, before) == sent_to(channel, RINA, before) == []

    async with db.transaction() as tx:
        thread = await relay_thread(tx, c.participant_id, 10)
    assert [(line.direction, line.staff_name, line.text, line.delivery) for line in thread] == [
        ("to_participant", "Budi Santoso", "Halo <b>Siti</b>, besok jam 9 ya", "sent"),
        ("from_participant", "Budi Santoso", "Baik pak, saya datang", None),
    ]
    [to] = await audit_of(db, AuditAction.MESSAGE)
    [back] = await audit_of(db, AuditAction.RELAY)
    assert (to.staff_id, to.participant_id) == (c.budi, c.participant_id)
    assert (back.staff_id, back.participant_id) == (c.budi, c.participant_id)
    for row in (to, back):
        assert "Siti" not in (row.detail or "") and "datang" not in (row.detail or "")
