"""Queries on alerts: each organisation's alert rules, and who on the staff an alert goes to."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AlertRules,
    Participant,
    ScheduledMessage,
    ScheduledStatus,
    Staff,
    StaffStatus,
)


async def alert_rules_of(tx: AsyncSession, organisation_id: int) -> AlertRules | None:
    """The organisation's own rules, or None (the defaults apply)."""
    return await tx.get(AlertRules, organisation_id)


async def save_alert_rules(tx: AsyncSession, rules: AlertRules) -> AlertRules:
    return await tx.merge(rules)


async def caseworker_of(tx: AsyncSession, participant: Participant) -> Staff | None:
    """The participant's assigned caseworker, if active and of the participant's organisation."""
    if participant.caseworker_id is None:
        return None
    staff = await tx.get(Staff, participant.caseworker_id)
    if (
        staff is None
        or staff.status != StaffStatus.ACTIVE
        or staff.organisation_id != participant.organisation_id
    ):
        return None
    return staff


async def cancel_escalation(tx: AsyncSession, prefix: str) -> int:
    """Cancel the escalation rows not yet sent whose key starts with `prefix` (one flag's)."""
    result = await tx.execute(
        update(ScheduledMessage)
        .where(
            ScheduledMessage.status == ScheduledStatus.PENDING,
            ScheduledMessage.key.startswith(prefix, autoescape=True),
        )
        .values(status=ScheduledStatus.CANCELLED, error="alert taken on")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]
