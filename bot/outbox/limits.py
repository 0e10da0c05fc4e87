"""Pacing sends to each platform's limits, one limiter per channel; a platform's "slow down" (429)
pauses every sender on that channel."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bot.channels.protocol import Channel, FileChannel, SendResult
from bot.outbox.budget import SharedBudget
from handlers.files import FileNotFetched, Unfetched
from handlers.types import Attachment, Reply

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChannelLimits:
    per_second: float  # messages per second for the whole bot (or phone number)
    per_chat_interval: float  # seconds between two messages to one chat
    # How late a sender may wake for its slot and still send: later than that (the event loop
    # was busy), the senders that all wake at once would go out as a burst beyond what the
    # platform tolerates, so each takes a new slot instead (at most `MAX_REQUEUES` times).
    late: float = 0.5


# A platform's published limits, by channel name. A new channel adds its line here.
LIMITS: Mapping[str, ChannelLimits] = {
    "telegram": ChannelLimits(per_second=30.0, per_chat_interval=1.0),
    # 80/s per business number by default (WHATSAPP_MESSAGES_PER_SECOND); Meta's pair rate is
    # about one message to one person every 6 s (131056 beyond it).
    # Meta tolerates about a tenth of a second's burst.
    "whatsapp": ChannelLimits(per_second=80.0, per_chat_interval=6.0, late=0.05),
}
UNLISTED = ChannelLimits(per_second=30.0, per_chat_interval=1.0)  # a channel not listed above
MAX_FLOOD_RETRIES = 4  # a message the platform keeps refusing with "retry after" then fails
MAX_REQUEUES = 3  # a sender that woke too late takes a new slot at most this often, then sends


class RateLimiter:
    """Hands out send slots spaced evenly: no bursts, so the platform never answers 429.

    With a `budget` (the database's, shared by every process: bot/outbox/budget.py) the slots
    come from blocks taken from it, named `budget_name`, so several processes keep the rate
    together; without one, this process alone keeps it.
    """

    def __init__(
        self,
        per_second: float = 30.0,
        per_chat_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        chats: dict[str, float] | None = None,
        late: float = 0.5,
        *,
        budget: SharedBudget | None = None,
        budget_name: str = "",
    ) -> None:
        self._interval = 1.0 / per_second
        self._budget = budget
        self._budget_name = budget_name
        self._block_end = 0.0  # with a budget: the slots before this are this process's
        self._ahead: asyncio.Task[float] | None = None  # the next block, asked for ahead
        self._holding_back: set[asyncio.Task[None]] = set()
        self._late = late
        self._per_chat = per_chat_interval
        self._clock = clock
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._pauses = 0  # how many pauses so far: a slot taken before the latest one is void
        # When each chat may have its next message; shared by a channel's limiters (its paid
        # broadcasting's too): a person's interval holds whichever pace their messages go at.
        self._chat_next: dict[str, float] = {} if chats is None else chats
        self._lock = asyncio.Lock()

    @property
    def per_second(self) -> float:
        return 1.0 / self._interval

    @property
    def per_chat_interval(self) -> float:
        return self._per_chat

    async def wait(self, chat: str, requeues: int = 0) -> float:
        """Wait for a slot to send one message to `chat` (the outbox's pace); the slot's time.
        `requeues` > 0: the chat's message took a slot already and did not go out at it."""
        while True:
            async with self._lock:
                now = self._clock()
                # The block's last slot begins an interval before its end (half an interval of
                # margin: slot times are sums of floats).
                last = self._block_end - self._interval / 2
                if self._budget is not None and max(now, self._next_slot) > last:
                    await self._take_block(self._budget)
                    now = self._clock()
                slot = self._reserve(chat, now, again=requeues > 0)
                pauses = self._pauses
                if self._budget is not None and slot is not None:
                    self._ask_ahead(self._budget)
            if slot is None:  # the person had a message moments ago: wait for them alone
                await asyncio.sleep(max(self._chat_next.get(chat, now) - now, 0.001))
                continue
            if slot > now:
                await asyncio.sleep(slot - now)
            if self._pauses != pauses:
                requeues = 0  # "slow down" while we waited: queue again behind the pause
                continue
            if self._clock() - slot <= self._late or requeues >= MAX_REQUEUES:
                return slot
            requeues += 1  # woke too late: a new slot, not a burst with the others woken late

    async def _take_block(self, budget: SharedBudget) -> None:
        """The next block of the shared budget's slots (it starts after every other process's):
        the one asked for ahead if it has not gone by unused, else one asked for now."""
        count = budget.block_size(self.per_second)
        ahead, self._ahead = self._ahead, None
        first = await ahead if ahead is not None else None
        if first is None or first + (count - 0.5) * self._interval < self._clock():
            first = await budget.take(self._budget_name, count, self._interval)
        self._next_slot = max(first, self._paused_until)
        self._block_end = first + count * self._interval

    def _ask_ahead(self, budget: SharedBudget) -> None:
        """Once half of a block is given out, the next one is asked for in the background: the
        senders never wait for the database (whose connections the sends themselves use)."""
        count = budget.block_size(self.per_second)
        if self._ahead is None and self._block_end - self._next_slot <= count * self._interval / 2:
            self._ahead = asyncio.get_running_loop().create_task(
                budget.take(self._budget_name, count, self._interval)
            )

    async def still_on_time(self, chat: str, slot: float) -> None:
        """After work between the slot and the send (writing "sending" down): if that took
        longer than the platform tolerates, a new slot, so that the senders held up together do
        not go out together."""
        if self._clock() - slot > self._late:
            await self.wait(chat, requeues=1)

    def sent(self, chat: str) -> None:
        """The platform has answered a message to `chat`: its next one waits a full interval
        from now. Counting from the answer, not the slot, keeps the interval however long the
        send took to leave this process or to reach the platform."""
        self._chat_next[chat] = max(self._chat_next.get(chat, 0.0), self._clock() + self._per_chat)

    def ready(self, chat: str) -> bool:
        """Whether `chat`'s own interval has passed (the channel's pace aside)."""
        return self._chat_next.get(chat, 0.0) <= self._clock()

    def reserve(self, chat: str) -> float | None:
        """Take the next send slot for `chat` (a clock time), or None while the person's own
        interval runs (then no slot is taken: ask again once it has passed). Without a shared
        budget only (its blocks are taken in `wait`)."""
        assert self._budget is None, "a limiter with a shared budget gives slots in wait()"
        return self._reserve(chat, self._clock())

    def _reserve(self, chat: str, now: float, again: bool = False) -> float | None:
        # The channel's slots advance only for messages that go out at them, so one person with
        # two messages in a row delays only their own second message, never everyone's.
        # `again`: the chat's message took a slot already and did not go: it takes a later one.
        slot = max(now, self._next_slot)
        if not again and self._chat_next.get(chat, 0.0) > slot:
            return None
        self._next_slot = slot + self._interval
        self._chat_next[chat] = slot + self._per_chat
        if len(self._chat_next) > 10_000:
            for past in [k for k, v in self._chat_next.items() if v <= now]:
                del self._chat_next[past]
        return slot

    async def resumed(self) -> None:
        """Wait out a pause only (replies to a person who just wrote are not paced further)."""
        while True:  # a pause may grow while we wait
            left = self._paused_until - self._clock()
            if left <= 0:
                return
            await asyncio.sleep(left)

    def pause(self, seconds: float) -> None:
        """The platform said "retry after N s": nobody on this channel sends before then."""
        until = self._clock() + seconds
        if until <= self._paused_until:
            return
        self._paused_until = until
        self._next_slot = max(self._next_slot, until)
        self._pauses += 1
        if self._budget is not None:  # every other process pauses too
            task = asyncio.get_running_loop().create_task(
                self._budget.hold_back(self._budget_name, seconds)
            )
            self._holding_back.add(task)
            task.add_done_callback(self._holding_back.discard)


class Limiters:
    """One `RateLimiter` per channel name, made on first use from `limits`.

    `per_second` overrides a channel's overall rate from configuration and keeps its per-person
    interval: `Limiters(per_second={"whatsapp": settings.whatsapp_messages_per_second})`.
    `budget`: the slots come from the database, shared by every process (bot/app.py passes it).
    """

    def __init__(
        self,
        limits: Mapping[str, ChannelLimits] = LIMITS,
        unlisted: ChannelLimits = UNLISTED,
        clock: Callable[[], float] = time.monotonic,
        *,
        per_second: Mapping[str, float] | None = None,
        paid: Mapping[str, float] | None = None,
        budget: SharedBudget | None = None,
    ) -> None:
        self._limits = dict(limits)
        self._budget = budget
        self._paid = dict(paid or {})
        for channel, rate in self._paid.items():
            if rate <= 0:
                raise ValueError(f"the paid rate of {channel} must be above 0 messages per second")
        for channel, rate in (per_second or {}).items():
            if rate <= 0:
                raise ValueError(f"the rate of {channel} must be above 0 messages per second")
            base = self._limits.get(channel, unlisted)
            self._limits[channel] = ChannelLimits(rate, base.per_chat_interval, base.late)
        self._unlisted = unlisted
        self._clock = clock
        self._made: dict[str, RateLimiter] = {}

    def bulk_of(self, channel: str) -> RateLimiter | None:
        """The limiter for mass messages (`Reply.bulk`) where the platform sells a faster rate
        for them (Telegram's paid broadcasting), or None: they go at the channel's own pace."""
        rate = self._paid.get(channel)
        if rate is None:
            return None
        key = f"{channel}:paid"
        limiter = self._made.get(key)
        if limiter is None:
            limits = self._limits.get(channel, self._unlisted)
            chats = self.of(channel)._chat_next
            limiter = self._made[key] = RateLimiter(
                rate, limits.per_chat_interval, self._clock, chats, limits.late,
                budget=self._budget, budget_name=key,
            )  # fmt: skip
        return limiter

    def of(self, channel: str) -> RateLimiter:
        limiter = self._made.get(channel)
        if limiter is None:
            limits = self._limits.get(channel, self._unlisted)
            limiter = RateLimiter(
                limits.per_second, limits.per_chat_interval, self._clock, late=limits.late,
                budget=self._budget, budget_name=channel,
            )  # fmt: skip
            self._made[channel] = limiter
        return limiter


class Paced:
    """A channel whose sends respect its limiter's pauses: on "retry after N s" the whole channel
    pauses for N s (every sender waits, the outbox and replies alike), then the rest is resent."""

    def __init__(
        self, channel: Channel, limiter: RateLimiter, bulk: RateLimiter | None = None
    ) -> None:
        self.channel = channel
        self.limiter = limiter
        self.bulk = bulk  # mass messages' own faster pace (paid broadcasting), if any
        self.name = channel.name

    def limiter_for(self, reply: Reply) -> RateLimiter:
        """The pace this reply goes at: a mass message's paid rate where there is one."""
        return self.bulk if reply.bulk and self.bulk is not None else self.limiter

    async def send(self, address: str, reply: Reply) -> SendResult:
        attempts = 0
        limiter = self.limiter_for(reply)
        for _attempt in range(MAX_FLOOD_RETRIES):
            await limiter.resumed()
            result = await self.channel.send(address, reply)
            limiter.sent(address)
            attempts += result.attempts
            if result.retry_after is None:
                return _with_attempts(result, attempts)
            log.warning("%s flood control: channel paused %.1f s", self.name, result.retry_after)
            limiter.pause(result.retry_after)
            reply = result.rest or reply  # a long message may have gone out in part
        return SendResult(False, error="flood control: gave up after retries", attempts=attempts)

    async def fetch(self, attachment: Attachment, limit: int) -> bytes:
        """A file a person sent, through the channel (not paced: the limiter is for sends)."""
        if not isinstance(self.channel, FileChannel):
            raise FileNotFetched(Unfetched.NO_CHANNEL)
        return await self.channel.fetch(attachment, limit)


def paced(channels: Mapping[str, Channel], limiters: Limiters) -> dict[str, Paced]:
    """Each channel behind its own limiter (a channel already paced is left as it is)."""
    return {
        name: channel
        if isinstance(channel, Paced)
        else Paced(channel, limiters.of(name), limiters.bulk_of(name))
        for name, channel in channels.items()
    }


def _with_attempts(result: SendResult, attempts: int) -> SendResult:
    if result.attempts == attempts:
        return result
    return SendResult(result.ok, result.external_id, result.error, result.unreachable, attempts)
