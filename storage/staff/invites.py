"""Queries on one-time invite codes (stored only as hashes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Invite


async def add_invite(tx: AsyncSession, invite: Invite) -> Invite:
    tx.add(invite)
    await tx.flush()
    return invite


async def usable_invite(tx: AsyncSession, code_hash: str, now: datetime) -> Invite | None:
    """The invite with this code hash, locked, if it is not used, revoked or expired."""
    return await _usable(tx, Invite.code_hash == code_hash, now)


async def usable_invite_by_id(tx: AsyncSession, invite_id: int, now: datetime) -> Invite | None:
    """An invite found by `usable_invite` earlier in a conversation, locked, if it is still
    usable (a code's claim can wait on the person's answer to a question)."""
    return await _usable(tx, Invite.id == invite_id, now)


async def _usable(tx: AsyncSession, which: ColumnElement[bool], now: datetime) -> Invite | None:
    query = (
        select(Invite)
        .where(
            which,
            Invite.used_at.is_(None),
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
        )
        .with_for_update()
    )
    return (await tx.execute(query)).scalar_one_or_none()


async def invites_for(tx: AsyncSession, participant_ids: list[int], kind: str) -> list[Invite]:
    """The invites of `kind` made for these participants, newest first."""
    query = (
        select(Invite)
        .where(Invite.participant_id.in_(participant_ids), Invite.kind == kind)
        .order_by(Invite.created_at.desc(), Invite.id.desc())
    )
    return list((await tx.execute(query)).scalars())
