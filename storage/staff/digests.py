"""What staff members' digests reported (so that nothing is repeated), and who gets one."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Address, DigestItem, Staff, StaffStatus
from storage.upsert import upsert


@dataclass(frozen=True)
class Reported:
    key: str
    section: str


async def reported(tx: AsyncSession, staff_id: int) -> dict[str, int | None]:
    """Every key reported to `staff_id` (kept a while), with the digest row that reported it."""
    query = select(DigestItem.key, DigestItem.scheduled_id).where(DigestItem.staff_id == staff_id)
    return {row.key: row.scheduled_id for row in await tx.execute(query)}


async def record_reported(
    tx: AsyncSession,
    staff_id: int,
    items: Sequence[Reported],
    scheduled_id: int | None,
    now: datetime,
) -> None:
    """Remember that these were reported (a key reported before keeps its first report)."""
    if not items:
        return
    rows = [
        {
            "staff_id": staff_id,
            "key": item.key,
            "section": item.section,
            "scheduled_id": scheduled_id,
            "reported_at": now,
        }
        for item in items
    ]
    statement = upsert(tx, DigestItem).values(rows).on_conflict_do_nothing()
    await tx.execute(statement)


async def forget_ended(
    tx: AsyncSession, staff_id: int, sections: Collection[str], current: Collection[str]
) -> None:
    """In sections that report a state (stopped, unreachable), forget the reports of states that
    are over, so that the same person stopping again is news again."""
    if not sections:
        return
    query = delete(DigestItem).where(
        DigestItem.staff_id == staff_id, DigestItem.section.in_(list(sections))
    )
    if current:
        query = query.where(DigestItem.key.not_in(list(current)))
    await tx.execute(query.execution_options(synchronize_session=False))


async def forget_reported_before(
    tx: AsyncSession, before: datetime, *, keep: Collection[str] = ()
) -> int:
    """Reports older than the digests look back are no use any more; those of the sections in
    `keep` (states, such as "stopped") stay while the state lasts (`forget_ended`)."""
    result = await tx.execute(
        delete(DigestItem)
        .where(DigestItem.reported_at < before, DigestItem.section.not_in(list(keep)))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def digest_readers(tx: AsyncSession) -> list[Staff]:
    """Active staff members with a chat who want the morning digest."""
    query = (
        select(Staff)
        .where(
            Staff.status == StaffStatus.ACTIVE,
            Staff.digest_on.is_(True),
            Staff.id.in_(select(Address.staff_id).where(Address.staff_id.is_not(None))),
        )
        .order_by(Staff.id)
    )
    return list((await tx.execute(query)).scalars())
