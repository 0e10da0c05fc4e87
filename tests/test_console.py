"""The terminal chat: the same questions as on Telegram, buttons pressed by their number."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from bot.channels.console import ConsoleChannel
from bot.inbox import Inbox
from handlers.flow import FlowSettings
from storage.db import Database
from storage.models import Address, Participant
from tests.fakes.channel import CollectingChannel, Person

# Up to the interests question, as typed in the terminal (numbers press the buttons shown).
TO_INTERESTS = ("halo", "1", "Siti Aminah", "3", "kota ambon", "1", "1")


async def interests_of(db: Database, address: str) -> list[str]:
    async with db.transaction() as tx:
        query = select(Participant).join(Address).where(Address.value == address)
        return list((await tx.execute(query)).scalar_one().interests)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (("2", "4", "2", "selesai"), ["business"]),  # a number alone ticks or unticks its button
        (("2", "7"), ["counselling"]),  # the number after the last interest is "Done"
        (("1", "konseling"), ["job_training", "counselling"]),  # typed names add to ticks
        (("3", "paket", "pagi"), ["legal", "schooling"]),
        (("2", "tidak usah konseling", "usaha"), ["business"]),
    ],
)
async def test_the_interests_question_behaves_the_same_in_the_terminal_and_on_telegram(
    db: Database, settings: FlowSettings, typed: tuple[str, ...], expected: list[str]
) -> None:
    """Regression (issue 8): "2" ticked in the terminal but chose only "2" and went on in
    Telegram, and the Done number was not understood there at all."""
    terminal = ConsoleChannel(io.StringIO())
    phone = CollectingChannel()
    inbox = Inbox(db, settings, {terminal.name: terminal, phone.name: phone})
    telegram_user = Person(inbox, phone, address="2001", profile_name=None)
    try:
        for line in (*TO_INTERESTS, *typed):
            await inbox.receive(terminal.incoming("c1", line))
        for line in ("halo", "setuju", "Siti Aminah", "remaja", "kota ambon", "ya", "lewati"):
            await telegram_user.says(line)
        for line in typed:
            await telegram_user.says(line)
    finally:
        await inbox.close()
    assert await interests_of(db, "c1") == await interests_of(db, "2001") == expected
    terminal_out = terminal.out.getvalue()  # type: ignore[attr-defined]
    last_question = telegram_user.last().text
    assert terminal_out.rstrip().endswith(
        "\n".join(f"     [{n}] {b.title}" for n, b in enumerate(telegram_user.last().buttons, 1))
    )
    assert last_question.splitlines()[0] in terminal_out
