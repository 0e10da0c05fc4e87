"""A test-only feature package with one outbox kind, registered the way the README recipe says."""

from __future__ import annotations

from handlers.outbox.registry import Draft, Skip, register
from handlers.text import esc
from handlers.types import Button, Reply
from storage.models import ScheduledStatus

NUDGE = "nudge"  # a real package adds a member to storage.models.OutboxKind instead
ASLEEP = "nudge_asleep"  # a kind whose render decides the row must not go out


async def render_nudge(draft: Draft) -> Reply:
    where = esc(draft.reader.timezone)
    return Reply(f"Halo! Sudah minum air hari ini? ({where})", (Button("Sudah", "nudge:yes"),))


async def render_asleep(draft: Draft) -> Skip:
    return Skip(ScheduledStatus.SKIPPED, "nothing to say")


register(NUDGE, render=render_nudge, timed=True)
register(ASLEEP, render=render_asleep)
