"""Which check-in answers must reach a person on the staff: the one place that decides, and raises
the flags (storage/flags.py). Danger in what they typed or said is flagged as they say it
(handlers/participants/support.py), not here."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.alerts.rules import DEFAULT_RULES, Rules
from storage.flags import add_flag
from storage.models import Checkin, Flag, FlagReason

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Alert:
    reason: str  # a FlagReason
    urgent: bool  # to the caseworker at once, before anything else


def alerts_for(checkin: Checkin, rules: Rules = DEFAULT_RULES) -> list[Alert]:
    """Mood 1 of 5; no safe place to live; asks to be contacted: each unless the organisation
    switched it off (handlers/alerts/rules.py)."""
    alerts = []
    if checkin.mood == 1:
        alerts.append(Alert(FlagReason.LOW_MOOD, urgent=True))
    if checkin.housing == "no":
        alerts.append(Alert(FlagReason.NO_HOME, urgent=True))
    if checkin.wants_contact:
        alerts.append(Alert(FlagReason.WANTS_CONTACT, urgent=False))
    return [alert for alert in alerts if rules.allows(alert.reason)]


async def raise_alerts(
    tx: AsyncSession, checkin: Checkin, now: datetime, alerts: Sequence[Alert]
) -> list[Flag]:
    """A flag per alert, pointing at the check-in (its answers are the message), sent to staff
    with the rest of this message's flags once it is logged (handlers/alerts/sending.py)."""
    flags = [
        await add_flag(
            tx,
            participant_id=checkin.participant_id,
            message_id=None,
            reason=alert.reason,
            urgent=alert.urgent,
            now=now,
            checkin_id=checkin.id,
        )
        for alert in alerts
    ]
    if flags:
        log.info(
            "check-in %s flagged participant=%s reasons=%s",
            checkin.id,
            checkin.participant_id,
            [alert.reason for alert in alerts],
        )
    return flags
