"""Participants made straight in the database, for tests of staff tools that need people to exist."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.models import ParticipantStatus
from storage.participants import create_participant


async def add_participant(
    db: Database,
    name: str,
    *,
    now: datetime,
    city: str | None = None,
    phone: str | None = None,
    category: str | None = None,
    timezone: str = "Asia/Jakarta",
    erased: bool = False,
) -> int:
    """A signed-up participant (or what is left of one who erased their data); returns the id."""
    async with db.transaction() as tx:
        person = await create_participant(
            tx, language="id", timezone=timezone, consent_version="1", now=now
        )
        person.name, person.city, person.phone, person.category = name, city, phone, category
        person.status, person.registered_at = ParticipantStatus.ACTIVE, now
        if erased:  # what /hapus leaves: the anonymous fields only
            person.status, person.erased_at = ParticipantStatus.ERASED, now
            person.name = person.city = person.phone = None
        return person.id
