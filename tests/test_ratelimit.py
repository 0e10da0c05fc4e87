"""Each channel is paced by its own limiter; a platform's "retry after N s" pauses that channel."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.channels.protocol import SendResult
from bot.inbox import Inbox
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.limits import LIMITS, ChannelLimits, Limiters, Paced
from handlers.outbox.queue import enqueue
from handlers.outbox.recipients import Recipient
from handlers.reminders.rules import ReminderPolicy
from handlers.types import Reply
from storage.db import Database
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.nudges import NUDGE
from tests.helpers.reminders import NOW, Clock, outbox, participant_id, register

RETRY_AFTER = 0.3  # seconds the fake platform asks us to wait


@dataclass
class FloodingChannel:
    """Refuses the first message with "429, retry after"; records every call in order."""

    name: str = "fake"
    calls: list[tuple[str, str, float]] = field(default_factory=list)  # (what, address, when)
    flooded: bool = False

    async def send(self, address: str, reply: Reply) -> SendResult:
        now = asyncio.get_running_loop().time()  # the clock the pause is measured on
        if not self.flooded:
            self.flooded = True
            self.calls.append(("429", address, now))
            return SendResult(False, error="flood control", retry_after=RETRY_AFTER)
        self.calls.append(("sent", address, now))
        return SendResult(True, str(len(self.calls)))


async def test_retry_after_pauses_every_send_on_the_channel_then_resends(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    addresses = [str(40 + n) for n in range(6)]
    for address in addresses:
        await register(Person(inbox, channel, address=address), "kota pekalongan")
    pids = [await participant_id(db, address) for address in addresses]
    async with db.transaction() as tx:
        for pid in pids:
            await enqueue(tx, kind=NUDGE, recipient=Recipient(pid), key=f"n:{pid}", due_at=NOW)
    flooding = FloodingChannel()
    unpaced = Limiters(unlisted=ChannelLimits(per_second=10_000, per_chat_interval=0))
    sender = Dispatcher(
        db, {"fake": flooding}, ReminderPolicy(), limiters=unpaced, clock=Clock(NOW)
    )

    assert await sender.run_once() == len(addresses)

    [(what, refused, paused_at)] = [c for c in flooding.calls if c[0] == "429"]
    after = flooding.calls[flooding.calls.index((what, refused, paused_at)) + 1 :]
    assert after, "the refused message was never sent again"
    resumes = paused_at + RETRY_AFTER - 1e-3  # asyncio may wake a hair early
    assert all(when >= resumes for _what, _address, when in after), after
    assert sorted(address for what, address, _when in flooding.calls if what == "sent") == addresses
    assert {r.status for r in await outbox(db)} == {"sent"}
    assert len(await outbox(db)) == len(addresses)


async def test_a_reply_waits_out_a_pause_another_sender_caused() -> None:
    limiters = Limiters()
    flooding = FloodingChannel()
    replies = Paced(flooding, limiters.of("fake"))
    await replies.send("1", Reply("first"))  # refused, paused, resent after the pause
    result = await replies.send("2", Reply("second"))
    assert result.ok
    [(_what, _address, paused_at), first, second] = flooding.calls
    assert first[1:2] == ("1",) and second[1:2] == ("2",)
    assert first[2] >= paused_at + RETRY_AFTER - 1e-3
    assert result.attempts == 1


async def test_a_pause_on_one_channel_does_not_hold_up_another() -> None:
    limiters = Limiters()
    limiters.of("telegram").pause(3600)
    await asyncio.wait_for(limiters.of("whatsapp").wait("628123"), timeout=5)
    await asyncio.wait_for(limiters.of("whatsapp").resumed(), timeout=5)
    assert limiters.of("telegram") is limiters.of("telegram")
    assert limiters.of("telegram") is not limiters.of("whatsapp")


def test_telegram_limits_are_data() -> None:
    assert LIMITS["telegram"] == ChannelLimits(per_second=30.0, per_chat_interval=1.0)
