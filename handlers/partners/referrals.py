"""A referral's life: staff refer a participant to an active partner's program, the participant
is asked (handlers/partners/kinds.py), agrees or not, and any of the three may withdraw it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.outbox.queue import enqueue
from handlers.outbox.recipients import Recipient
from handlers.staff.audit import AuditAction, audit
from handlers.staff.scope import StaffView
from storage.models import Participant, Program, Referral, ReferralStatus
from storage.staff.partners import active_partner_ids, open_referral, referrals_of

ASK_KIND = "referral_ask"  # the outbox kind of the consent question


class WithdrawnBy(StrEnum):
    PARTICIPANT = "participant"
    ORGANISATION = "organisation"  # the referring organisation
    PARTNER = "partner"


class ReferralRefused(Exception):
    """Why a referral cannot be made (for the command line; chat words its own)."""


def ask_key(referral_id: int) -> str:
    return f"{ASK_KIND}:{referral_id}"


def referral_of_key(key: str) -> int | None:
    """The referral an outbox row of ASK_KIND asks about (read from its key, only here)."""
    prefix, _sep, value = key.partition(":")
    return int(value) if prefix == ASK_KIND and value.isdigit() else None


async def partner_programs(tx: AsyncSession, partner_id: int) -> list[Program]:
    query = select(Program).where(Program.organisation_id == partner_id).order_by(Program.id)
    return list((await tx.execute(query)).scalars())


async def refer(
    tx: AsyncSession,
    *,
    participant: Participant,
    organisation_id: int,
    partner_id: int,
    program_id: int | None,
    staff: StaffView | None,
    channel: str,
    now: datetime,
) -> Referral:
    """Ask `participant` (already checked to be in the referrer's scope, with act) whether the
    partner may see them. Nothing is visible to the partner before they agree."""
    if participant.organisation_id != organisation_id:
        raise ReferralRefused("only the participant's own organisation can refer them")
    if partner_id not in await active_partner_ids(tx, organisation_id):
        raise ReferralRefused(
            f"organisation {partner_id} is not an active partner; see `pendamping partners list`"
        )
    if program_id is not None:
        program = await tx.get(Program, program_id)
        if program is None or program.organisation_id != partner_id:
            raise ReferralRefused(f"program {program_id} is not one of the partner's programs")
    if await open_referral(tx, participant.id, partner_id, program_id) is not None:
        raise ReferralRefused("this participant is already referred there (asked or active)")
    referral = Referral(
        participant_id=participant.id,
        organisation_id=organisation_id,
        partner_id=partner_id,
        program_id=program_id,
        referred_by=staff.staff_id if staff is not None else None,
        status=ReferralStatus.ASKED,
        created_at=now,
    )
    tx.add(referral)
    await tx.flush()
    await enqueue(
        tx, kind=ASK_KIND, recipient=Recipient(participant.id), key=ask_key(referral.id), due_at=now
    )
    await audit(
        tx,
        staff=staff,
        action=AuditAction.REFER,
        channel=channel,
        now=now,
        participant_id=participant.id,
        organisation_id=organisation_id,
        detail=f"referral {referral.id} asked: organisation {partner_id} program {program_id}",
    )
    return referral


async def answer(
    tx: AsyncSession,
    participant: Participant,
    referral_id: int,
    *,
    agree: bool,
    now: datetime,
    channel: str,
) -> Referral | None:
    """The participant's answer to their own asked referral; None if it is not theirs or not
    waiting for an answer (a forged or stale id changes nothing)."""
    referral = await tx.get(Referral, referral_id)
    if referral is None or referral.participant_id != participant.id:
        return None
    if referral.status != ReferralStatus.ASKED:
        return None
    referral.status = ReferralStatus.ACTIVE if agree else ReferralStatus.DECLINED
    referral.answered_at = now
    await tx.flush()
    await audit(
        tx,
        staff=None,
        action=AuditAction.REFER,
        channel=channel,
        now=now,
        participant_id=participant.id,
        organisation_id=referral.organisation_id,
        detail=f"referral {referral.id} {'agreed' if agree else 'declined'} by the participant",
    )
    return referral


async def withdraw(
    tx: AsyncSession,
    referral: Referral,
    *,
    by: WithdrawnBy,
    staff: StaffView | None,
    channel: str,
    now: datetime,
) -> bool:
    """Withdraw an asked or active referral; False when it was closed already."""
    if referral.status not in (ReferralStatus.ASKED, ReferralStatus.ACTIVE):
        return False
    referral.status = ReferralStatus.WITHDRAWN
    referral.withdrawn_at = now
    referral.withdrawn_by = str(by)
    await tx.flush()
    await audit(
        tx,
        staff=staff,
        action=AuditAction.WITHDRAW,
        channel=channel,
        now=now,
        participant_id=referral.participant_id,
        organisation_id=staff.organisation_id if staff is not None else referral.organisation_id,
        detail=f"referral {referral.id} withdrawn by the {by}",
    )
    return True


async def referral_for_staff(
    tx: AsyncSession, staff: StaffView, referral_id: int | str
) -> tuple[Referral, WithdrawnBy] | None:
    """A referral `staff` may withdraw (their organisation referred, or is the partner), and as
    which side; None for any other id, existing or not."""
    if isinstance(referral_id, str):
        text = referral_id.strip().lstrip("#")
        if not text.isdigit() or len(text) > 9:
            return None
        referral_id = int(text)
    referral = await tx.get(Referral, referral_id)
    if referral is None:
        return None
    if referral.organisation_id == staff.organisation_id:
        return referral, WithdrawnBy.ORGANISATION
    if referral.partner_id == staff.organisation_id and referral.status == ReferralStatus.ACTIVE:
        return referral, WithdrawnBy.PARTNER
    return None


async def referral_programs(
    tx: AsyncSession, staff: StaffView, participant_id: int
) -> list[int] | None:
    """Which programs' sessions and attendance `staff` may see of the participant: None for
    their own organisation's participant (no limit); else the programs of the partner's active
    referrals (a referral to no program in particular: all of the partner's programs); [] when
    nothing (show no sessions at all)."""
    participant = await tx.get(Participant, participant_id)
    if participant is None:
        return []
    if participant.organisation_id == staff.organisation_id:
        return None
    programs: set[int] = set()
    for referral in await referrals_of(tx, participant_id, (ReferralStatus.ACTIVE,)):
        if referral.partner_id != staff.organisation_id:
            continue
        if referral.program_id is not None:
            programs.add(referral.program_id)
        else:
            programs.update(p.id for p in await partner_programs(tx, staff.organisation_id))
    return sorted(programs)
