"""The digest as an outbox kind: rendered when it is sent, from what is true then."""

from __future__ import annotations

from handlers.digest.compose import compose
from handlers.outbox.registry import Draft, Skip, register
from handlers.staff.commands import staff_payload
from handlers.types import Reply, Template
from storage.models import OutboxKind, ScheduledStatus

TEMPLATE = "digest"  # bot/channels/whatsapp/templates.toml: "your morning digest is ready"


def open_digest_payload(row_id: int) -> str:
    return staff_payload("dg", row_id)


async def _digest(draft: Draft) -> Reply | Skip:
    staff = draft.reader.staff
    if staff is None:
        return Skip(ScheduledStatus.FAILED, "a digest is for a staff member")
    if not staff.digest_on:
        return Skip(ScheduledStatus.CANCELLED, "digest turned off")
    if draft.row.event_at is not None and draft.now >= draft.row.event_at:
        return Skip(ScheduledStatus.SKIPPED, "too late: its day is over")
    digest = await compose(
        draft.tx, staff, draft.now, scheduled_id=draft.row.id, channel=draft.reader.channel
    )
    if digest.empty and not staff.digest_quiet_line:
        return Skip(ScheduledStatus.SKIPPED, "nothing to report")
    template = Template(TEMPLATE, (str(digest.attention),), (open_digest_payload(draft.row.id),))
    return Reply(digest.text, digest.buttons, template=template)


register(OutboxKind.DIGEST, render=_digest)
