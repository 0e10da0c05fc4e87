"""How a broadcast is going, told to the staff member who sent it: one message edited in place
while it runs where the channel can edit (Telegram), a few milestones where it cannot
(WhatsApp: started, half-way), and at the end the figures: sent, delivered and read, could not
be reached (those people are now marked unreachable), failed and why, skipped and why, cancelled.

`progress_notes` decides, in one transaction, what to send for every broadcast under way and
claims it (so two bot processes never both send a milestone or the final figures); the bot sends
the notes (bot/outbox/broadcast_progress.py) and records the progress message with `noted`.

`Broadcast.progress_external_id` holds the progress message's id on a channel that edits, or
the last milestone told ("milestone:start", "milestone:half") on one that does not.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.i18n import N_, _, use_language
from handlers.outbox.recipients import Reader, Recipient, Unreachable, reach
from handlers.types import Reply, Template
from storage.broadcasts.figures import Figures, figures_of
from storage.models import Broadcast, BroadcastStatus

log = logging.getLogger(__name__)

EDITS = frozenset({"telegram"})  # channels whose progress message is edited in place
STARTED, HALF = "milestone:start", "milestone:half"
UNDER_WAY = (BroadcastStatus.SENDING, BroadcastStatus.SCHEDULED, BroadcastStatus.CANCELLED)

# The outbox's reasons (English, for the log), as the sender reads them.
REASONS = {
    "participant stopped": N_("stopped messages"),
    "participant unreachable": N_("could not be reached before"),
    "participant erased": N_("erased their data"),
    "participant gone": N_("no longer registered"),
    "no reachable address on a running channel": N_("no chat the bot can reach"),
    "broadcast cancelled": N_("cancelled"),
    "too late": N_("too late"),
}


@dataclass(frozen=True)
class ProgressNote:
    """One message to the sender about broadcast `broadcast_id`."""

    broadcast_id: int
    channel: str
    address: str  # the platform's address of the sender's chat
    address_id: int
    reply: Reply  # with `edit_ref`: replaces the earlier progress message
    final: bool
    first: bool  # the first progress message (its id is recorded once sent)


def reason(code: str) -> str:
    return _(REASONS[code]) if code in REASONS else code


def _by_reason(counts: dict[str, int]) -> str:
    return ", ".join(f"{reason(code)}: {n}" for code, n in sorted(counts.items(), key=_largest))


def _largest(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def running_text(broadcast_id: int, figures: Figures) -> str:
    done = figures.recipients - figures.waiting
    lines = [
        _("📢 <b>Announcement #{id}: sending</b>").format(id=broadcast_id),
        _("{done} of {total} done").format(done=done, total=figures.recipients),
        _("Sent: {sent} · failed: {failed} · skipped: {skipped}").format(
            sent=figures.sent, failed=figures.failed_total, skipped=figures.skipped_total
        ),
    ]
    return "\n".join(lines)


def final_text(broadcast_id: int, figures: Figures, cancelled: bool) -> str:
    if cancelled:
        head = _("📢 <b>Announcement #{id} was cancelled</b>").format(id=broadcast_id)
    else:
        head = _("📢 <b>Announcement #{id} is finished</b>").format(id=broadcast_id)
    lines = [
        head,
        _("Recipients: {n}").format(n=figures.recipients),
        _("Sent: {n}").format(n=figures.sent),
    ]
    if figures.delivered or figures.read:
        lines.append(
            _("Arrived: {delivered} · read: {read} (WhatsApp)").format(
                delivered=figures.delivered, read=figures.read
            )
        )
    if figures.unreachable:
        lines.append(
            _("Blocked the bot or chat gone: {n} (now marked unreachable)").format(
                n=figures.unreachable
            )
        )
    other_failures = figures.failed_total - figures.unreachable
    if other_failures > 0:
        lines.append(
            _("Failed: {n} ({reasons})").format(
                n=figures.failed_total, reasons=_by_reason(figures.failed)
            )
        )
    if figures.skipped_total:
        lines.append(
            _("Not sent: {n} ({reasons})").format(
                n=figures.skipped_total, reasons=_by_reason(figures.skipped)
            )
        )
    if figures.cancelled:
        lines.append(_("Not sent, cancelled: {n}").format(n=figures.cancelled))
    if figures.interrupted:
        lines.append(
            _("Interrupted while sending (may have arrived, not sent again): {n}").format(
                n=figures.interrupted
            )
        )
    return "\n".join(lines)


def _reply(text: str, edit_ref: str | None) -> Reply:
    """Staff on WhatsApp outside their 24 hours get it as the `notice` template."""
    summary = " ".join(line for line in text.replace("<b>", "").replace("</b>", "").split("\n"))
    return Reply(text, edit_ref=edit_ref, template=Template("notice", (summary,)))


async def _claim(
    tx: AsyncSession, broadcast: Broadcast, values: dict[str, object], **expected: object
) -> bool:
    """Change the broadcast's row only if it still reads `expected`: exactly one process wins."""
    query = update(Broadcast).where(Broadcast.id == broadcast.id)
    for column, value in expected.items():
        field = getattr(Broadcast, column)
        query = query.where(field.is_(None) if value is None else field == value)
    result = await tx.execute(query.values(**values))
    won = bool(result.rowcount == 1)  # type: ignore[attr-defined]
    if won:
        await tx.refresh(broadcast)
    return won


async def progress_notes(
    tx: AsyncSession, now: datetime, channels: Collection[str]
) -> list[ProgressNote]:
    """What to tell the senders of broadcasts under way now; finished ones become DONE."""
    found = (
        await tx.execute(
            select(Broadcast)
            .where(
                Broadcast.status.in_(UNDER_WAY),
                Broadcast.finished_at.is_(None),
                Broadcast.confirmed_at.is_not(None),
            )
            .order_by(Broadcast.id)
        )
    ).scalars()
    notes = []
    for broadcast in list(found):
        note = await _note_for(tx, broadcast, now, channels)
        if note is not None:
            notes.append(note)
    return notes


async def _note_for(
    tx: AsyncSession, broadcast: Broadcast, now: datetime, channels: Collection[str]
) -> ProgressNote | None:
    figures = await figures_of(tx, broadcast.id)
    cancelled = broadcast.status == BroadcastStatus.CANCELLED
    if figures.finished:
        status = BroadcastStatus.CANCELLED if cancelled else BroadcastStatus.DONE
        if not await _claim(
            tx, broadcast, {"status": status, "finished_at": now}, finished_at=None
        ):
            return None  # another process finished it
        log.info("broadcast %s finished (%s)", broadcast.id, status)
    reader = await _sender(tx, broadcast, channels)
    if reader is None:
        return None
    with use_language(reader.language):
        if figures.finished:
            text = final_text(broadcast.id, figures, cancelled)
            return _note(broadcast, reader, text, final=True, first=False, edit=False)
        if broadcast.status == BroadcastStatus.SCHEDULED and figures.waiting == figures.recipients:
            return None  # nobody's local time has come yet
        return await _running(tx, broadcast, reader, figures)


async def _running(
    tx: AsyncSession, broadcast: Broadcast, reader: Reader, figures: Figures
) -> ProgressNote | None:
    text = running_text(broadcast.id, figures)
    mark = broadcast.progress_external_id
    if reader.channel in EDITS:
        if broadcast.progress_address_id is None:  # the first: claimed, then sent
            if not await _claim(
                tx, broadcast, {"progress_address_id": reader.address.id}, progress_address_id=None
            ):
                return None
            return _note(broadcast, reader, text, final=False, first=True, edit=False)
        if mark is None or broadcast.progress_address_id != reader.address.id:
            return None  # being sent by another process, or the sender changed chats
        return _note(broadcast, reader, text, final=False, first=False, edit=True)
    done = figures.recipients - figures.waiting
    step = HALF if figures.recipients and 2 * done >= figures.recipients else STARTED
    if mark == step or (mark == HALF and step == STARTED):
        return None
    if not await _claim(
        tx,
        broadcast,
        {"progress_external_id": step, "progress_address_id": reader.address.id},
        progress_external_id=mark,
    ):
        return None
    return _note(broadcast, reader, text, final=False, first=False, edit=False)


def _note(
    broadcast: Broadcast, reader: Reader, text: str, *, final: bool, first: bool, edit: bool
) -> ProgressNote:
    edit_ref = broadcast.progress_external_id if edit else None
    return ProgressNote(
        broadcast.id,
        reader.channel,
        reader.address.value,
        reader.address.id,
        _reply(text, edit_ref),
        final,
        first,
    )


async def _sender(
    tx: AsyncSession, broadcast: Broadcast, channels: Collection[str]
) -> Reader | None:
    """The sender's chat (None: sent from the command line, or no staff chat reachable)."""
    if broadcast.created_by is None:
        return None
    reader = await reach(tx, Recipient.staff(broadcast.created_by), channels)
    return None if isinstance(reader, Unreachable) else reader


async def noted(tx: AsyncSession, note: ProgressNote, external_id: str | None) -> None:
    """Record how the first progress message went: its id to edit later, or, if it did not go
    out, free the claim so that it is tried again."""
    if not note.first:
        return
    values: dict[str, object] = (
        {"progress_external_id": external_id}
        if external_id is not None
        else {"progress_address_id": None}
    )
    await tx.execute(update(Broadcast).where(Broadcast.id == note.broadcast_id).values(**values))
