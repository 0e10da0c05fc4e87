"""Sending an alert: one durable row per flag and staff member, due now, and the escalation to
the admins planned at the same moment (cancelled when someone takes the alert on)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.alerts.rules import rules_of
from handlers.outbox.queue import enqueue
from handlers.outbox.recipients import Recipient
from storage.alerts import admins_of, cancel_escalation, caseworker_of
from storage.models import Flag, OutboxKind, Participant

log = logging.getLogger(__name__)


def alert_key(flag_id: int, staff_id: int) -> str:
    return f"alert:{flag_id}:{staff_id}"


def escalation_prefix(flag_id: int) -> str:
    return f"alert-up:{flag_id}:"


async def alert_staff(tx: AsyncSession, flag: Flag, now: datetime) -> int:
    """Tell the participant's caseworker (with none, their organisation's admins) about `flag`
    now, and plan its escalation to the admins; how many staff members were alerted. Nobody
    in chat for a participant of no organisation (`pendamping flags list` shows it)."""
    participant = await tx.get(Participant, flag.participant_id)
    if participant is None or participant.organisation_id is None:
        return 0
    caseworker = await caseworker_of(tx, participant)
    admins = await admins_of(tx, participant.organisation_id)
    alerted = [caseworker] if caseworker is not None else admins
    for member in alerted:
        await enqueue(
            tx,
            kind=OutboxKind.STAFF_ALERT,
            recipient=Recipient.staff(member.id),
            key=alert_key(flag.id, member.id),
            due_at=now,
            data={"flag": flag.id},
            about_id=participant.id,
        )
    rules = await rules_of(tx, participant.organisation_id)
    for admin in admins:
        await enqueue(
            tx,
            kind=OutboxKind.ALERT_ESCALATION,
            recipient=Recipient.staff(admin.id),
            key=escalation_prefix(flag.id) + str(admin.id),
            due_at=now + timedelta(hours=rules.escalate_hours),
            data={"flag": flag.id, "hours": rules.escalate_hours},
            about_id=participant.id,
        )
    log.info("flag %s alerted %d staff member(s)", flag.id, len(alerted))
    return len(alerted)


async def taken_on(tx: AsyncSession, flag_id: int) -> int:
    """Someone took the alert on (or closed it): no escalation; how many rows were cancelled."""
    return await cancel_escalation(tx, escalation_prefix(flag_id))
