"""The interests question (sign-up and /profil): tick with buttons or numbers, or type names."""

from __future__ import annotations

from handlers.flow import WAIT, Turn
from handlers.i18n import _
from handlers.participants.labels import INTERESTS, options, title
from handlers.participants.steps import after, person
from handlers.types import Button, Incoming, Kind
from handlers.understanding.multichoice import Outcome, read_ticks

PREFIX = "int"
DONE = "int:done"


async def ask_interests(turn: Turn) -> None:
    turn.say(_interest_prompt(turn), _interest_buttons(turn))


def _chosen_titles(codes: list[str]) -> str:
    return ", ".join(title(INTERESTS, c) for c in codes)


def _interest_prompt(turn: Turn) -> str:
    prompt = _('What would you like help with? Choose as many as you like, then press "Done".')
    chosen = person(turn).interests
    if chosen:
        prompt += "\n\n" + _("Chosen so far: {interests}.").format(interests=_chosen_titles(chosen))
    return prompt


def _interest_buttons(turn: Turn) -> tuple[Button, ...]:
    chosen = set(person(turn).interests)
    return (
        *(
            Button(
                f"✅ {o.title}" if o.payload.removeprefix("int:") in chosen else o.title, o.payload
            )
            for o in options(INTERESTS, PREFIX)
        ),
        Button(_("Done"), DONE),
    )


async def interests(turn: Turn, incoming: Incoming) -> str | None:
    """They ticked or unticked one, typed some names, or are done."""
    participant = person(turn)
    chosen = [f"{PREFIX}:{code}" for code in participant.interests]
    ticks = read_ticks(incoming, options(INTERESTS, PREFIX), chosen, DONE)
    participant.interests = [p.removeprefix(f"{PREFIX}:") for p in ticks.chosen]
    if ticks.outcome == Outcome.STALE:
        turn.say(_("That button is no longer valid."))
        return None
    if ticks.outcome == Outcome.UNCLEAR:
        turn.say(
            _(
                "Sorry, I didn't catch that. Press the buttons, or type what you need, "
                "for example: pelatihan, konseling, paket C."
            )
        )
        return None
    if ticks.outcome == Outcome.TOGGLED:
        edit = incoming.message_ref if incoming.kind == Kind.BUTTON else None
        turn.say(_interest_prompt(turn), _interest_buttons(turn), edit_ref=edit)
        return WAIT
    if not participant.interests:
        turn.say(_('Please choose at least one, or "Something else".'))
        return None
    if ticks.named:  # typed: say what is kept, as no ticked buttons show it
        turn.say(_("Noted: {interests}.").format(interests=_chosen_titles(participant.interests)))
    return after(turn, "signup.time")
