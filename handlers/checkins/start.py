"""Starting a check-in: /kabar or the word KABAR at any time, or "Mulai" on a check-in prompt."""

from __future__ import annotations

from handlers.checkins.steps import KEY, current, next_question
from handlers.flow import END, Turn
from handlers.i18n import _
from handlers.menu import registered
from handlers.staff.claiming import holds_tries
from handlers.states import current_step, enter
from storage.checkins.answers import cancel_nudges, start_checkin
from storage.erasure import forget_address
from storage.models import ParticipantStatus

PREFIX = "kabar"  # button payloads: "kabar:start" (or "kabar:start:<prompt row id>")


def start_payload(row_id: int | None = None) -> str:
    return f"{PREFIX}:start" if row_id is None else f"{PREFIX}:start:{row_id}"


async def kabar(turn: Turn, _args: str = "") -> None:
    """Begin a check-in, or continue the one left half-way today."""
    participant = turn.participant
    if participant is None:
        if not holds_tries(turn):  # never consented: nor this chat is kept (as /hapus does)
            await forget_address(turn.tx, turn.address.id)
            turn.erased = True
        turn.say(_("You have not signed up yet. Type /start to begin."))
        return
    if not registered(participant):
        turn.say(_("Please finish signing up first; after that you can tell us how you are."))
        step = current_step(turn)
        if step is not None:
            await step.ask(turn)
        return
    await cancel_nudges(turn.tx, participant.id, turn.now)
    checkin = await current(turn)
    if checkin is not None:
        state = next_question(checkin)
        if state != END:
            turn.say(_("Let's continue where we stopped."))
            await enter(turn, state)
            return
    checkin = await start_checkin(turn.tx, participant, turn.address.channel, turn.now)
    turn.remember(**{KEY: checkin.id})
    intro = _("Thank you for taking a minute. Six short questions; press a button or type.")
    if participant.status == ParticipantStatus.STOPPED:
        intro += "\n\n" + _("(You have stopped our messages; this check-in does not change that.)")
    turn.say(intro)
    await enter(turn, "checkin.mood")


async def pressed(turn: Turn, _value: str) -> None:
    """The "Mulai" button of a check-in prompt (or its template's quick reply)."""
    await kabar(turn)
