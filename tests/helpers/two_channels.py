"""One bot on two channels, "telegram" and "whatsapp", each a collecting fake: for tests that show
every behaviour on both, and a person who uses both."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

from bot.inbox import Inbox
from handlers.flow import FlowSettings
from storage.db import Database
from tests.fakes.channel import CollectingChannel, Person

CHANNELS = ("telegram", "whatsapp")
# Addresses as each platform gives them: a Telegram chat id, a WhatsApp number (wa_id, digits).
ADDRESSES = {"telegram": "1001", "whatsapp": "6285711112222"}


@dataclass
class TwoChannels:
    inbox: Inbox
    channels: dict[str, CollectingChannel]

    def person(
        self, channel: str, address: str | None = None, profile_name: str | None = "Budi Santoso"
    ) -> Person:
        """Someone writing on `channel` (WhatsApp has no "share my number" button)."""
        return Person(
            self.inbox,
            self.channels[channel],
            address=address or ADDRESSES[channel],
            profile_name=profile_name,
            contact_button=channel == "telegram",
        )


@asynccontextmanager
async def two_channels(db: Database, settings: FlowSettings) -> AsyncIterator[TwoChannels]:
    channels = {name: CollectingChannel(name) for name in CHANNELS}
    inbox = Inbox(db, replace(settings, channels=frozenset(CHANNELS)), channels)
    try:
        yield TwoChannels(inbox, channels)
    finally:
        await inbox.close()
