"""What the admin subcommands share: their context, argument converters and table output."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from bot.config import Settings
from handlers.i18n import use_language
from handlers.reminders.rules import ReminderPolicy
from storage.db import Database

_T = TypeVar("_T")
MAX_CELL = 32  # characters of a table cell; longer text is cut with "…"


@dataclass(frozen=True)
class Context:
    """One admin command's world: the database, settings, reminder policy and the moment it ran."""

    db: Database
    settings: Settings
    policy: ReminderPolicy
    now: datetime


Command = Callable[[argparse.Namespace, Context], Awaitable[int]]


def group(sub: Any, name: str, help: str) -> Any:
    """A subcommand that itself has subcommands (`pendamping sessions ...`)."""
    return sub.add_parser(name, help=help).add_subparsers(dest=f"{name}_command", required=True)


def leaf(sub: Any, name: str, help: str, command: Command) -> argparse.ArgumentParser:
    """A subcommand that runs `command`."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=help, description=help)
    parser.set_defaults(admin=command)
    return parser


def typed(parse: Callable[[str], _T]) -> Callable[[str], _T]:
    """An argparse `type=` from one of our parsers; its message becomes the error (exit 2)."""

    def convert(text: str) -> _T:
        try:
            with use_language("en"):  # the command line speaks English (bot/cli/main.py)
                return parse(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error).strip()) from None

    convert.__name__ = parse.__name__
    return convert


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Rows as aligned columns under a header; None shows as "-"."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    lines = [list(headers), *cells]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def _cell(value: object) -> str:
    text = "-" if value is None else " ".join(str(value).split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
