"""Each channel is paced by its own limiter; a platform's "retry after N s" pauses that channel."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

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


class ManualClock:
    """A clock that stands still until a test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_one_persons_interval_does_not_hold_up_anyone_else() -> None:
    """Regression (issue 10): a person's second message took the channel's next slot at the end of
    their own 6 s interval, so every other person waited 6 s behind it."""
    clock = ManualClock()
    limiter = Limiters(clock=clock).of("whatsapp")  # 80/s, 6 s between two to one person
    first = limiter.reserve("A")
    assert first == clock.now
    assert limiter.reserve("A") is None  # A's next message waits for A's interval only
    others = [limiter.reserve(person) for person in ("B", "C", "D")]
    assert others == pytest.approx([clock.now + n / 80 for n in (1, 2, 3)])
    clock.now += 6.0
    assert limiter.reserve("A") == clock.now  # A's turn again once the 6 s have passed


def test_the_channel_rate_holds_when_a_waiting_person_comes_back() -> None:
    clock = ManualClock()
    limiter = Limiters(clock=clock).of("whatsapp")
    assert limiter.reserve("A") == clock.now
    clock.now += 6.0
    slots = [limiter.reserve(person) for person in ("B", "A", "C")]
    assert slots == pytest.approx([clock.now, clock.now + 1 / 80, clock.now + 2 / 80])


def test_the_configured_rate_replaces_the_channels_default_and_keeps_its_pair_rate() -> None:
    clock = ManualClock()
    limiter = Limiters(clock=clock, per_second={"whatsapp": 20.0}).of("whatsapp")
    assert [limiter.reserve(p) for p in ("A", "B")] == pytest.approx([clock.now, clock.now + 0.05])
    assert limiter.reserve("A") is None
    with pytest.raises(ValueError, match="above 0"):
        Limiters(per_second={"whatsapp": 0})


async def test_a_second_message_to_one_person_waits_while_others_go_first() -> None:
    limiters = Limiters(limits={"fast": ChannelLimits(per_second=1000.0, per_chat_interval=0.3)})
    limiter = limiters.of("fast")
    order: list[str] = []

    async def send(person: str) -> None:
        await limiter.wait(person)
        order.append(person)

    await asyncio.wait_for(
        asyncio.gather(send("A"), send("A"), *(send(p) for p in "BCDE")), timeout=5
    )
    assert order[0] == "A" and order[-1] == "A"
    assert sorted(order[1:-1]) == list("BCDE")


def test_whatsapp_limits_are_data() -> None:
    assert LIMITS["whatsapp"] == ChannelLimits(per_second=80.0, per_chat_interval=6.0, late=0.05)


async def test_the_dispatcher_sends_other_peoples_messages_while_one_person_waits(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    """Regression (issue 10): a sender waiting out one person's interval sent nothing else."""
    addresses = ["61", "62", "63", "64"]
    for address in addresses:
        await register(Person(inbox, channel, address=address), "kota pekalongan")
    pids = {address: await participant_id(db, address) for address in addresses}
    order = ["61", "61", "62", "63", "64"]  # the first person's two messages come first
    async with db.transaction() as tx:
        for n, address in enumerate(order):
            recipient = Recipient(pids[address])
            due = NOW - timedelta(seconds=len(order) - n)
            await enqueue(tx, kind=NUDGE, recipient=recipient, key=f"w:{n}", due_at=due)
    recorder = CollectingChannel()  # the people's channel ("fake"), recording in order
    spaced = Limiters(unlisted=ChannelLimits(per_second=1000, per_chat_interval=0.5))
    sender = Dispatcher(
        db, {recorder.name: recorder}, ReminderPolicy(), limiters=spaced, concurrency=1,
        clock=Clock(NOW),
    )  # fmt: skip
    assert await asyncio.wait_for(sender.run_once(), timeout=10) == len(order)
    assert [address for address, _reply in recorder.sent] == ["61", "62", "63", "64", "61"]
