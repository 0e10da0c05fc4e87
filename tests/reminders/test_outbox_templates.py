"""Messages the bot starts carry a template for when WhatsApp allows no free text: reminders the
"reminder" template with their RSVP payloads, everything else "update" with an "open" button that
shows the message. Pressing either works as WhatsApp delivers it (a button with the payload)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from handlers.flow import FlowSettings
from handlers.outbox.queue import enqueue
from handlers.outbox.recipients import Recipient
from handlers.programs.refs import EventRef
from handlers.reminders.discretion import is_sensitive
from handlers.types import Kind, Template
from storage.db import Database
from storage.models import Enrolment, OutboxKind, ProgramSession
from tests.fakes.channel import Person
from tests.helpers.reminders import (
    NOW,
    WEDNESDAY_9_WIB,
    Clock,
    dispatcher,
    enrol_person,
    local,
    make_session,
    outbox,
    participant_id,
    register,
)
from tests.helpers.two_channels import CHANNELS, TwoChannels, two_channels

TUESDAY_9_WIB = local("Asia/Jakarta", 2026, 12, 1, 9, 0)


@pytest.fixture
async def bot(db: Database, settings: FlowSettings) -> AsyncIterator[TwoChannels]:
    async with two_channels(db, settings) as both:
        yield both


@pytest.fixture(params=CHANNELS)
def channel_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def signed_up(
    bot: TwoChannels, channel: str, address: str, *, discreet: bool = False
) -> Person:
    person = bot.person(channel, address, profile_name=None)  # types "Sari Dewi"
    await register(person, "kota pekalongan", discreet=discreet)
    return person


async def rsvp(db: Database) -> str | None:
    async with db.transaction() as tx:
        return (await tx.execute(select(Enrolment.rsvp))).scalar_one()


async def test_a_reminder_carries_the_reminder_template_and_its_quick_reply_is_an_answer(
    db: Database, bot: TwoChannels, channel_name: str
) -> None:
    sari = await signed_up(bot, channel_name, "11")
    sid = await make_session(db, starts_local=WEDNESDAY_9_WIB.astimezone(TUESDAY_9_WIB.tzinfo))
    await enrol_person(db, await participant_id(db, "11"), sid, NOW, confirm=False)
    channel = bot.channels[channel_name]
    channel.sent.clear()
    assert await dispatcher(db, channel, Clock(TUESDAY_9_WIB)).run_once() == 1
    [(_to, reminder)] = channel.sent
    assert reminder.template == Template(
        "reminder",
        ("Pelatihan Las Dasar", "besok, Rabu, 2 Desember 2026 pukul 09.00 WIB"),
        (f"rsvp:s{sid}:yes", f"rsvp:s{sid}:no", f"rsvp:s{sid}:later"),
    )
    assert reminder.template.payloads == tuple(b.payload for b in reminder.buttons)
    assert reminder.language == "id"
    # WhatsApp delivers a template's quick reply as a button press carrying its payload.
    replies = await sari.presses(reminder.template.payloads[0], at=TUESDAY_9_WIB)
    assert "Sampai jumpa" in replies[0].text
    assert await rsvp(db) == "yes"


async def test_a_discreet_persons_template_names_no_institution(
    db: Database, bot: TwoChannels, channel_name: str
) -> None:
    await signed_up(bot, channel_name, "11", discreet=True)
    sid = await make_session(
        db,
        starts_local=WEDNESDAY_9_WIB.astimezone(TUESDAY_9_WIB.tzinfo),
        title="Wajib lapor Bapas",
        place="Bapas Kelas II Pekalongan",
    )
    await enrol_person(db, await participant_id(db, "11"), sid, NOW, confirm=False)
    channel = bot.channels[channel_name]
    channel.sent.clear()
    assert await dispatcher(db, channel, Clock(TUESDAY_9_WIB)).run_once() == 1
    template = channel.sent[0][1].template
    assert template is not None and template.key == "reminder"
    assert template.params[0] == "Janji temu"
    assert not any(is_sensitive(param) for param in template.params)


async def test_other_messages_carry_the_update_template_whose_button_opens_them(
    db: Database, bot: TwoChannels, channel_name: str
) -> None:
    sari = await signed_up(bot, channel_name, "11")
    other = await signed_up(bot, channel_name, "22")
    sid = await make_session(db, starts_local=WEDNESDAY_9_WIB.astimezone(TUESDAY_9_WIB.tzinfo))
    pid = await participant_id(db, "11")
    async with db.transaction() as tx:
        await enqueue(
            tx,
            kind=OutboxKind.CANCELLED,
            recipient=Recipient(pid),
            key="cancelled-test",
            due_at=NOW,
            about=EventRef.session(sid),
        )
    [row] = [r for r in await outbox(db) if r.kind == OutboxKind.CANCELLED]
    channel = bot.channels[channel_name]
    channel.sent.clear()
    assert await dispatcher(db, channel, Clock(NOW)).run_once() == 1
    [(to, notice)] = channel.sent
    assert to == "11"
    assert notice.template == Template("update", ("Sari",), (f"open:{row.id}",))
    assert "dibatalkan" in notice.text

    # Shown as it was sent (the same moment, so "besok" stays "besok"), without its template.
    replies = await sari.sends(Kind.BUTTON, payload=f"open:{row.id}", received_at=NOW)
    assert replies[0].text == notice.text and replies[0].template is None
    replies = await other.presses(f"open:{row.id}")  # not theirs: never shown
    assert [r.text for r in replies] == ["Maaf, pesan itu sudah tidak tersedia."]
    for forged in ("open:999999", "open:99999999999999999999", "open:x"):
        replies = await other.presses(forged)
        assert [r.text for r in replies] == ["Maaf, pesan itu sudah tidak tersedia."]


async def test_opening_a_message_whose_event_is_off_says_so_kindly(
    db: Database, bot: TwoChannels, channel_name: str
) -> None:
    sari = await signed_up(bot, channel_name, "11")
    sid = await make_session(db, starts_local=WEDNESDAY_9_WIB.astimezone(TUESDAY_9_WIB.tzinfo))
    await enrol_person(db, await participant_id(db, "11"), sid, NOW, confirm=False)
    async with db.transaction() as tx:
        session = await tx.get(ProgramSession, sid)
        assert session is not None
        session.status = "cancelled"
    row = next(r for r in await outbox(db) if r.kind == OutboxKind.REMINDER)
    replies = await sari.presses(f"open:{row.id}")
    assert [r.text for r in replies] == [
        "Pesan itu tentang kegiatan yang sudah berubah atau tidak jadi diadakan. "
        "Ketik JADWAL untuk melihat jadwal Anda."
    ]
