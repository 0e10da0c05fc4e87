"""The digest's sections: a registry. Each section is a function that finds its lines for one
staff member's scope; the digest shows them in `order` (the most urgent first).

A feature adds its own section by calling `section()` in a module `handlers/<feature>/digest.py`
(found by itself, like outbox kinds), or in a module of this package.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

import handlers
import handlers.digest
from storage.models import Participant

LOOKBACK = timedelta(days=8)  # how far back news is looked for (what was reported is kept as long)


@dataclass(frozen=True)
class DigestScope:
    """Whose people a digest is about: one caseworker's, or (`caseworker_id` None) a whole
    organisation's, for an admin. Never another organisation's."""

    staff_id: int
    organisation_id: int
    caseworker_id: int | None
    timezone: str
    language: str
    now: datetime

    @property
    def people(self) -> ColumnElement[bool]:
        """A WHERE clause on `Participant`: the people this digest is about."""
        mine = Participant.organisation_id == self.organisation_id
        if self.caseworker_id is not None:
            mine = mine & (Participant.caseworker_id == self.caseworker_id)
        return mine

    @property
    def today(self) -> date:
        return self.now.astimezone(ZoneInfo(self.timezone)).date()

    def day_start(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(self.timezone))

    @property
    def since(self) -> datetime:
        return self.now - LOOKBACK


@dataclass(frozen=True)
class Item:
    """One line of a digest."""

    key: str  # what it is about, ids only ("missed:e:42"): the same thing has the same key
    line: str  # in the reader's language; person-typed text escaped
    participant_id: int | None = None  # its detail button opens this participant's card
    first_name: str = ""
    still_open: bool = False  # waits for the caseworker: shown every day until dealt with
    caseworker_id: int | None = None  # for an admin's counts per caseworker
    program: str | None = None  # for an admin's counts per program


Finder = Callable[[AsyncSession, DigestScope], Awaitable[list[Item]]]


@dataclass(frozen=True)
class Section:
    name: str  # stored with what it reported: at most 24 characters
    order: int  # smaller first: the most urgent
    title: str  # English source of its heading (marked with N_)
    find: Finder
    state: bool = False  # reports a state (stopped): once it is over, it may be news again
    needs_attention: bool = True  # its people count as "people who need you"


_SECTIONS: dict[str, Section] = {}
_discovered = False


def section(
    name: str, order: int, title: str, *, state: bool = False, needs_attention: bool = True
) -> Callable[[Finder], Finder]:
    """Register the decorated function as the digest section `name`."""

    def register(find: Finder) -> Finder:
        existing = _SECTIONS.get(name)
        if existing is not None and existing.find is not find:
            raise ValueError(f"digest section {name!r} is registered twice")
        _SECTIONS[name] = Section(name, order, title, find, state, needs_attention)
        return find

    return register


def sections() -> list[Section]:
    _discover()
    return sorted(_SECTIONS.values(), key=lambda s: (s.order, s.name))


def first_name(name: str | None) -> str:
    return (name or "").split(" ")[0] or "-"


def _discover() -> None:
    """Import every module of this package, and `handlers.<feature>.digest` where it exists."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    prefix = handlers.digest.__name__ + "."
    for module in pkgutil.iter_modules(handlers.digest.__path__, prefix):
        importlib.import_module(module.name)
    for package in pkgutil.iter_modules(handlers.__path__):
        name = f"{handlers.__name__}.{package.name}.digest"
        if package.ispkg and package.name != "digest" and importlib.util.find_spec(name):
            importlib.import_module(name)
