"""The staff commands: registered by the staff features, reachable only from an active staff
member's chat. A participant who types one gets, word for word, the answer to a command that
does not exist."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from handlers.flow import Turn
from handlers.staff.scope import StaffView

StaffCommand = Callable[[Turn, StaffView, str], Awaitable[None]]


@dataclass(frozen=True)
class Registered:
    name: str  # as typed after the slash, lowercase: "staf", "undang", "audit"
    run: StaffCommand
    description: str  # English source text for the command menu (translated where shown)
    admin_only: bool = False


STAFF_COMMANDS: dict[str, Registered] = {}


def staff_command(
    name: str, run: StaffCommand, description: str, *, admin_only: bool = False
) -> None:
    """Register a staff command (once, from the module that holds it)."""
    existing = STAFF_COMMANDS.get(name)
    if existing is not None and existing.run is not run:
        raise ValueError(f"staff command /{name} is registered twice")
    STAFF_COMMANDS[name] = Registered(name, run, description, admin_only)
