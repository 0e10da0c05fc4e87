"""What every channel adapter offers the rest of the bot."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from handlers.types import Incoming, Reply

Receive = Callable[[Incoming], Awaitable[object]]  # hands an inbound message to the engine
MemberChanged = Callable[[str, str], Awaitable[None]]  # (address, new membership status)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    external_id: str | None = None
    error: str | None = None
    unreachable: bool = False  # the person blocked us or the chat is gone: stop sending
    attempts: int = 1


class Channel(Protocol):
    name: str

    async def send(self, address: str, reply: Reply) -> SendResult: ...
