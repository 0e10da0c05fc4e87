"""Queries on flags: messages from participants that wait for staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Flag, FlagStatus, Message


async def add_flag(
    tx: AsyncSession,
    *,
    participant_id: int,
    message_id: int | None,
    reason: str,
    urgent: bool,
    now: datetime,
    checkin_id: int | None = None,
) -> Flag:
    flag = Flag(
        participant_id=participant_id,
        message_id=message_id,
        checkin_id=checkin_id,
        reason=reason,
        urgent=urgent,
        status=FlagStatus.OPEN,
        created_at=now,
    )
    tx.add(flag)
    await tx.flush()
    return flag


async def open_flag_counts(tx: AsyncSession) -> dict[int, int]:
    """How many flags wait for staff, per participant."""
    query = (
        select(Flag.participant_id, func.count())
        .where(Flag.status == FlagStatus.OPEN)
        .group_by(Flag.participant_id)
    )
    return {pid: count for pid, count in (await tx.execute(query)).tuples()}


async def open_flags(
    tx: AsyncSession, participant_id: int | None = None
) -> list[tuple[Flag, str | None]]:
    """Open flags, most urgent then oldest first, each with the text of its message."""
    query = (
        select(Flag, Message.body)
        .outerjoin(Message, Message.id == Flag.message_id)
        .where(Flag.status == FlagStatus.OPEN)
        .order_by(Flag.urgent.desc(), Flag.created_at, Flag.id)
    )
    if participant_id is not None:
        query = query.where(Flag.participant_id == participant_id)
    return [(flag, body) for flag, body in (await tx.execute(query)).tuples()]


async def resolve_flag(
    tx: AsyncSession,
    flag_id: int,
    now: datetime,
    *,
    staff_id: int | None = None,
    outcome: str | None = None,
) -> bool:
    """Close an open flag (`staff_id`: who, None from the command line; `outcome`: a
    FlagOutcome). False if there is no such open flag."""
    flag = await tx.get(Flag, flag_id)
    if flag is None or flag.status != FlagStatus.OPEN:
        return False
    flag.status = FlagStatus.RESOLVED
    flag.resolved_at = now
    flag.resolved_by_id = staff_id
    flag.outcome = outcome
    return True


async def acknowledge_flag(tx: AsyncSession, flag_id: int, staff_id: int, now: datetime) -> bool:
    """Someone on the staff took an open flag on; False if it is closed or already taken on."""
    flag = await tx.get(Flag, flag_id)
    if flag is None or flag.status != FlagStatus.OPEN or flag.acknowledged_at is not None:
        return False
    flag.acknowledged_at = now
    flag.acknowledged_by_id = staff_id
    return True


async def delete_flags(tx: AsyncSession, participant_id: int) -> None:
    """Erasure: what a person told staff they needed is theirs, and goes with their data."""
    await tx.execute(delete(Flag).where(Flag.participant_id == participant_id))


async def alerting_flags_at(tx: AsyncSession, participant_id: int, at: datetime) -> list[Flag]:
    """The flags one message raised (all made at `at`) that alert staff: danger (urgent) and
    those of a check-in, oldest first."""
    query = (
        select(Flag)
        .where(
            Flag.participant_id == participant_id,
            Flag.created_at == at,
            or_(Flag.urgent.is_(True), Flag.checkin_id.is_not(None)),
        )
        .order_by(Flag.id)
    )
    return list((await tx.execute(query)).scalars())


async def flags_raised_with(tx: AsyncSession, flag: Flag) -> list[Flag]:
    """`flag` and the others its message raised that alert: one alert, taken on and closed
    together (the first one names it)."""
    return await alerting_flags_at(tx, flag.participant_id, flag.created_at)
