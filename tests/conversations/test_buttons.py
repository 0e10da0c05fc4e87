"""Every button any flow shows fits the platforms: title <= 20 characters, payload <= 64 bytes."""

from __future__ import annotations

import pytest

from handlers.text import BUTTON_TITLE_MAX
from handlers.types import Reply
from tests.fakes.channel import Person
from tests.helpers.signup import sign_up


def check(replies: list[Reply]) -> None:
    assert sum(len(reply.buttons) for reply in replies) > 40  # the flows really showed buttons
    for reply in replies:
        for button in reply.buttons:
            assert len(button.title) <= BUTTON_TITLE_MAX, button
            assert len(button.payload.encode()) <= 64, button


@pytest.mark.parametrize("language", ["id", "en"])
async def test_buttons_fit_in_every_flow(person: Person, language: str) -> None:
    if language == "en":
        await person.says("halo")
        await person.presses("lang:en")
    await sign_up(person)
    for text in ("/profil", "/bahasa", "/hapus", "/batal", "/start", "kab bandung barat"):
        await person.says(text)
    await person.says("/profil")
    await person.presses("profile:edit")
    await person.presses("edit:city")
    await person.says("kepulauan siau tagulandang biaro")
    await person.says("bekasi")
    check([reply for _address, reply in person.channel.sent])
