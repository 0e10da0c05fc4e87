"""Each channel sends in its own lane: a mixed due set is not held to the slower channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from bot.channels.protocol import SendResult
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.limits import Limiters
from handlers.reminders.rules import ReminderPolicy
from handlers.types import Reply
from storage.db import Database
from storage.models import ScheduledMessage
from tests.helpers.bulk_broadcast import seed_broadcast
from tests.helpers.reminders import NOW, Clock


@dataclass
class Recorder:
    """What went out on every channel, in the order it went."""

    log: list[tuple[str, str]] = field(default_factory=list)  # (channel, address)

    def channel(self, name: str) -> RecordingChannel:
        return RecordingChannel(name, self)


@dataclass
class RecordingChannel:
    name: str
    recorder: Recorder

    async def send(self, address: str, reply: Reply) -> SendResult:
        self.recorder.log.append((self.name, address))
        return SendResult(True, str(len(self.recorder.log)))


async def test_whatsapp_rows_go_out_while_telegram_rows_due_before_them_wait_their_turn(
    db: Database,
) -> None:
    # 60 Telegram rows fall due first, then 60 WhatsApp rows: Telegram's 30/s takes 2 s for its
    # share; WhatsApp's lane must not wait for it.
    seeded = await seed_broadcast(
        db, ["telegram"] * 60 + ["whatsapp"] * 60, NOW - timedelta(minutes=1)
    )
    recorder = Recorder()
    channels = {name: recorder.channel(name) for name in ("telegram", "whatsapp")}
    sender = Dispatcher(
        db,
        channels,
        ReminderPolicy(),
        limiters=Limiters(per_second={"whatsapp": 1000}),
        clock=Clock(NOW),
    )
    assert await sender.run_once() == 120

    # Everyone got it once, on their own channel.
    for name in ("telegram", "whatsapp"):
        got = [address for channel, address in recorder.log if channel == name]
        assert sorted(got) == sorted(seeded.addresses[name])
    # Every WhatsApp message went out before Telegram was half done.
    order = [channel for channel, _address in recorder.log]
    last_whatsapp = len(order) - 1 - order[::-1].index("whatsapp")
    telegram_before = order[:last_whatsapp].count("telegram")
    assert telegram_before < 30, order
    async with db.transaction() as tx:
        statuses = set((await tx.execute(select(ScheduledMessage.status))).scalars())
    assert statuses == {"sent"}


async def test_a_lane_sends_rows_of_a_person_reached_on_another_channel_than_first_thought(
    db: Database,
) -> None:
    """Rows are claimed by where the person will most likely be reached; the one the row is
    rendered for decides where it goes, and nothing is lost or sent twice either way."""
    seeded = await seed_broadcast(db, ["telegram", "whatsapp"] * 10, NOW - timedelta(minutes=1))
    recorder = Recorder()
    # Only WhatsApp runs: the Telegram people are left out (skipped), nobody is sent twice.
    sender = Dispatcher(
        db,
        {"whatsapp": recorder.channel("whatsapp")},
        ReminderPolicy(),
        limiters=Limiters(per_second={"whatsapp": 1000}),
        clock=Clock(NOW),
    )
    assert await sender.run_once() == 10
    assert sorted(a for _c, a in recorder.log) == sorted(seeded.addresses["whatsapp"])
    async with db.transaction() as tx:
        rows = (await tx.execute(select(ScheduledMessage.status, ScheduledMessage.error))).all()
    assert sorted(status for status, _error in rows) == ["sent"] * 10 + ["skipped"] * 10
    assert {e for s, e in rows if s == "skipped"} == {"no reachable address on a running channel"}
