"""`pendamping chat --channel whatsapp`: the same conversation, drawn as WhatsApp shows it; and
numbered text (more than ten options) answered by typing the number."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from sqlalchemy import select

from bot.channels.console import ConsoleChannel
from bot.channels.whatsapp.render import render
from bot.cli.main import parser
from bot.inbox import Inbox
from handlers.flow import END, FlowSettings, Turn
from handlers.i18n import use_language
from handlers.types import Incoming, Kind
from handlers.understanding.choice_step import choice_step
from handlers.understanding.choices import Option
from storage.conversations import ConversationState
from storage.db import Database
from storage.models import Address, Participant


async def participant(db: Database, address: str) -> Participant:
    async with db.transaction() as tx:
        query = select(Participant).join(Address).where(Address.value == address)
        return (await tx.execute(query)).scalar_one()


async def test_signing_up_in_the_whatsapp_look_shows_whatsapp_shapes_and_taps_by_title(
    db: Database, settings: FlowSettings
) -> None:
    out = io.StringIO()
    terminal = ConsoleChannel(out, look="whatsapp")
    inbox = Inbox(db, settings, {terminal.name: terminal})
    try:
        for line in ("halo", "Setuju", "Siti *Aminah_", "3", "kota ambon", "1"):
            await inbox.receive(terminal.incoming("w1", line))
    finally:
        await inbox.close()
    shown = out.getvalue()
    assert "   [ Setuju ] [ Tidak setuju ] [ English ]" in shown  # reply buttons
    assert "Saya asisten *Rutan Kelas IIA Pekalongan*:" in shown  # bold as WhatsApp writes it
    assert (
        "   [ ☰ Pilih ]\n     1. Mantan narapidana\n     2. Klien Bapas\n     3. Remaja" in shown
    )
    assert "Siti *Aminah_" in shown  # the name as typed
    person = await participant(db, "w1")
    assert person.name == "Siti *Aminah_"
    assert person.category == "youth"  # "3" chose the third row of the list


def test_the_chat_command_takes_the_whatsapp_look() -> None:
    assert parser().parse_args(["chat", "--channel", "whatsapp"]).look == "whatsapp"
    assert parser().parse_args(["chat"]).look == "console"


CITIES = [Option(f"city:{n}", f"Kota {n}") for n in range(1, 13)]


async def pick_city(turn: Turn, choice: Option) -> str:
    turn.remember(city=choice.value)
    return END


CITY = choice_step(
    question=lambda turn: "Di kota mana?", options=lambda turn: CITIES, on_choice=pick_city
)


async def test_twelve_options_are_numbered_text_and_the_typed_number_chooses(db: Database) -> None:
    async with db.transaction() as tx:
        with use_language("id"):
            turn = Turn(
                tx=tx,
                incoming=Incoming("whatsapp", "1", Kind.TEXT, "halo"),
                address=Address(id=1, channel="whatsapp", value="1"),
                conversation=ConversationState(address_id=1),
                participant=None,
                settings=FlowSettings(),
                now=datetime(2026, 12, 1, 9, tzinfo=UTC),
            )
            await CITY.ask(turn)
            [question] = turn.replies
            [message] = [part.message for part in render(question)]
            assert message["type"] == "text"
            assert "\n11. Kota 11\n" in message["text"]["body"]
            assert await CITY.answer(turn, Incoming("whatsapp", "1", Kind.TEXT, "12")) == END
    assert turn.data["city"] == "12"
