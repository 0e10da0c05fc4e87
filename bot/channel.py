"""What every channel adapter offers the rest of the bot."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from handlers.types import Reply


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
