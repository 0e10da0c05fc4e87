"""The outbox kind of a broadcast: one row per recipient, rendered when it is sent.

On WhatsApp outside the person's 24 hours the announcement goes as the `broadcast` template, the
teaser "Ada pengumuman baru dari {organisation}. Balas BACA untuk membacanya." whose Baca button
(or a typed BACA: handlers/broadcasts/reading.py) shows the full text. The row remembers that it
went as a teaser (`data["teaser"]`) and when it was opened (`data["opened"]`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.broadcasts.message import broadcast_text
from handlers.i18n import _
from handlers.outbox.recipients import Reader
from handlers.outbox.registry import Draft, Skip, register
from handlers.outbox.reopen import open_payload
from handlers.reminders.discretion import is_sensitive
from handlers.text import esc
from handlers.types import Reply, Template
from storage.models import (
    Broadcast,
    BroadcastStatus,
    Organisation,
    OutboxKind,
    ScheduledMessage,
    ScheduledStatus,
)

TEASER_TEMPLATE = "broadcast"
# WhatsApp's 24 hours, less the channel's safety margin (bot/channels/whatsapp/channel.py).
WINDOW = timedelta(hours=24) - timedelta(minutes=5)


def teaser_sender(organisation: str, discreet: bool) -> str:
    """Who the teaser names: the organisation, unless that would tell a stranger about prison or
    probation on the lock screen of someone in discreet mode."""
    if not organisation or (discreet and is_sensitive(organisation)):
        return _("your support program")
    return esc(organisation)


def goes_as_teaser(row: ScheduledMessage, reader: Reader, now: datetime) -> bool:
    """Whether WhatsApp will carry this row as its template (the window is closed)."""
    if reader.channel != "whatsapp":
        return False
    last = reader.address.last_inbound_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=now.tzinfo)
    return row.template_only or last is None or now - last >= WINDOW


def note_opened(row: ScheduledMessage, now: datetime) -> None:
    """The full text was shown to its reader (the Baca button, or a typed BACA)."""
    row.data = {**(row.data or {}), "opened": now.isoformat()}


async def _broadcast(draft: Draft) -> Reply | Skip:
    row = draft.row
    broadcast = await draft.tx.get(Broadcast, row.broadcast_id) if row.broadcast_id else None
    if broadcast is None:
        return Skip(ScheduledStatus.FAILED, "broadcast gone")
    if broadcast.status == BroadcastStatus.CANCELLED and row.status != ScheduledStatus.SENT:
        return Skip(ScheduledStatus.CANCELLED, "broadcast cancelled")
    organisation = await draft.tx.get(Organisation, broadcast.organisation_id)
    name = organisation.name if organisation is not None else ""
    reader = draft.reader
    text = broadcast_text(broadcast, name, reader.language, reader.discreet)
    if row.status == ScheduledStatus.SENT:  # shown again: its teaser's Baca was pressed
        note_opened(row, draft.now)
    elif goes_as_teaser(row, reader, draft.now):
        row.data = {**(row.data or {}), "teaser": True}
    template = Template(
        TEASER_TEMPLATE, (teaser_sender(name, reader.discreet),), (open_payload(row.id),)
    )
    return Reply(text, template=template)


register(OutboxKind.BROADCAST, render=_broadcast)
