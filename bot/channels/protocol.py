"""What every channel adapter offers the rest of the bot."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from handlers.types import Attachment, Incoming, Reply

Receive = Callable[[Incoming], Awaitable[object]]  # hands an inbound message to the engine
MemberChanged = Callable[[str, str], Awaitable[None]]  # (address, new membership status)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    external_id: str | None = None
    error: str | None = None
    unreachable: bool = False  # the person blocked us or the chat is gone: stop sending
    attempts: int = 1
    # The platform said "too many requests, retry after N s": nothing to this channel before then
    # (bot/outbox/limits.py pauses the channel's limiter and sends again).
    retry_after: float | None = None
    rest: Reply | None = None  # with retry_after: what is still to send, if part already went out


class Channel(Protocol):
    name: str

    async def send(self, address: str, reply: Reply) -> SendResult: ...


@runtime_checkable
class FileChannel(Protocol):
    """A channel that can also bring the bytes of a file a person sent (`handlers/files.py`
    Fetch): at most `limit` bytes, else FileNotFetched(TOO_LARGE)."""

    async def fetch(self, attachment: Attachment, limit: int) -> bytes: ...
