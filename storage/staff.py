"""Queries on staff members and the chats they use."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Address, Staff, StaffStatus


async def active_staff_of_address(tx: AsyncSession, address_id: int) -> Staff | None:
    """The active staff member whose chat this is (None for a participant's chat, a stranger's,
    or a revoked staff member's)."""
    query = (
        select(Staff)
        .join(Address, Address.staff_id == Staff.id)
        .where(Address.id == address_id, Staff.status == StaffStatus.ACTIVE)
    )
    return (await tx.execute(query)).scalar_one_or_none()


async def staff_of_organisation(tx: AsyncSession, organisation_id: int) -> list[Staff]:
    query = select(Staff).where(Staff.organisation_id == organisation_id).order_by(Staff.id)
    return list((await tx.execute(query)).scalars())
