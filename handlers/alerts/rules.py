"""Which check-in answers alert staff, and when an unanswered alert goes up to the admins: each
organisation's own choice, or these defaults. Danger in what someone writes always alerts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.checkins.alerts import alert_rules_of
from storage.models import FlagReason

DEFAULT_ESCALATE_HOURS = 4


@dataclass(frozen=True)
class Rules:
    low_mood: bool = True  # mood 1 of 5
    no_home: bool = True  # no safe place to live
    wants_contact: bool = True  # asks their caseworker to contact them
    escalate_hours: int = DEFAULT_ESCALATE_HOURS  # not taken on by then: to the admins

    def allows(self, reason: str) -> bool:
        """Whether a flag for `reason` alerts (reasons without a switch always do)."""
        switches = {
            FlagReason.LOW_MOOD: self.low_mood,
            FlagReason.NO_HOME: self.no_home,
            FlagReason.WANTS_CONTACT: self.wants_contact,
        }
        return switches.get(reason, True)


DEFAULT_RULES = Rules()


async def rules_of(tx: AsyncSession, organisation_id: int | None) -> Rules:
    if organisation_id is None:
        return DEFAULT_RULES
    row = await alert_rules_of(tx, organisation_id)
    if row is None:
        return DEFAULT_RULES
    return Rules(row.low_mood, row.no_home, row.wants_contact, row.escalate_hours)
