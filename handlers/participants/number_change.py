"""A new phone number typed in a message ("nomor saya ganti 0813 2222 3333"): confirm, save, tell staff."""

from __future__ import annotations

import re

from handlers.flow import END, Step, Turn
from handlers.i18n import _
from handlers.types import Button, Incoming
from handlers.understanding.choices import NO_WORDS, YES_WORDS, Option, pick
from handlers.understanding.phones import display_phone, normalise_phone
from handlers.understanding.phrases import Phrases
from storage.models import FlagReason

# A run of digits with the separators people type: "0813 2222 3333", "+62 813-2222-3333".
_NUMBER = re.compile(r"\+?\d[\d\s().\-/]{7,20}\d")
_NUMBER_WORDS = Phrases(
    (
        "nomor", "nomer", "no hp", "no wa", "hp baru", "wa baru", "ganti nomor", "ganti no",
        "nomor baru", "no baru", "number", "phone", "telepon", "telp", "hp saya", "wa saya",
    )
)  # fmt: skip


def new_number_in(text: str) -> str | None:
    """A valid phone number in the text (E.164), when it is there to tell us a number."""
    for match in _NUMBER.finditer(text):
        number = normalise_phone(match.group())
        if number is not None:
            rest = (text[: match.start()] + text[match.end() :]).strip()
            if not rest or _NUMBER_WORDS.in_text(rest):
                return number
    return None


def offer_number(turn: Turn, number: str) -> str:
    """The state to enter: a confirmation of the new number, or END if it is already saved."""
    if turn.participant is not None and turn.participant.phone == number:
        turn.say(_("That number is already saved as yours. ✅"))
        return END
    turn.remember(new_phone=number)
    return "number.confirm"


async def ask_confirm(turn: Turn) -> None:
    number = str(turn.data.get("new_phone", ""))
    turn.say(
        _("Shall I save <b>{number}</b> as your new phone number?").format(
            number=display_phone(number)
        ),
        (Button(_("Yes, save it"), "number:yes"), Button(_("Don't save"), "number:no")),
    )


async def confirm(turn: Turn, incoming: Incoming) -> str | None:
    """They confirmed (or not) the new number they typed."""
    choice = pick(
        incoming,
        [
            Option("number:yes", _("Yes, save it"), (*YES_WORDS, "simpan")),
            Option("number:no", _("Don't save"), (*NO_WORDS, "jangan")),
        ],
    )
    if choice is None:
        turn.say(_('Please press "Yes, save it" or "Don\'t save".'))
        return None
    number = turn.data.get("new_phone")
    turn.forget("new_phone")
    participant = turn.participant
    if choice.payload == "number:no" or participant is None or not number:
        turn.say(_("All right, your number stays as it was."))
        return END
    participant.phone = str(number)
    turn.flag(FlagReason.PHONE_CHANGE)
    turn.say(_("Saved. ✅ I have told your caseworker about your new number."))
    return END


NUMBER_CHANGE: dict[str, Step] = {"number.confirm": Step(ask_confirm, confirm)}
