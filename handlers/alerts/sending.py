"""Sending an alert: one durable row per flag and staff member, due now, and the escalation to
the admins planned at the same moment (cancelled when someone takes the alert on)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.alerts.rules import rules_of
from handlers.outbox.queue import enqueue
from handlers.outbox.recipients import Recipient
from storage.checkins.alerts import cancel_escalation, caseworker_of
from storage.flags import alerting_flags_at
from storage.models import Flag, OutboxKind, Participant
from storage.staff.accounts import active_admins

log = logging.getLogger(__name__)


def alert_key(flag_id: int, staff_id: int) -> str:
    return f"alert:{flag_id}:{staff_id}"


def escalation_prefix(flag_id: int) -> str:
    return f"alert-up:{flag_id}:"


async def alert_turn(tx: AsyncSession, participant_id: int, now: datetime) -> int:
    """Alert staff about the flags this message raised that call for it (danger, a check-in's
    answers), all in one alert; how many staff members were alerted."""
    flags = await alerting_flags_at(tx, participant_id, now)
    return await alert_staff(tx, flags, now) if flags else 0


async def alert_staff(tx: AsyncSession, flags: Sequence[Flag], now: datetime) -> int:
    """Tell the participant's caseworker (with none, their organisation's admins) about `flags`
    (raised by one message) now, and plan the escalation to the admins; how many staff members
    were alerted. Nobody in chat for a participant of no organisation (`pendamping flags list`
    shows them). The first flag names the alert: its keys, its buttons."""
    lead = flags[0]
    participant = await tx.get(Participant, lead.participant_id)
    if participant is None or participant.organisation_id is None:
        return 0
    caseworker = await caseworker_of(tx, participant)
    admins = await active_admins(tx, participant.organisation_id)
    alerted = [caseworker] if caseworker is not None else admins
    data = {"flags": [flag.id for flag in flags]}
    for member in alerted:
        await enqueue(
            tx,
            kind=OutboxKind.STAFF_ALERT,
            recipient=Recipient.staff(member.id),
            key=alert_key(lead.id, member.id),
            due_at=now,
            data=data,
            about_id=participant.id,
        )
    rules = await rules_of(tx, participant.organisation_id)
    for admin in admins:
        await enqueue(
            tx,
            kind=OutboxKind.ALERT_ESCALATION,
            recipient=Recipient.staff(admin.id),
            key=escalation_prefix(lead.id) + str(admin.id),
            due_at=now + timedelta(hours=rules.escalate_hours),
            data={**data, "hours": rules.escalate_hours},
            about_id=participant.id,
        )
    log.info("flags %s alerted %d staff member(s)", data["flags"], len(alerted))
    return len(alerted)


async def taken_on(tx: AsyncSession, lead_id: int) -> int:
    """Someone took the alert on (or closed it): no escalation; how many rows were cancelled."""
    return await cancel_escalation(tx, escalation_prefix(lead_id))
