"""Every question fits WhatsApp: at most 10 options (3 show as buttons, 4 to 10 as a list), titles
at most 20 characters; the main menu is one list holding what the commands do."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from handlers.commands import COMMANDS
from handlers.flow import FlowSettings, Turn
from handlers.i18n import use_language
from handlers.states import STATES
from handlers.text import BUTTON_TITLE_MAX
from handlers.types import Incoming, Kind, Reply
from storage.addresses import lock_address
from storage.db import Database
from tests.fakes.channel import Person
from tests.helpers.reminders import NOW, enrol_person, local, make_session, participant_id
from tests.helpers.signup import sign_up
from tests.helpers.two_channels import CHANNELS, TwoChannels, two_channels

WHATSAPP_OPTIONS_MAX = 10  # a list's rows; more would be numbered text


@pytest.fixture
async def bot(db: Database, settings: FlowSettings) -> AsyncIterator[TwoChannels]:
    async with two_channels(db, settings) as both:
        yield both


@pytest.fixture(params=CHANNELS)
def someone(request: pytest.FixtureRequest, bot: TwoChannels) -> Person:
    return bot.person(request.param)


def fits(reply: Reply) -> None:
    assert len(reply.buttons) <= WHATSAPP_OPTIONS_MAX, reply
    for button in reply.buttons:
        assert len(button.title) <= BUTTON_TITLE_MAX, button


@pytest.mark.parametrize("language", ["id", "en"])
async def test_the_menu_is_one_list_of_everything_the_commands_do(
    someone: Person, language: str
) -> None:
    await sign_up(someone)
    if language == "en":
        await someone.presses("lang:en")
    menu = (await someone.says("menu"))[-1]
    fits(menu)
    assert len(menu.buttons) >= 4  # shown as a list on WhatsApp
    commands = [b.payload.removeprefix("cmd:") for b in menu.buttons]
    assert commands == ["jadwal", "profil", "bahasa", "bantuan", "berhenti", "hapus"]
    assert all(c in COMMANDS for c in commands)
    await someone.says("BERHENTI")
    await someone.says("ya")
    stopped = (await someone.says("menu"))[-1]
    fits(stopped)
    assert "cmd:mulai" in [b.payload for b in stopped.buttons]
    replies = await someone.presses("cmd:mulai")
    assert "Selamat datang kembali" in replies[0].text or "Welcome back" in replies[0].text


async def test_each_menu_row_does_what_it_says(someone: Person) -> None:
    await sign_up(someone)
    menu = (await someone.says("menu"))[-1]
    expected = {
        "cmd:jadwal": "Belum ada sesi",
        "cmd:profil": "Data Anda",
        "cmd:bahasa": "Pilih bahasa",
        "cmd:bantuan": "Ketik salah satu kata ini",
        "cmd:berhenti": "berhenti mengirim",  # asked first: a list row is easily mis-tapped
        "cmd:hapus": "Yakin ingin menghapus",
    }
    for button in menu.buttons:
        replies = await someone.presses(button.payload)
        assert any(expected[button.payload] in r.text for r in replies), button
        await someone.says("/batal")


async def test_every_question_of_every_flow_fits_a_whatsapp_list(
    someone: Person, db: Database, settings: FlowSettings
) -> None:
    """Asks every state's question (STATES is the table of all flows) to a signed-up person."""
    await sign_up(someone)
    now = NOW
    asked = 0
    widest = 0
    for language in ("id", "en"):
        for state, step in STATES.items():
            async with db.transaction() as tx:
                address, conversation = await lock_address(
                    tx, someone.channel.name, someone.address, now
                )
                incoming = Incoming(someone.channel.name, someone.address, Kind.TEXT, "halo")
                turn = Turn(tx, incoming, address, conversation, address.participant, settings, now)
                with use_language(language):
                    await step.ask(turn)
                await tx.rollback()
            assert turn.replies, state
            for reply in turn.replies:
                fits(reply)
                widest = max(widest, len(reply.buttons))
            asked += 1
    assert asked == 2 * len(STATES)
    assert widest >= 4  # some questions are lists, and they fit too


async def test_reminder_and_schedule_replies_fit(someone: Person, db: Database) -> None:
    await sign_up(someone)
    pid = await participant_id(db, someone.address)
    for day in range(12, 24):  # more sessions than a list holds
        sid = await make_session(
            db,
            starts_local=local("Asia/Jakarta", 2026, 12, day, 9, 0),
            title=f"Pelatihan {day}",
            open_=True,
        )
        if day < 14:
            await enrol_person(db, pid, sid, NOW)
    [schedule] = await someone.says("JADWAL")
    fits(schedule)
    assert len(schedule.buttons) >= 4  # sessions to join, as a list
    reply = (await someone.presses("rsvp:s1:no"))[-1]
    fits(reply)
    assert reply.buttons  # "Ask to reschedule"
