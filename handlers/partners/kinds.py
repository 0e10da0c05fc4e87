"""The outbox kind of the referrals: asking a participant whether a partner may see their data.
Registered with handlers/outbox/registry.py when this module is imported."""

from __future__ import annotations

from handlers.outbox.registry import Draft, Skip, register
from handlers.partners.consent import question
from handlers.partners.referrals import ASK_KIND, referral_of_key
from handlers.types import Reply
from storage.models import Referral, ReferralStatus, ScheduledStatus


async def _ask(draft: Draft) -> Reply | Skip:
    """The consent question, while the referral still waits for an answer. Where free text is
    not allowed it goes as the "update" template whose "Buka" shows this (the default)."""
    participant = draft.reader.participant
    referral_id = referral_of_key(draft.row.key)
    referral = await draft.tx.get(Referral, referral_id) if referral_id is not None else None
    if participant is None or referral is None or referral.participant_id != participant.id:
        return Skip(ScheduledStatus.FAILED, "a referral question needs its participant's referral")
    if referral.status != ReferralStatus.ASKED:
        return Skip(ScheduledStatus.CANCELLED, f"referral {referral.status}")
    return await question(draft.tx, referral, participant)


register(ASK_KIND, render=_ask)
