"""Queries on partnerships between organisations and on referrals of participants to partners."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Address,
    Partnership,
    PartnershipStatus,
    Referral,
    ReferralStatus,
    ScheduledMessage,
    ScheduledStatus,
    Staff,
    StaffRole,
    StaffStatus,
)


def _between(a: int, b: int) -> object:
    return or_(
        and_(Partnership.organisation_id == a, Partnership.partner_id == b),
        and_(Partnership.organisation_id == b, Partnership.partner_id == a),
    )


async def partnership_between(tx: AsyncSession, a: int, b: int) -> Partnership | None:
    """The partnership of organisations `a` and `b`, whichever of them proposed it."""
    query = select(Partnership).where(_between(a, b)).order_by(Partnership.id)  # type: ignore[arg-type]
    return (await tx.execute(query)).scalars().first()


async def partnerships_of(tx: AsyncSession, organisation_id: int) -> list[Partnership]:
    query = (
        select(Partnership)
        .where(
            or_(
                Partnership.organisation_id == organisation_id,
                Partnership.partner_id == organisation_id,
            )
        )
        .order_by(Partnership.id)
    )
    return list((await tx.execute(query)).scalars())


def other_side(partnership: Partnership, organisation_id: int) -> int:
    if partnership.organisation_id == organisation_id:
        return partnership.partner_id
    return partnership.organisation_id


async def active_partner_ids(tx: AsyncSession, organisation_id: int) -> list[int]:
    return [
        other_side(p, organisation_id)
        for p in await partnerships_of(tx, organisation_id)
        if p.status == PartnershipStatus.ACTIVE
    ]


async def admin_addresses(tx: AsyncSession, organisation_id: int) -> list[Address]:
    """The chats of the organisation's active admins."""
    query = (
        select(Address)
        .join(Staff, Address.staff_id == Staff.id)
        .where(
            Staff.organisation_id == organisation_id,
            Staff.role == StaffRole.ADMIN,
            Staff.status == StaffStatus.ACTIVE,
        )
        .order_by(Address.id)
    )
    return list((await tx.execute(query)).scalars())


async def staff_addresses(tx: AsyncSession, staff_id: int) -> list[Address]:
    """The chats of one staff member, if they are still active."""
    query = (
        select(Address)
        .join(Staff, Address.staff_id == Staff.id)
        .where(Staff.id == staff_id, Staff.status == StaffStatus.ACTIVE)
        .order_by(Address.id)
    )
    return list((await tx.execute(query)).scalars())


async def referrals_of(
    tx: AsyncSession, participant_id: int, statuses: Collection[str] | None = None
) -> list[Referral]:
    query = select(Referral).where(Referral.participant_id == participant_id)
    if statuses is not None:
        query = query.where(Referral.status.in_(list(statuses)))
    return list((await tx.execute(query.order_by(Referral.id))).scalars())


async def referrals_between(
    tx: AsyncSession, a: int, b: int, statuses: Collection[str]
) -> list[Referral]:
    """Referrals from either organisation to the other, in one of `statuses`."""
    query = select(Referral).where(
        or_(
            and_(Referral.organisation_id == a, Referral.partner_id == b),
            and_(Referral.organisation_id == b, Referral.partner_id == a),
        ),
        Referral.status.in_(list(statuses)),
    )
    return list((await tx.execute(query.order_by(Referral.id))).scalars())


async def open_referral(
    tx: AsyncSession, participant_id: int, partner_id: int, program_id: int | None
) -> Referral | None:
    """A referral of the participant to that partner and program that is asked or active."""
    query = select(Referral).where(
        Referral.participant_id == participant_id,
        Referral.partner_id == partner_id,
        Referral.status.in_([ReferralStatus.ASKED, ReferralStatus.ACTIVE]),
        Referral.program_id.is_(None) if program_id is None else Referral.program_id == program_id,
    )
    return (await tx.execute(query)).scalars().first()


async def withdraw_all(tx: AsyncSession, participant_id: int, now: datetime) -> int:
    """Withdraw every asked or active referral of the participant (erasure); returns how many."""
    rows = await referrals_of(tx, participant_id, (ReferralStatus.ASKED, ReferralStatus.ACTIVE))
    for referral in rows:
        referral.status = ReferralStatus.WITHDRAWN
        referral.withdrawn_at = now
        referral.withdrawn_by = "participant"
    await tx.flush()
    return len(rows)


async def last_started(
    tx: AsyncSession, participant_id: int, since: datetime
) -> ScheduledMessage | None:
    """The latest message the bot started to the participant (sent since `since`): a typed
    "setuju" answers it only if it was the consent question."""
    query = (
        select(ScheduledMessage)
        .where(
            ScheduledMessage.participant_id == participant_id,
            ScheduledMessage.status == ScheduledStatus.SENT,
            ScheduledMessage.sent_at >= since,
        )
        .order_by(ScheduledMessage.sent_at.desc(), ScheduledMessage.id.desc())
        .limit(1)
    )
    return (await tx.execute(query)).scalar_one_or_none()
