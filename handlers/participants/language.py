"""/bahasa: choosing Bahasa Indonesia or English, by button or typed ("inggris", "english")."""

from __future__ import annotations

from handlers.flow import END, Step, Turn
from handlers.i18n import _, switch_language
from handlers.menu import registered, show_menu
from handlers.types import Button, Incoming
from handlers.understanding.choices import Option, pick

STEP = "lang.pick"


def _options() -> list[Option]:
    return [
        Option("lang:id", "Bahasa Indonesia", ("indonesia", "indo", "bahasa", "id", "indonesian")),
        Option("lang:en", "English", ("inggris", "bahasa inggris", "en", "eng", "engels")),
    ]


def language_buttons() -> tuple[Button, ...]:
    return tuple(Button(o.title, o.payload) for o in _options())


def open_language_question(turn: Turn) -> str:
    """Remember the question the person was on, so choosing a language goes back to it."""
    if turn.state and turn.state != STEP:
        turn.remember(lang_back=turn.state)
    return STEP


def apply_language(turn: Turn, code: str) -> None:
    switch_language(code)
    if turn.participant is not None:
        turn.participant.language = code
    turn.remember(lang=code)
    turn.say(_("All right, I will use English from now on."))


async def ask_language(turn: Turn) -> None:
    turn.say(_("Choose your language:"), language_buttons())


async def language_answer(turn: Turn, incoming: Incoming) -> str | None:
    """They chose a language by button, number or name."""
    choice = pick(incoming, _options())
    if choice is None:
        turn.say(_('Please choose one of the buttons, or type "Indonesia" or "English".'))
        return None
    apply_language(turn, choice.payload.removeprefix("lang:"))
    back = turn.data.get("lang_back")
    turn.forget("lang_back")
    if back:
        return str(back)
    if registered(turn.participant):
        show_menu(turn)
    return END


LANGUAGE: dict[str, Step] = {STEP: Step(ask_language, language_answer)}
