"""Turning claimed outbox rows into replies for the dispatcher, and recording how sending went."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.i18n import use_language
from handlers.outbox.reachability import mark_unreachable
from handlers.programs.events import find_event, session_event
from handlers.reminders import text as reminder_text
from handlers.reminders.discretion import guard
from handlers.reminders.planning import reminders_ahead
from handlers.reminders.rules import ReminderPolicy, too_late
from handlers.types import Reply
from storage.addresses import addresses_of
from storage.messages import mark_failed, mark_sent, queue_outbound
from storage.models import (
    Address,
    Participant,
    ParticipantStatus,
    ProgramSession,
    ScheduledMessage,
    ScheduledStatus,
)
from storage.outbox import rows_by_id, settle
from storage.programs import next_session_of_program

log = logging.getLogger(__name__)

TIMED = {"reminder", "confirmation", "seat", "waitlisted"}  # pointless once the event has begun


@dataclass(frozen=True)
class Delivery:
    row_id: int
    participant_id: int
    channel: str
    address: str
    reply: Reply
    message_id: int  # the queued row in the message log


def best_address(addresses: list[Address], channels: Collection[str]) -> Address | None:
    """The reachable address on a channel we run, the most recently used first."""
    usable = [a for a in addresses if a.channel in channels and a.blocked_at is None]
    usable.sort(
        key=lambda a: (a.last_inbound_at is not None, a.last_inbound_at or a.created_at),
        reverse=True,
    )
    return usable[0] if usable else None


async def prepare(
    tx: AsyncSession,
    row_ids: list[int],
    now: datetime,
    policy: ReminderPolicy,
    channels: Collection[str],
) -> list[Delivery]:
    """Render the claimed rows; rows that must not go out are settled as skipped or cancelled."""
    deliveries = []
    for row in await rows_by_id(tx, row_ids):
        outcome = await _prepare_one(tx, row, now, policy, channels)
        if isinstance(outcome, Delivery):
            deliveries.append(outcome)
        else:
            status, reason = outcome
            await settle(tx, row.id, status, now, error=reason)
            log.info("outbox row %s %s: %s", row.id, status, reason)
    return deliveries


async def _prepare_one(
    tx: AsyncSession,
    row: ScheduledMessage,
    now: datetime,
    policy: ReminderPolicy,
    channels: Collection[str],
) -> Delivery | tuple[str, str]:
    participant = await tx.get(Participant, row.participant_id)
    if participant is None or participant.status != ParticipantStatus.ACTIVE:
        return (
            ScheduledStatus.SKIPPED,
            f"participant {participant.status if participant else 'gone'}",
        )
    if row.kind in TIMED and too_late(now, row.due_at, row.event_at, policy.grace):
        return ScheduledStatus.SKIPPED, "too late"
    ref = f"s{row.session_id}" if row.session_id is not None else f"o{row.occurrence_id}"
    found = await find_event(tx, ref)
    if found is None:
        return ScheduledStatus.SKIPPED, "event gone"
    event, live = found
    if not live and row.kind != "cancelled":
        return ScheduledStatus.CANCELLED, "event cancelled"
    address = best_address(await addresses_of(tx, participant.id), channels)
    if address is None:
        return ScheduledStatus.SKIPPED, "no reachable address on a running channel"
    with use_language(participant.language):
        reply = await _render(tx, row, event, participant, now)
    if participant.discreet:
        reply = guard(reply, row.kind)
    message_id = await queue_outbound(
        tx,
        channel=address.channel,
        address_id=address.id,
        participant_id=participant.id,
        kind=row.kind,
        body=reply.text,
        now=now,
    )
    return Delivery(row.id, participant.id, address.channel, address.value, reply, message_id)


async def _render(
    tx: AsyncSession,
    row: ScheduledMessage,
    event: reminder_text.Event,
    participant: Participant,
    now: datetime,
) -> Reply:
    if row.kind in ("confirmation", "seat"):
        ahead = await reminders_ahead(
            tx, row.participant_id, now,
            session_id=row.session_id, occurrence_id=row.occurrence_id,
        )  # fmt: skip
        render = reminder_text.seat_free if row.kind == "seat" else reminder_text.confirmation
        return render(event, participant, now, ahead)
    if row.kind == "waitlisted":
        return reminder_text.waitlisted(event, participant, now)
    if row.kind == "cancelled":
        return reminder_text.cancelled(event, participant, now)
    if row.kind == "moved":
        return reminder_text.moved(event, participant, now)
    if row.kind == "followup":
        following = None
        if row.session_id is not None:
            missed = await tx.get(ProgramSession, row.session_id)
            if missed is not None:
                upcoming = await next_session_of_program(tx, missed.program_id, now)
                following = session_event(upcoming) if upcoming is not None else None
        return reminder_text.follow_up(event, participant, now, following)
    return reminder_text.reminder(event, participant, now)


async def complete(
    tx: AsyncSession,
    delivery: Delivery,
    now: datetime,
    *,
    ok: bool,
    external_id: str | None,
    error: str | None,
    unreachable: bool,
    attempts: int,
) -> None:
    """Record the platform's answer on both the outbox row and the message log."""
    if ok:
        await mark_sent(tx, delivery.message_id, external_id, attempts, now)
        await settle(tx, delivery.row_id, ScheduledStatus.SENT, now, message_id=delivery.message_id)
        return
    await mark_failed(tx, delivery.message_id, error or "unknown", attempts)
    await settle(
        tx,
        delivery.row_id,
        ScheduledStatus.FAILED,
        now,
        error=error,
        message_id=delivery.message_id,
    )
    if unreachable:
        await mark_unreachable(tx, delivery.channel, delivery.address, now)
