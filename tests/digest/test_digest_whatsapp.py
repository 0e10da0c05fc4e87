"""The digest on WhatsApp through the real channel against the fake Graph API: as free text with
a list of people inside the 24 hours, as the approved "digest" template outside them; the
template's "Buka" opens that very digest, news included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.channels.whatsapp.channel import WhatsAppChannel, db_window
from bot.channels.whatsapp.client import GraphClient
from bot.channels.whatsapp.templates import load_catalogue
from bot.inbox import Inbox
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.limits import ChannelLimits, Limiters
from handlers.reminders.rules import ReminderPolicy
from handlers.types import Kind
from storage.db import Database
from tests.fakes.channel import CollectingChannel, Person
from tests.fakes.whatsapp import FakeGraphAPI, shapes_of
from tests.helpers.digest import add_org, add_person, add_staff, plan, seat, session, utc
from tests.helpers.reminders import Clock

CATALOGUE = load_catalogue(None)
MONDAY_7_WIB = utc(2026, 11, 30, 0, 0)
OUT_OF_WINDOW = "6281100000001"  # last wrote on Saturday
IN_WINDOW = "6281100000002"  # wrote an hour ago


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphAPI]:
    clock = Clock(MONDAY_7_WIB)
    async with FakeGraphAPI(
        templates=shapes_of(CATALOGUE), clock=lambda: clock().timestamp()
    ) as api:
        yield api


@pytest.fixture
def channel() -> CollectingChannel:
    """The engine's replies (a button pressed later) go through a collecting "whatsapp" channel."""
    return CollectingChannel(name="whatsapp")


async def test_outside_the_window_the_digest_goes_as_its_template_and_buka_opens_it(
    db: Database, fake: FakeGraphAPI, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_org(db, "Bapas Pekalongan")
    saturday = MONDAY_7_WIB - timedelta(hours=40)
    away = await add_staff(
        db, org, "Budi Santoso", address=OUT_OF_WINDOW, channel="whatsapp", wrote_at=saturday
    )
    here = await add_staff(
        db, org, "Rina Wulandari", address=IN_WINDOW, channel="whatsapp",
        wrote_at=MONDAY_7_WIB - timedelta(hours=1),
    )  # fmt: skip
    fake.person_wrote(IN_WINDOW, at=(MONDAY_7_WIB - timedelta(hours=1)).timestamp())
    friday = await session(db, org, "Konseling Kelompok", utc(2026, 11, 27, 2, 0))
    long_ago = utc(2026, 11, 1)
    joko = await add_person(db, "Joko Susilo", org, away, now=long_ago)
    tono = await add_person(db, "Tono Wijaya", org, here, now=long_ago)
    for pid in (joko, tono):
        await seat(db, pid, friday, attendance="absent", at=utc(2026, 11, 27, 5, 0))
    new = [  # more new people than a section shows
        await add_person(db, f"Orang{n} Baru", org, here, now=utc(2026, 11, 29, 1, 0))
        for n in range(11)
    ]

    await plan(db, utc(2026, 11, 29, 13, 0))
    client = GraphClient(fake.api_url, fake.phone_number_id, fake.token, backoff=0.01)
    clock = Clock(MONDAY_7_WIB)
    whatsapp = WhatsAppChannel(client, CATALOGUE, db_window(db), clock=clock)
    limiters = Limiters(unlisted=ChannelLimits(per_second=10_000, per_chat_interval=0))
    try:
        sent = await Dispatcher(
            db, {"whatsapp": whatsapp}, ReminderPolicy(), limiters=limiters, clock=clock
        ).run_once()
    finally:
        await client.aclose()
    assert sent == 2

    [template] = await fake.wait_for(OUT_OF_WINDOW, 1)
    assert template.kind == "template"
    body = template.message["template"]
    assert body["name"] == "pendamping_ringkasan_pagi"
    assert body["language"] == {"code": "id"}
    [params, button] = body["components"]
    assert params["parameters"] == [{"type": "text", "text": "1"}]  # Joko needs Budi
    payload = button["parameters"][0]["payload"]
    assert payload.startswith("staff:dg:")
    assert "Joko" not in str(template.message)  # no name on a lock screen

    [digest] = await fake.wait_for(IN_WINDOW, 1)
    assert digest.kind == "interactive"
    interactive = digest.message["interactive"]
    assert interactive["type"] == "list"
    rows = interactive["action"]["sections"][0]["rows"]
    # Five lines a section: the other six new people wait for tomorrow's digest.
    assert [r["id"] for r in rows] == [f"staff:p:{tono}"] + [f"staff:p:{p}" for p in new[:5]]
    assert "… dan 6 lainnya" in interactive["body"]["text"]

    # Budi taps "Buka" a while later: WhatsApp delivers it as a button with the payload.
    budi = Person(inbox, channel, address=OUT_OF_WINDOW)
    [opened] = await budi.sends(
        Kind.BUTTON, payload=payload, received_at=MONDAY_7_WIB + timedelta(hours=2)
    )
    assert f"#{joko} Joko tidak datang ke Konseling Kelompok" in opened.text
    assert [b.payload for b in opened.buttons] == [f"staff:p:{joko}"]
    # /ringkasan now does not tell the same news again.
    [now] = await budi.sends(
        Kind.COMMAND, text="/ringkasan", command="ringkasan",
        received_at=MONDAY_7_WIB + timedelta(hours=3),
    )  # fmt: skip
    assert "Joko" not in now.text and "tidak ada yang perlu dilaporkan" in now.text
    # Another staff member's digest row cannot be opened by Rina.
    rina = Person(inbox, channel, address=IN_WINDOW)
    [other] = await rina.sends(
        Kind.BUTTON, payload=payload, received_at=MONDAY_7_WIB + timedelta(hours=2)
    )
    assert "Joko" not in other.text
