"""Queries behind the staff commands in the chat: an organisation's members, staff names, the
organisation's audit log."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Participant, Staff


async def member_of(tx: AsyncSession, organisation_id: int, staff_id: int) -> Staff | None:
    """Staff member `staff_id` if they belong to `organisation_id` (else None, as if unknown)."""
    query = select(Staff).where(Staff.id == staff_id, Staff.organisation_id == organisation_id)
    return (await tx.execute(query)).scalar_one_or_none()


async def staff_names(tx: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await tx.execute(select(Staff.id, Staff.name).where(Staff.id.in_(ids)))
    return {row.id: row.name for row in rows}


async def organisation_audit(
    tx: AsyncSession, organisation_id: int, *, limit: int
) -> list[AuditEntry]:
    """The newest audit rows of an organisation's staff, and of anyone's acts about its
    participants (a partner's staff looking at a referred participant)."""
    own_people = select(Participant.id).where(Participant.organisation_id == organisation_id)
    query = (
        select(AuditEntry)
        .where(
            or_(
                AuditEntry.organisation_id == organisation_id,
                AuditEntry.participant_id.in_(own_people),
            )
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list((await tx.execute(query)).scalars())
