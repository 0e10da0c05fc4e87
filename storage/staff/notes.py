"""Queries on notes: adding one, the latest of a participant's, erasing their text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Note, Staff

NOTE_MAX = 2000  # characters kept of one note


async def add_note(
    tx: AsyncSession,
    *,
    participant_id: int,
    staff_id: int,
    organisation_id: int,
    text: str,
    now: datetime,
) -> Note:
    note = Note(
        participant_id=participant_id,
        staff_id=staff_id,
        organisation_id=organisation_id,
        text=text[:NOTE_MAX],
        created_at=now,
    )
    tx.add(note)
    await tx.flush()
    return note


async def latest_notes(
    tx: AsyncSession, participant_id: int, organisation_id: int, *, limit: int
) -> tuple[list[tuple[Note, str | None]], int]:
    """The newest `limit` notes that `organisation_id` wrote about the participant, each with
    its author's name, and how many such notes there are (two statements)."""
    where = (Note.participant_id == participant_id) & (Note.organisation_id == organisation_id)
    total = (await tx.execute(select(func.count(Note.id)).where(where))).scalar_one()
    query = (
        select(Note, Staff.name)
        .outerjoin(Staff, Staff.id == Note.staff_id)
        .where(where)
        .order_by(Note.created_at.desc(), Note.id.desc())
        .limit(limit)
    )
    return [(note, name) for note, name in (await tx.execute(query)).tuples()], int(total)


async def notes_by_participant(tx: AsyncSession) -> dict[int, list[Note]]:
    """Every note, oldest first, by participant (the data export: one statement)."""
    query = select(Note).order_by(Note.participant_id, Note.created_at, Note.id)
    found: dict[int, list[Note]] = {}
    for note in (await tx.execute(query)).scalars():
        found.setdefault(note.participant_id, []).append(note)
    return found


async def erase_notes(tx: AsyncSession, participant_id: int) -> None:
    """Erasure: a note is about the person, so its text goes; the dated row stays (marked
    erased) so that staff still see that something was written, and when."""
    await tx.execute(
        update(Note).where(Note.participant_id == participant_id).values(text="", erased=True)
    )
