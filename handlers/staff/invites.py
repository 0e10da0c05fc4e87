"""Making and revoking one-time codes: staff invites, pre-release codes, re-link codes.

The code is returned once, to be shown to whoever hands it over; only its hash is stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.staff.audit import AuditAction, audit
from handlers.staff.codes import code_hash, new_code
from handlers.staff.scope import StaffView
from storage.models import Invite, InviteKind, StaffRole
from storage.staff.invites import add_invite

DEFAULT_HOURS = 72  # INVITE_HOURS
ROLES = (StaffRole.CASEWORKER, StaffRole.ADMIN)


async def create_invite(
    tx: AsyncSession,
    *,
    kind: str,
    organisation_id: int,
    created_by: StaffView | None,
    now: datetime,
    hours: int = DEFAULT_HOURS,
    participant_id: int | None = None,
    role: str | None = None,
    name: str | None = None,
    channel: str = "cli",
) -> str:
    """A new code of `kind`, valid for `hours`; returns the code (stored only as its hash) and
    writes an INVITE audit row (its detail: the kind and role, never the name)."""
    if kind == InviteKind.STAFF and role not in ROLES:
        raise ValueError(f"a staff invite needs a role, one of {ROLES}, not {role!r}")
    if kind != InviteKind.STAFF and participant_id is None:
        raise ValueError(f"a {kind} code is for one participant: give participant_id")
    code = new_code()
    await add_invite(
        tx,
        Invite(
            kind=kind,
            code_hash=code_hash(code),
            organisation_id=organisation_id,
            role=role,
            name=name,
            participant_id=participant_id,
            created_by=created_by.staff_id if created_by is not None else None,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        ),
    )
    await audit(
        tx,
        staff=created_by,
        action=AuditAction.INVITE,
        channel=channel,
        now=now,
        participant_id=participant_id,
        organisation_id=organisation_id,
        detail=f"{kind} {role}" if role else kind,
    )
    return code


async def create_staff_invite(
    tx: AsyncSession,
    *,
    organisation_id: int,
    role: str,
    name: str | None,
    created_by: StaffView | None,
    now: datetime,
    hours: int = DEFAULT_HOURS,
    channel: str = "cli",
) -> str:
    """A code that makes whoever claims it a `role` of the organisation (after they confirm
    `name`, when one is given)."""
    return await create_invite(
        tx,
        kind=InviteKind.STAFF,
        organisation_id=organisation_id,
        created_by=created_by,
        now=now,
        hours=hours,
        role=role,
        name=name,
        channel=channel,
    )


async def revoke_invite(
    tx: AsyncSession,
    invite_id: int,
    *,
    by: StaffView | None,
    now: datetime,
    channel: str = "cli",
) -> Invite | None:
    """Revoke an unused invite; None when there is none with that id that `by` may revoke (an
    admin: their organisation's; None, the command line: any), or it is used or revoked."""
    invite = await tx.get(Invite, invite_id)
    if invite is None or invite.used_at is not None or invite.revoked_at is not None:
        return None
    if by is not None and (not by.is_admin or invite.organisation_id != by.organisation_id):
        return None
    invite.revoked_at = now
    await audit(
        tx,
        staff=by,
        action=AuditAction.REVOKE,
        channel=channel,
        now=now,
        participant_id=invite.participant_id,
        organisation_id=invite.organisation_id,
        detail=f"invite {invite.id} ({invite.kind})",
    )
    return invite
