"""Participant rows that no address points to: what a turn started from stale state left behind."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.db import Database
from storage.models import Address, Participant


async def participants_and_orphans(db: Database) -> tuple[int, int]:
    """(participants, participants without an address)."""
    async with db.transaction() as tx:
        people = (await tx.execute(select(func.count(Participant.id)))).scalar_one()
        addressed = select(Address.participant_id).where(Address.participant_id.is_not(None))
        orphans = (
            await tx.execute(
                select(func.count(Participant.id)).where(~Participant.id.in_(addressed))
            )
        ).scalar_one()
    return int(people), int(orphans)
