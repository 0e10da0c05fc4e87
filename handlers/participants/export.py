"""Exporting participants: CSV with a header row; erased people without personal fields.

This is also how a person's request to see their data is answered (UU PDP: the right to see
one's data, all of it), so it holds staff's notes about them (`notes`). A note is written about
the person, hence theirs to see on request; it is never shown to them in a chat (/profil and the
other flows leave notes out), because a caseworker's working note read on a shared phone, or
without the caseworker there to explain it, can do harm. An erased person's notes are blank.
"""

from __future__ import annotations

import csv
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession

from storage.checkins.answers import CheckinSummary, checkin_summaries
from storage.models import Note, Participant, ParticipantStatus
from storage.participants import iter_participants
from storage.staff.notes import notes_by_participant

COLUMNS = [
    "id", "name", "phone", "category", "city", "province", "timezone", "language", "interests",
    "contact_time", "status", "consent_at", "registered_at", "created_at", "channels", "notes",
    "checkins_complete", "checkins_partial", "checkins_unanswered", "last_checkin_at",
    "last_mood",
]  # fmt: skip
PERSONAL = {"name", "phone", "city", "contact_time", "channels", "notes"}
FREE_TEXT = {
    "name",
    "city",
    "notes",
}  # typed by people: never let a spreadsheet run them as formulas


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def _notes(notes: list[Note]) -> str:
    """Each note as "2026-12-01: text", oldest first (erased ones say nothing)."""
    return " | ".join(
        f"{note.created_at.date().isoformat()}: {' '.join(note.text.split())}"
        for note in notes
        if not note.erased
    )


def row(
    participant: Participant,
    notes: list[Note] | None = None,
    checkins: CheckinSummary | None = None,
) -> dict[str, str]:
    values = {
        "id": str(participant.id),
        "name": participant.name or "",
        "phone": participant.phone or "",
        "category": participant.category or "",
        "city": participant.city or "",
        "province": participant.province or "",
        "timezone": participant.timezone,
        "language": participant.language,
        "interests": ";".join(participant.interests),
        "contact_time": participant.contact_time or "",
        "status": participant.status,
        "consent_at": _when(participant.consent_at),
        "registered_at": _when(participant.registered_at),
        "created_at": _when(participant.created_at),
        "channels": ";".join(sorted({a.channel for a in participant.addresses})),
        "notes": _notes(notes or []),
        # Their check-ins (/kabar), counted; the answers themselves are in the check-in export.
        "checkins_complete": str(checkins.complete if checkins else 0),
        "checkins_partial": str(checkins.partial if checkins else 0),
        "checkins_unanswered": str(checkins.unanswered if checkins else 0),
        "last_checkin_at": _when(checkins.last_at if checkins else None),
        "last_mood": str(checkins.last_mood) if checkins and checkins.last_mood else "",
    }
    if participant.status == ParticipantStatus.ERASED:
        values.update({column: "" for column in PERSONAL})
    for column in FREE_TEXT:
        if values[column][:1] in ("=", "+", "-", "@", "\t", "\r"):
            values[column] = "'" + values[column]
    return values


async def rows(tx: AsyncSession) -> AsyncIterator[dict[str, str]]:
    notes = await notes_by_participant(tx)
    summaries = await checkin_summaries(tx)
    async for participant in iter_participants(tx):
        yield row(participant, notes.get(participant.id), summaries.get(participant.id))


async def write_csv(tx: AsyncSession, out: TextIO) -> int:
    """Write every participant; returns how many rows were written."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    count = 0
    async for values in rows(tx):
        writer.writerow(values)
        count += 1
    return count
