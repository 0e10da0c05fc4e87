"""Putting a message in the outbox: one row per message, with a key that makes planning idempotent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.outbox.recipients import Recipient
from handlers.programs.refs import EventRef
from storage.outbox import schedule

# Set in a transaction's `info` when it added an outbox row: whoever commits it wakes the
# dispatcher (bot/inbox.py), so a confirmation goes out now, not at the next poll.
OUTBOX_CHANGED = "outbox_changed"


async def enqueue(
    tx: AsyncSession,
    *,
    kind: str,
    recipient: Recipient,
    key: str,
    due_at: datetime,
    about: EventRef | None = None,
    event_at: datetime | None = None,
    offset_minutes: int | None = None,
    data: dict[str, Any] | None = None,
    about_id: int | None = None,
) -> bool:
    """A row of `kind` for `recipient`, due at `due_at`, unless one with `key` exists; True if new.

    `event_at`: the moment the message is about (a timed kind is never sent after it).
    `data`: what the kind needs to render it (a staff notice's text); `about_id`: the
    participant a staff member's message is about (erasure blanks its `data`).
    """
    added = await schedule(
        tx,
        key=key,
        kind=str(kind),
        due_at=due_at,
        event_at=event_at,
        offset_minutes=offset_minutes,
        data=data,
        about_id=about_id,
        **recipient.columns(),
        **(about.columns() if about is not None else {}),
    )
    if added:
        tx.info[OUTBOX_CHANGED] = True
    return added
