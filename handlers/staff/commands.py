"""The staff commands: registered by the staff features, reachable only from an active staff
member's chat. A participant who types one gets, word for word, the answer to a command that
does not exist."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers.flow import Turn
from handlers.staff.scope import StaffView
from handlers.types import Incoming

StaffCommand = Callable[[Turn, StaffView, str], Awaitable[None]]


@dataclass(frozen=True)
class Registered:
    name: str  # as typed after the slash, lowercase: "staf", "undang", "audit"
    run: StaffCommand
    description: str  # English source text for the command menu (translated where shown)
    admin_only: bool = False
    title: str | None = None  # English source of its row in the staff menu (at most 20 chars)
    # False for what is done to one participant (a note, a message, an appointment): typed, or
    # pressed on their card; in Telegram's command menu and /bantuan, not in the menu list.
    in_menu: bool = True


STAFF_COMMANDS: dict[str, Registered] = {}


def staff_command(
    name: str,
    run: StaffCommand,
    description: str,
    *,
    admin_only: bool = False,
    title: str | None = None,
    in_menu: bool = True,
) -> None:
    """Register a staff command (once, from the module that holds it). `title`: its row in the
    staff menu (the menu shows "/name" without one)."""
    existing = STAFF_COMMANDS.get(name)
    if existing is not None and existing.run is not run:
        raise ValueError(f"staff command /{name} is registered twice")
    STAFF_COMMANDS[name] = Registered(name, run, description, admin_only, title, in_menu)


# Staff buttons: every payload a staff reply carries is "staff:<action>:<argument>", so a
# participant's flows never take one for theirs (and a participant pressing one gets the answer
# to any stale button). The argument (often an id) is checked again by the action: never trusted.
PREFIX = "staff"
StaffButton = Callable[[Turn, StaffView, str], Awaitable[None]]
STAFF_BUTTONS: dict[str, StaffButton] = {}


def staff_button(action: str, run: StaffButton) -> None:
    """Register what pressing "staff:<action>:<argument>" does (once, from its module)."""
    existing = STAFF_BUTTONS.get(action)
    if existing is not None and existing is not run:
        raise ValueError(f"staff button {action!r} is registered twice")
    STAFF_BUTTONS[action] = run


def staff_payload(action: str, argument: str | int = "") -> str:
    return f"{PREFIX}:{action}:{argument}"


# Questions asked in a staff chat (the role of a new invite, its name, ...): a staff member's
# conversation step is "staff.<name>", and only a staff chat ever answers one.
StaffAsk = Callable[[Turn, StaffView], Awaitable[None]]
StaffAnswer = Callable[[Turn, StaffView, Incoming], Awaitable[str | None]]


@dataclass(frozen=True)
class StaffStep:
    """`ask` prompts; `answer` returns the next step, "" to finish, or None to prompt again."""

    ask: StaffAsk
    answer: StaffAnswer


STAFF_STEPS: dict[str, StaffStep] = {}


def staff_step(name: str, ask: StaffAsk, answer: StaffAnswer) -> None:
    """Register a staff question "staff.<name>" (once, from its module)."""
    state = f"staff.{name}"
    existing = STAFF_STEPS.get(state)
    if existing is not None and existing.answer is not answer:
        raise ValueError(f"staff step {state!r} is registered twice")
    STAFF_STEPS[state] = StaffStep(ask, answer)


# What a file sent in a staff chat does (an admin's spreadsheet of sessions): each registered
# handler in turn, until one returns True; a file none takes gets the staff chat's usual answer.
StaffFile = Callable[[Turn, StaffView], Awaitable[bool]]
STAFF_FILES: list[StaffFile] = []


def staff_file(run: StaffFile) -> None:
    """Register what a file sent in a staff chat may be (once, from its module)."""
    if run not in STAFF_FILES:
        STAFF_FILES.append(run)
