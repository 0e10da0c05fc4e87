"""Alert tests run on each channel: Telegram and WhatsApp, through the real engine."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.inbox import Inbox
from handlers.flow import FlowSettings
from storage.db import Database
from tests.fakes.channel import CollectingChannel


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(str(request.param))


@pytest.fixture
async def inbox(
    db: Database, settings: FlowSettings, channel: CollectingChannel
) -> AsyncIterator[Inbox]:
    inbox = Inbox(db, settings, {channel.name: channel})
    yield inbox
    await inbox.close()
