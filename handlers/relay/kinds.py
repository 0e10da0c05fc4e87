"""The outbox kind of a staff member's message to a participant: "from your pendamping <name>",
with the way to end the conversation; on WhatsApp outside the 24 hours, the `relay` template
whose Buka button shows the text to its owner only (handlers/outbox/reopen.py)."""

from __future__ import annotations

from handlers.i18n import _
from handlers.outbox.registry import Draft, Skip, register
from handlers.outbox.reopen import open_payload
from handlers.text import esc
from handlers.types import Button, Reply, Template
from storage.models import OutboxKind, ScheduledStatus, Staff
from storage.staff.relay import relay_of_outbox_row

RELAY_TEMPLATE = "relay"
PREFIX = "relay"  # the participant's relay buttons: "relay:end"
END_PAYLOAD = f"{PREFIX}:end"


def end_button() -> Button:
    return Button(_("Done"), END_PAYLOAD)


async def _relayed(draft: Draft) -> Reply | Skip:
    relay = await relay_of_outbox_row(draft.tx, draft.row.id)
    if relay is None:  # erased with the participant since it was queued
        return Skip(ScheduledStatus.SKIPPED, "relayed message gone")
    writer = await draft.tx.get(Staff, relay.staff_id) if relay.staff_id is not None else None
    name = esc(writer.name) if writer is not None else _("your pendamping")
    text = (
        _("💬 <b>A message from your pendamping, {name}:</b>").format(name=name)
        + "\n\n"
        + esc(relay.text)
        + "\n\n"
        + _("Just reply here to answer {name}. When you are done, press Done.").format(name=name)
    )
    template = Template(RELAY_TEMPLATE, (), (open_payload(draft.row.id),))
    return Reply(text, (end_button(),), template=template)


register(OutboxKind.RELAY, render=_relayed)
