"""For the media tests: a participant who answers a check-in ending with a voice note or photo,
an organisation with a caseworker chatting on a channel, and the media job against a fake Graph
API (the real WhatsApp channel's download)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.channels.whatsapp.channel import WhatsAppChannel, db_window
from bot.channels.whatsapp.client import GraphClient
from bot.channels.whatsapp.templates import load_catalogue
from bot.media import MediaKeeper
from handlers.types import Attachment, Kind
from storage.db import Database
from storage.models import AuditEntry, Checkin
from tests.fakes.channel import Person
from tests.fakes.whatsapp import FakeGraphAPI, shapes_of
from tests.helpers.cards import staff_id
from tests.helpers.reminders import participant_id, register
from tests.helpers.staff.chat import add_organisation, join_as_staff, place
from tests.helpers.two_channels import TwoChannels

CATALOGUE = load_catalogue(None)
PARTICIPANT = "Yusuf Latuconsina"
VOICE = b"OggS\x00\x02" + bytes(range(200))  # a voice note's bytes, as a phone records it


@asynccontextmanager
async def graph_channel(db: Database) -> AsyncIterator[tuple[FakeGraphAPI, WhatsAppChannel]]:
    """The fake Graph API and the real WhatsApp channel talking to it."""
    async with FakeGraphAPI(templates=shapes_of(CATALOGUE)) as fake:
        client = GraphClient(fake.api_url, fake.phone_number_id, fake.token, backoff=0.01)
        try:
            yield fake, WhatsAppChannel(client, CATALOGUE, db_window(db))
        finally:
            await client.aclose()


async def checks_in_with(
    bot: TwoChannels, channel: str, kind: Kind, ref: str, *, address: str | None = None
) -> tuple[Person, int]:
    """A participant signs up on `channel`, answers a check-in and ends it with `kind`."""
    person = bot.person(channel, address=address, profile_name=PARTICIPANT)
    await register(person, "kota ambon")
    await person.says("/kabar")
    for text in ("1", "bekerja", "tidak", "tidak perlu", "ya"):
        await person.says(text)
    await person.sends(kind, attachment=Attachment(ref))
    return person, await participant_id(bot.inbox.db, person.address)


@dataclass
class Office:
    organisation_id: int
    caseworker: Person


async def office_with_caseworker(
    bot: TwoChannels, channel: str, address: str, pid: int, name: str = "Sari Wulandari"
) -> Office:
    """An organisation whose caseworker (chatting on `channel`) is assigned to `pid`."""
    db = bot.inbox.db
    org = await add_organisation(db, f"Bapas {name}")
    worker = bot.person(channel, address=address, profile_name=name)
    await join_as_staff(worker, db, org, name=name)
    await place(db, pid, org, caseworker_id=await staff_id(db, name))
    return Office(org, worker)


def keeper(
    db: Database, folder: Path, channel: WhatsAppChannel | None, minutes: int = 0
) -> MediaKeeper:
    """The media job; `minutes` ahead of now (for its sweep of unnamed files)."""
    later = datetime.now(UTC) + timedelta(minutes=minutes)
    return MediaKeeper(db, folder, channel.fetch if channel else None, clock=lambda: later)


async def checkin_of(db: Database, pid: int) -> Checkin:
    async with db.transaction() as tx:
        query = select(Checkin).where(
            Checkin.participant_id == pid, Checkin.media_kind.is_not(None)
        )
        return (await tx.execute(query)).scalar_one()


async def media_views(db: Database) -> list[tuple[str, int | None, str | None]]:
    async with db.transaction() as tx:
        query = select(AuditEntry).where(AuditEntry.detail == "media").order_by(AuditEntry.id)
        return [(a.action, a.participant_id, a.detail) for a in (await tx.execute(query)).scalars()]
