"""The kinds of outbox message and how each is rendered: every feature package registers its own.

A feature package `handlers/<feature>/` with a module `kinds.py` is found by itself: that module
calls `register()` for each of its kinds when imported. The dispatcher (bot/outbox/dispatcher.py)
and handlers/outbox/delivery.py never learn what a kind means.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

import handlers
from handlers.outbox.recipients import Reader
from handlers.types import Reply
from storage.models import ScheduledMessage


@dataclass(frozen=True)
class Skip:
    """A row that must not go out: settled with `status` (skipped or cancelled) and `reason`."""

    status: str
    reason: str  # for the log and the row's error column: no names, numbers or message text


@dataclass(frozen=True)
class Draft:
    """What a render function is given: the claimed row and who it goes to (in their language)."""

    tx: AsyncSession
    row: ScheduledMessage
    reader: Reader
    now: datetime


Render = Callable[[Draft], Awaitable[Reply | Skip]]


@dataclass(frozen=True)
class KindSpec:
    kind: str
    render: Render
    timed: bool  # pointless once its moment has passed: skipped when later than the grace
    answerable: bool  # a typed answer soon after it ("hadir", "tidak bisa") answers it


_KINDS: dict[str, KindSpec] = {}
_discovered = False


def register(kind: str, *, render: Render, timed: bool = False, answerable: bool = False) -> None:
    """Make `kind` sendable. Call it once per kind, from the feature package's `kinds.py`."""
    existing = _KINDS.get(kind)
    if existing is not None and existing.render is not render:
        raise ValueError(f"outbox kind {kind!r} is registered twice; give the new one its own name")
    _KINDS[str(kind)] = KindSpec(str(kind), render, timed, answerable)


def spec_of(kind: str) -> KindSpec | None:
    """How rows of `kind` are rendered; None if no package registered it."""
    _discover()
    return _KINDS.get(kind)


def answerable_kinds() -> frozenset[str]:
    _discover()
    return frozenset(spec.kind for spec in _KINDS.values() if spec.answerable)


def _discover() -> None:
    """Import `handlers.<feature>.kinds` for every feature package that has one (once)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    for package in pkgutil.iter_modules(handlers.__path__):
        name = f"{handlers.__name__}.{package.name}.kinds"
        if package.ispkg and importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
