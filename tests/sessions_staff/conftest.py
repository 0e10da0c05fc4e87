"""Every test here runs on both channels' names: Telegram and WhatsApp (the collecting channel)."""

from __future__ import annotations

import pytest

from tests.fakes.channel import CollectingChannel


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))
