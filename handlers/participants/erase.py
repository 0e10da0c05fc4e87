"""/hapus: erase a participant's personal data after they confirm."""

from __future__ import annotations

from handlers.flow import END, Step, Turn
from handlers.i18n import _
from handlers.programs.changes import withdraw
from handlers.types import Button, Incoming
from handlers.understanding.choices import NO_WORDS, Option, pick
from storage.erasure import erase_participant
from storage.programs import upcoming_enrolments

YES_ERASE = ("ya hapus", "hapus", "ya", "iya", "yes", "delete", "erase")


async def ask_confirm(turn: Turn) -> None:
    turn.say(
        _(
            "Do you really want to erase your data? Your name, phone number, city, interests and "
            "the texts of your messages will be deleted and cannot be restored. We keep only "
            "anonymous counts (e.g. how many people signed up in your province)."
        ),
        (Button(_("Yes, erase"), "erase:yes"), Button(_("Cancel"), "erase:no")),
    )


async def confirm(turn: Turn, incoming: Incoming) -> str | None:
    """They confirmed the erasure, or changed their mind."""
    choice = pick(
        incoming,
        [
            Option("erase:yes", _("Yes, erase"), YES_ERASE),
            Option("erase:no", _("Cancel"), (*NO_WORDS, "batal")),
        ],
    )
    if choice is None:
        turn.say(_('Please press "Yes, erase" or "Cancel".'))
        return None
    if choice.payload == "erase:no":
        turn.say(_("All right, nothing was erased."))
        return END
    participant = turn.participant
    assert participant is not None
    # Their seats go to the first ones waiting, who are told.
    for enrolment in await upcoming_enrolments(turn.tx, participant.id, turn.now):
        await withdraw(turn.tx, enrolment, turn.now, turn.settings.reminders)
    await erase_participant(turn.tx, participant, turn.now)
    turn.participant = None
    turn.erased = True
    turn.say(
        _(
            "Your data has been erased. Thank you for having been with us. "
            "If you ever want to sign up again, just type /start."
        )
    )
    return END


ERASE: dict[str, Step] = {"erase.confirm": Step(ask_confirm, confirm)}
