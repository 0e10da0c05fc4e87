"""Check-ins and their flags made straight in the database, for the tests of what staff see."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import update

from storage.db import Database
from storage.models import Checkin, CheckinHelp, Flag, Participant


async def add_checkin(
    db: Database,
    pid: int,
    at: datetime,
    *,
    status: str = "complete",
    mood: int | None = None,
    activity: str | None = None,
    housing: str | None = None,
    needs: Sequence[str] = (),
    wants_contact: bool | None = None,
    words: str | None = None,
    media: str | None = None,
    channel: str = "telegram",
    flags: Sequence[str] = (),
) -> int:
    """One check-in begun at `at` (finished two minutes later unless partial or unanswered),
    with a voice note if `media` is its reference, and an open flag per reason in `flags`."""
    async with db.transaction() as tx:
        participant = await tx.get(Participant, pid)
        assert participant is not None
        checkin = Checkin(
            participant_id=pid,
            organisation_id=participant.organisation_id,
            started_at=at,
            finished_at=at + timedelta(minutes=2) if status == "complete" else None,
            status=status,
            channel=None if status == "expired" else channel,
            mood=mood,
            activity=activity,
            housing=housing,
            help_answered=bool(needs),
            wants_contact=wants_contact,
            note_answered=words is not None or media is not None,
            free_text=words,
            media_kind="voice" if media else None,
            media_ref=media,
            media_stored=False,
        )
        tx.add(checkin)
        await tx.flush()
        for need in needs:
            tx.add(CheckinHelp(checkin_id=checkin.id, need=need))
        for reason in flags:
            tx.add(
                Flag(
                    participant_id=pid,
                    checkin_id=checkin.id,
                    reason=reason,
                    urgent=reason in ("low_mood", "no_home"),
                    status="open",
                    created_at=at + timedelta(minutes=2),
                )
            )
        return checkin.id


async def resolve_flags(db: Database, pid: int, at: datetime) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            update(Flag).where(Flag.participant_id == pid).values(status="resolved", resolved_at=at)
        )
