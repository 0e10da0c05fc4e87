"""What /siaran offers when an admin narrows the audience: the organisation's cities (most
participants first), programs and sessions. Only the organisation's own."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Participant, ParticipantStatus, Program, ProgramSession

SHOWN = 9  # a WhatsApp list holds 10 rows: these and "Back"


async def cities(tx: AsyncSession, organisation_id: int) -> list[str]:
    """The kabupaten/kota keys of the organisation's active participants, most people first."""
    n = func.count(Participant.id)
    query = (
        select(Participant.city_key, n)
        .where(
            Participant.organisation_id == organisation_id,
            Participant.status == ParticipantStatus.ACTIVE,
            Participant.city_key.is_not(None),
        )
        .group_by(Participant.city_key)
        .order_by(n.desc(), Participant.city_key)
        .limit(SHOWN)
    )
    return [key for key, _n in (await tx.execute(query)).tuples() if key]


async def programs(tx: AsyncSession, organisation_id: int) -> list[Program]:
    query = (
        select(Program)
        .where(Program.organisation_id == organisation_id)
        .order_by(Program.id.desc())
        .limit(SHOWN)
    )
    return list((await tx.execute(query)).scalars())


async def sessions(
    tx: AsyncSession, organisation_id: int, since: datetime
) -> list[tuple[ProgramSession, str]]:
    """The organisation's sessions from `since` on, soonest first, with their program's name."""
    query = (
        select(ProgramSession, Program.name)
        .join(Program, Program.id == ProgramSession.program_id)
        .where(Program.organisation_id == organisation_id, ProgramSession.starts_at >= since)
        .order_by(ProgramSession.starts_at, ProgramSession.id)
        .limit(SHOWN)
    )
    return [(s, name) for s, name in (await tx.execute(query)).tuples()]


async def program_names(
    tx: AsyncSession, organisation_id: int, ids: Collection[int]
) -> dict[int, str]:
    if not ids:
        return {}
    query = select(Program.id, Program.name).where(
        Program.organisation_id == organisation_id, Program.id.in_(list(ids))
    )
    return {pid: name for pid, name in (await tx.execute(query)).tuples()}


async def session_of(
    tx: AsyncSession, organisation_id: int, session_id: int
) -> tuple[ProgramSession, str] | None:
    """One session of the organisation (None: none such, or another organisation's)."""
    query = (
        select(ProgramSession, Program.name)
        .join(Program, Program.id == ProgramSession.program_id)
        .where(Program.organisation_id == organisation_id, ProgramSession.id == session_id)
    )
    found = (await tx.execute(query)).tuples().first()
    return (found[0], found[1]) if found else None
