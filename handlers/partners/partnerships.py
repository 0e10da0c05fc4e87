"""A partnership's life: one organisation's admin proposes, the other's admin confirms, either
ends it (which withdraws its referrals). Shared by the chat (/mitra) and the command line."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.staff.audit import AuditAction, audit
from handlers.staff.scope import StaffView
from storage.models import Organisation, Partnership, PartnershipStatus, ReferralStatus
from storage.staff.partners import other_side, partnership_between, referrals_between

CLOSE_ENOUGH = 0.75  # difflib ratio for a name typed with a typo


class PartnershipRefused(Exception):
    """Why a step cannot be taken (the message is for the command line; chat words its own)."""


@dataclass(frozen=True)
class Ended:
    partnership: Partnership
    withdrawn: list[int]  # ids of the referrals withdrawn with it


async def find_organisations(tx: AsyncSession, ref: str) -> list[Organisation]:
    """Organisations an id or a name (case, extra spaces and one typo aside) may mean: one when
    it is clear, several when the name is ambiguous, none when nothing is close."""
    value = " ".join(ref.split()).lower().lstrip("#")
    if not value:
        return []
    if value.isdigit() and len(value) <= 9:
        found = await tx.get(Organisation, int(value))
        return [found] if found is not None else []
    every = list((await tx.execute(select(Organisation).order_by(Organisation.id))).scalars())
    exact = [o for o in every if o.name.lower() == value]
    if exact:
        return exact
    inside = [o for o in every if value in o.name.lower()]
    if inside:
        return inside
    scored = [
        (difflib.SequenceMatcher(None, value, o.name.lower()).ratio(), o.id, o) for o in every
    ]
    return [o for ratio, _id, o in sorted(scored, reverse=True) if ratio >= CLOSE_ENOUGH]


async def propose(
    tx: AsyncSession,
    *,
    organisation_id: int,
    partner_id: int,
    staff: StaffView | None,
    channel: str,
    now: datetime,
) -> Partnership:
    """A pending partnership proposed by `organisation_id` (an ended one may be proposed again)."""
    if organisation_id == partner_id:
        raise PartnershipRefused("an organisation cannot be its own partner")
    existing = await partnership_between(tx, organisation_id, partner_id)
    if existing is not None and existing.status != PartnershipStatus.ENDED:
        raise PartnershipRefused(
            f"partnership {existing.id} already exists ({existing.status}); "
            "see `pendamping partners list`"
        )
    if existing is None:
        existing = Partnership(organisation_id=organisation_id, partner_id=partner_id)
        tx.add(existing)
    existing.organisation_id, existing.partner_id = organisation_id, partner_id
    existing.status = PartnershipStatus.PENDING
    existing.proposed_by = staff.staff_id if staff is not None else None
    existing.confirmed_by = None
    existing.created_at, existing.confirmed_at, existing.ended_at = now, None, None
    await tx.flush()
    await _audit(tx, existing, "proposed", staff, organisation_id, channel, now)
    return existing


async def confirm(
    tx: AsyncSession,
    *,
    partnership_id: int,
    organisation_id: int,
    staff: StaffView | None,
    channel: str,
    now: datetime,
) -> Partnership:
    """The partner organisation (only it) confirms a pending proposal: it is active."""
    found = await _of(tx, partnership_id, organisation_id)
    if found is None or found.partner_id != organisation_id:
        raise PartnershipRefused(f"no proposal {partnership_id} awaits {organisation_id}'s answer")
    if found.status != PartnershipStatus.PENDING:
        raise PartnershipRefused(f"partnership {found.id} is {found.status}, not pending")
    found.status = PartnershipStatus.ACTIVE
    found.confirmed_by = staff.staff_id if staff is not None else None
    found.confirmed_at = now
    await tx.flush()
    await _audit(tx, found, "confirmed", staff, organisation_id, channel, now)
    return found


async def end(
    tx: AsyncSession,
    *,
    partnership_id: int,
    organisation_id: int | None,
    staff: StaffView | None,
    channel: str,
    now: datetime,
) -> Ended:
    """Either side ends it (`organisation_id` None: the command line, for any); its asked and
    active referrals are withdrawn."""
    found = await _of(tx, partnership_id, organisation_id)
    if found is None:
        raise PartnershipRefused(f"there is no partnership {partnership_id}")
    if found.status == PartnershipStatus.ENDED:
        raise PartnershipRefused(f"partnership {found.id} has ended already")
    found.status = PartnershipStatus.ENDED
    found.ended_at = now
    side = organisation_id if organisation_id is not None else found.organisation_id
    withdrawn = []
    open_ = (ReferralStatus.ASKED, ReferralStatus.ACTIVE)
    for referral in await referrals_between(tx, found.organisation_id, found.partner_id, open_):
        referral.status = ReferralStatus.WITHDRAWN
        referral.withdrawn_at = now
        referral.withdrawn_by = "partner" if referral.partner_id == side else "organisation"
        withdrawn.append(referral.id)
        await audit(
            tx,
            staff=staff,
            action=AuditAction.WITHDRAW,
            channel=channel,
            now=now,
            participant_id=referral.participant_id,
            organisation_id=side,
            detail=f"referral {referral.id}: partnership {found.id} ended",
        )
    await tx.flush()
    await _audit(tx, found, "ended", staff, side, channel, now)
    return Ended(found, withdrawn)


async def _of(
    tx: AsyncSession, partnership_id: int, organisation_id: int | None
) -> Partnership | None:
    """The partnership, if `organisation_id` is one of its two sides (None: any)."""
    found = await tx.get(Partnership, partnership_id)
    if found is None:
        return None
    if organisation_id is not None and organisation_id not in (
        found.organisation_id,
        found.partner_id,
    ):
        return None
    return found


async def _audit(
    tx: AsyncSession,
    partnership: Partnership,
    step: str,
    staff: StaffView | None,
    organisation_id: int,
    channel: str,
    now: datetime,
) -> None:
    other = other_side(partnership, organisation_id)
    await audit(
        tx,
        staff=staff,
        action=AuditAction.PARTNERSHIP,
        channel=channel,
        now=now,
        organisation_id=organisation_id,
        detail=f"partnership {partnership.id} {step} with organisation {other}",
    )
