"""Queries on check-ins' voice notes and photos: which to download, which were kept, which staff
may open (see storage/checkins/media_store.py for the files)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Checkin

# Set in a transaction's `info` when it stored a voice note's or photo's reference: whoever
# commits it wakes the media job (bot/inbox.py), so the file is kept while it can be downloaded
# and the caseworker alerted seconds later can already play it.
MEDIA_WAITING = "media_waiting"


async def media_tried(tx: AsyncSession, checkin_id: int, problem: str | None) -> None:
    """One more download of a check-in's media failed; `problem`: it is given up, and why."""
    await tx.execute(
        update(Checkin)
        .where(Checkin.id == checkin_id, Checkin.media_stored.is_(False))
        .values(media_tries=Checkin.media_tries + 1, media_problem=problem)
    )


async def stored_media(tx: AsyncSession) -> set[str]:
    """The media store's names that check-ins still hold (the rest may be deleted)."""
    query = select(Checkin.media_ref).where(
        Checkin.media_stored.is_(True), Checkin.media_ref.is_not(None)
    )
    return {ref for ref in (await tx.execute(query)).scalars() if ref}


async def checkins_with_media(tx: AsyncSession, participant_id: int, limit: int) -> list[Checkin]:
    """The participant's latest check-ins that came with a voice note or photo, newest first
    (also those whose media could not be kept, so that staff learn it is lost)."""
    query = (
        select(Checkin)
        .where(Checkin.participant_id == participant_id, Checkin.media_kind.is_not(None))
        .order_by(Checkin.started_at.desc(), Checkin.id.desc())
        .limit(limit)
    )
    return list((await tx.execute(query)).scalars())
