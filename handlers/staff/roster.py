"""Staff accounts after they joined: revoking one, changing a role."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.programs.admin import Refused
from handlers.staff.audit import AuditAction, audit
from handlers.staff.invites import ROLES
from handlers.staff.scope import StaffView
from storage.models import Staff, StaffStatus


async def staff_member(tx: AsyncSession, staff_id: int, by: StaffView | None) -> Staff:
    """The staff member `by` (an admin: of their organisation; None, the command line: any)
    may manage; Refused otherwise, the same whether or not the id exists."""
    staff = await tx.get(Staff, staff_id)
    if staff is None or (
        by is not None and (not by.is_admin or staff.organisation_id != by.organisation_id)
    ):
        raise Refused(f"there is no staff member {staff_id}; see `pendamping staff list`")
    return staff


async def revoke_staff(
    tx: AsyncSession, staff_id: int, *, by: StaffView | None, now: datetime, channel: str = "cli"
) -> Staff:
    """Every staff power gone at once: each chat's next message finds no active staff member
    (scope.staff_of reads the status afresh for every message)."""
    staff = await staff_member(tx, staff_id, by)
    if staff.status == StaffStatus.REVOKED:
        raise Refused(f"staff member {staff_id} was revoked already")
    staff.status = StaffStatus.REVOKED
    staff.revoked_at = now
    await audit(
        tx,
        staff=by,
        action=AuditAction.REVOKE,
        channel=channel,
        now=now,
        organisation_id=staff.organisation_id,
        detail=f"staff {staff.id}",
    )
    return staff


async def change_role(
    tx: AsyncSession,
    staff_id: int,
    role: str,
    *,
    by: StaffView | None,
    now: datetime,
    channel: str = "cli",
) -> Staff:
    if role not in ROLES:
        raise Refused(f"the role must be one of {', '.join(ROLES)}, not {role!r}")
    staff = await staff_member(tx, staff_id, by)
    if staff.status != StaffStatus.ACTIVE:
        raise Refused(f"staff member {staff_id} was revoked; invite them again instead")
    if staff.role == role:
        raise Refused(f"staff member {staff_id} is {role} already")
    before, staff.role = staff.role, role
    await audit(
        tx,
        staff=by,
        action=AuditAction.ROLE,
        channel=channel,
        now=now,
        organisation_id=staff.organisation_id,
        detail=f"staff {staff.id} {before} -> {role}",
    )
    return staff
