"""A question answered by choosing one option: the reusable step behind "which group?",
"what time?", "yes or no?" and, soon, check-in ratings.

    "signup.time": choice_step(
        question=lambda turn: _("When is the best time for us to send you messages?"),
        options=lambda turn: options(CONTACT_TIMES, "time"),
        on_choice=save_contact_time,  # async (turn, option) -> the next state
    )

The person may press a button, type its number ("2"), its words ("pagi"), a synonym or slang
("iya", "gak"), or send an emoji the option lists ("😊"). Anything else gets a kind word and the
question again, buttons and all; an old button of some other question is told apart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from handlers.flow import SHORT_TTL, Step, Turn
from handlers.i18n import N_, _
from handlers.types import Incoming, Kind
from handlers.understanding.choices import Option, buttons, pick

Question = Callable[[Turn], str]  # the question, translated, as this person sees it now
Options = Callable[[Turn], Sequence[Option]]  # the options as they are offered now
OnChoice = Callable[[Turn, Option], Awaitable[str | None]]  # the next state, END, WAIT or None

PLEASE_CHOOSE = N_("Please choose one of the buttons.")
STALE_BUTTON = N_("That button is no longer valid.")


def choice_step(
    *,
    question: Question,
    options: Options,
    on_choice: OnChoice,
    retry: str = PLEASE_CHOOSE,
    ttl: timedelta = SHORT_TTL,
    numbers: bool = True,
) -> Step:
    """A step that asks `question` with one button per option and calls `on_choice` with the
    option the person meant. `retry` (untranslated, marked with N_) is said before asking again
    when the answer is unclear. `numbers=False` when the options are themselves numbers."""

    async def ask(turn: Turn) -> None:
        turn.say(question(turn), buttons(options(turn)))

    async def answer(turn: Turn, incoming: Incoming) -> str | None:
        choice = pick(incoming, options(turn), numbers=numbers)
        if choice is None:
            turn.say(_(STALE_BUTTON) if incoming.kind == Kind.BUTTON else _(retry))
            return None
        return await on_choice(turn, choice)

    return Step(ask, answer, ttl=ttl)
