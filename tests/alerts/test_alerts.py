"""A check-in that calls for a caseworker, or danger written anywhere, reaches the caseworker
(else the admins) at once with everything the person answered; the organisation's rules decide
which check-in answers alert; danger always does."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.inbox import Inbox
from storage.db import Database
from tests.fakes.channel import CollectingChannel
from tests.helpers.alerts import (
    ADMIN,
    CASEWORKER,
    FINE,
    TROUBLED,
    all_flags,
    check_in,
    deliver,
    office,
    sent_to,
)
from tests.helpers.cli import run_command

NOW = timedelta(0)


async def test_a_troubled_checkin_alerts_the_caseworker_with_every_answer(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    place = await office(db, inbox, channel)
    await check_in(place.person, TROUBLED)
    assert await deliver(db, channel, NOW) == 3  # mood 1, no home, wants contact
    alerts = sent_to(channel, CASEWORKER)
    print("\n\n".join(alerts))
    assert len(alerts) == 3
    assert sent_to(channel, ADMIN) == []
