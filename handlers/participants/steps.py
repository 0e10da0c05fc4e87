"""Helpers shared by the steps of sign-up and profile editing."""

from __future__ import annotations

from handlers.flow import Turn
from handlers.understanding.choices import NO_WORDS, YES_WORDS, Option
from storage.models import Participant


def after(turn: Turn, default: str) -> str:
    """Where a field step goes next: back to the summary when editing, else on through sign-up."""
    return_to = turn.data.get("return_to")
    return str(return_to) if return_to else default


def person(turn: Turn) -> Participant:
    assert turn.participant is not None, "this step runs only after consent"
    return turn.participant


def yes_no(step: str, yes: str, no: str) -> list[Option]:
    """Two options whose payloads name the step, so an old button pressed later is not misread."""
    return [Option(f"{step}:yes", yes, YES_WORDS), Option(f"{step}:no", no, NO_WORDS)]


def is_yes(option: Option) -> bool:
    return option.payload.endswith(":yes")
