"""A staff member's message to a participant: checked, stored, put in the outbox, audited.

The participant's status decides at once: a participant who stopped messages, was erased, is
unreachable or has no chat yet gets nothing, and the staff member is told why straight away.
"""

from __future__ import annotations

from handlers.flow import Turn
from handlers.i18n import _
from handlers.outbox.queue import enqueue
from handlers.outbox.recipients import Recipient, best_address
from handlers.reminders.discretion import is_sensitive
from handlers.staff.audit import AuditAction, audit_turn
from handlers.staff.scope import StaffView
from handlers.text import esc
from storage.addresses import addresses_of
from storage.models import (
    OutboxKind,
    Participant,
    ParticipantStatus,
    RelayDirection,
    RelayMessage,
    RelayStatus,
)
from storage.staff.relay import add_relay, outbox_row_id

MESSAGE_MAX = 1000  # characters: a message to read on a phone, and far below every platform limit


def label(participant: Participant) -> str:
    """How staff see the participant in relay texts: "Siti Aminah (#12)"."""
    return f"{esc(participant.name or '-')} (#{participant.id})"


async def why_not(turn: Turn, participant: Participant) -> str | None:
    """Why a message to `participant` cannot go now, for the staff member; None if it can."""
    who = label(participant)
    status = participant.status
    if status == ParticipantStatus.STOPPED:
        return _(
            "{who} has stopped messages from the bot (BERHENTI), so your message was not sent. "
            "Please reach them another way."
        ).format(who=who)
    if status == ParticipantStatus.ERASED:
        return _("This participant's data was erased, so your message was not sent.")
    if status == ParticipantStatus.PREREGISTERED:
        return _("{who} has not started using the bot yet, so your message was not sent.").format(
            who=who
        )
    addresses = await addresses_of(turn.tx, participant.id)
    channels = turn.settings.channels or {a.channel for a in addresses}
    if status == ParticipantStatus.UNREACHABLE or best_address(addresses, channels) is None:
        return _(
            "{who} has blocked the bot or their chat is gone, so your message was not sent. "
            "Please reach them another way."
        ).format(who=who)
    return None


async def send_to_participant(
    turn: Turn, staff: StaffView, participant: Participant, text: str
) -> RelayMessage | None:
    """Relay `text` (as typed, escaped when shown) and tell the staff member; None if refused."""
    refused = await why_not(turn, participant)
    if refused is not None:
        turn.say(refused)
        return None
    relay = await add_relay(
        turn.tx,
        participant_id=participant.id,
        staff_id=staff.staff_id,
        direction=RelayDirection.TO_PARTICIPANT,
        text=text[:MESSAGE_MAX],
        status=RelayStatus.QUEUED,
        now=turn.now,
    )
    key = f"relay:{relay.id}"
    await enqueue(
        turn.tx,
        kind=OutboxKind.RELAY,
        recipient=Recipient(participant.id),
        key=key,
        due_at=turn.now,
    )
    relay.outbox_id = await outbox_row_id(turn.tx, key)
    await audit_turn(
        turn,
        staff,
        AuditAction.MESSAGE,
        participant_id=participant.id,
        detail=f"relay {relay.id} to participant",
    )
    sent = _("Sent to {who}. Their reply will come to this chat.").format(who=label(participant))
    if participant.discreet and is_sensitive(text):
        sent += "\n\n" + _(
            "Note: {who} uses discreet mode, so words such as Bapas or wajib lapor in your "
            'message show as "…" (their lock screen may be seen by others).'
        ).format(who=label(participant))
    turn.say(sent)
    return relay
