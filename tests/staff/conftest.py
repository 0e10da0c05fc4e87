"""The staff tests run on both channels' names (the collecting fake channel)."""

from __future__ import annotations

import pytest

from tests.fakes.channel import CollectingChannel


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))
