"""The audit log: rows are only ever added (and read); the bot never updates or deletes one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


async def add_audit_entry(
    tx: AsyncSession,
    *,
    at: datetime,
    action: str,
    channel: str,
    staff_id: int | None,
    organisation_id: int | None,
    participant_id: int | None,
    detail: str | None,
) -> None:
    tx.add(
        AuditEntry(
            at=at,
            action=action,
            channel=channel,
            staff_id=staff_id,
            organisation_id=organisation_id,
            participant_id=participant_id,
            detail=detail[:200] if detail else None,
        )
    )
    await tx.flush()


async def audit_entries(
    tx: AsyncSession,
    *,
    organisation_id: int | None = None,
    staff_id: int | None = None,
    participant_id: int | None = None,
    since: datetime | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """The newest first, filtered by whichever of the arguments are given."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if organisation_id is not None:
        query = query.where(AuditEntry.organisation_id == organisation_id)
    if staff_id is not None:
        query = query.where(AuditEntry.staff_id == staff_id)
    if participant_id is not None:
        query = query.where(AuditEntry.participant_id == participant_id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    return list((await tx.execute(query)).scalars())
