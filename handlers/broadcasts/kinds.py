"""The outbox kind of a broadcast: one row per recipient, rendered when it is sent."""

from __future__ import annotations

from handlers.broadcasts.message import broadcast_text
from handlers.outbox.registry import Draft, Skip, register
from handlers.types import Reply
from storage.models import Broadcast, BroadcastStatus, Organisation, OutboxKind, ScheduledStatus


async def _broadcast(draft: Draft) -> Reply | Skip:
    broadcast_id = draft.row.broadcast_id
    broadcast = await draft.tx.get(Broadcast, broadcast_id) if broadcast_id is not None else None
    if broadcast is None:
        return Skip(ScheduledStatus.FAILED, "broadcast gone")
    if broadcast.status == BroadcastStatus.CANCELLED:
        return Skip(ScheduledStatus.CANCELLED, "broadcast cancelled")
    organisation = await draft.tx.get(Organisation, broadcast.organisation_id)
    name = organisation.name if organisation is not None else ""
    text = broadcast_text(broadcast, name, draft.reader.language, draft.reader.discreet)
    return Reply(text)


register(OutboxKind.BROADCAST, render=_broadcast)
