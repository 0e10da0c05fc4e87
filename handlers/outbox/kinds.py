"""The outbox's own kind: a one-off notice to a staff member ("Siti (#12) asked for a call"),
durable where `turn.tell` is not: it is a row, sent after the commit, retried by the dispatcher,
and on WhatsApp outside the 24 hours it goes as the "notice" template."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.i18n import _
from handlers.outbox.queue import enqueue
from handlers.outbox.recipients import Recipient
from handlers.outbox.registry import Draft, Skip, register
from handlers.text import esc
from handlers.types import Reply, Template
from storage.models import OutboxKind, ScheduledStatus

NOTICE_TEMPLATE = "notice"


async def notify_staff(
    tx: AsyncSession,
    staff_id: int,
    text: str,
    now: datetime,
    *,
    params: dict[str, str] | None = None,
    about: int | None = None,
    key: str | None = None,
) -> bool:
    """Tell staff member `staff_id` something, durably. `text` is the English source (mark it
    with `N_`), translated into the staff member's language when sent; `params` fill its
    `{names}` (escaped then); `about`: the participant it is about (erasure blanks it); `key`
    makes it idempotent (default: every call is a new notice). True if a new row was added."""
    return await enqueue(
        tx,
        kind=OutboxKind.STAFF_NOTICE,
        recipient=Recipient.staff(staff_id),
        key=key or f"notice:{staff_id}:{uuid.uuid4().hex}",
        due_at=now,
        data={"text": text, "params": params or {}},
        about_id=about,
    )


async def _notice(draft: Draft) -> Reply | Skip:
    data = draft.row.data
    if not data or "text" not in data:
        return Skip(ScheduledStatus.CANCELLED, "notice forgotten (its participant was erased)")
    params = {str(k): esc(str(v)) for k, v in (data.get("params") or {}).items()}
    text = _(str(data["text"])).format(**params)
    return Reply(text, template=Template(NOTICE_TEMPLATE, (text,)))


register(OutboxKind.STAFF_NOTICE, render=_notice)
