"""Showing an outbox message again: the "Buka" (open) button of an "update" template, which
WhatsApp sends when free text is not allowed, presses `open:<outbox row id>`."""

from __future__ import annotations

import logging
from dataclasses import replace

from handlers.flow import Turn
from handlers.i18n import _
from handlers.outbox.recipients import Reader, Recipient
from handlers.outbox.registry import Draft, Skip, spec_of
from handlers.reminders.discretion import guard
from storage.models import ScheduledMessage

log = logging.getLogger(__name__)

ROW_ID_DIGITS = 9  # a row id fits a 32-bit integer column; a longer "id" was never ours


def open_payload(row_id: int) -> str:
    return f"open:{row_id}"


async def reopen(turn: Turn, value: str) -> None:
    """Show the full message of outbox row `value`, only to the participant it was for."""
    participant = turn.participant
    row_id = int(value) if value.isdigit() and len(value) <= ROW_ID_DIGITS else None
    row = await turn.tx.get(ScheduledMessage, row_id) if row_id is not None else None
    spec = spec_of(row.kind) if row is not None else None
    if participant is None or row is None or spec is None or row.participant_id != participant.id:
        # Someone else's message, or one deleted since: never shown, never told apart.
        log.info("open refused address=%s", turn.address.id)
        turn.say(_("Sorry, that message is no longer available."))
        return
    reader = Reader(
        recipient=Recipient(participant.id),
        channel=turn.address.channel,
        address=turn.address,
        language=participant.language,
        timezone=participant.timezone,
        discreet=participant.discreet,
        participant=participant,
    )
    reply = await spec.render(Draft(turn.tx, row, reader, turn.now))
    if isinstance(reply, Skip):
        log.info("open row=%s: %s", row.id, reply.reason)
        turn.say(
            _(
                "That message was about something that has changed or no longer takes place. "
                "Type JADWAL to see your schedule."
            )
        )
        return
    if participant.discreet:
        reply = guard(reply, row.kind)
    # The person just wrote: the full message goes as it is, no template.
    turn.replies.append(replace(reply, template=None, template_only=False))
