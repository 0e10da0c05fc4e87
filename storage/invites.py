"""Queries on one-time invite codes (stored only as hashes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Invite


async def add_invite(tx: AsyncSession, invite: Invite) -> Invite:
    tx.add(invite)
    await tx.flush()
    return invite


async def usable_invite(tx: AsyncSession, code_hash: str, now: datetime) -> Invite | None:
    """The invite with this code hash, locked, if it is not used, revoked or expired."""
    query = (
        select(Invite)
        .where(
            Invite.code_hash == code_hash,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
        )
        .with_for_update()
    )
    return (await tx.execute(query)).scalar_one_or_none()
