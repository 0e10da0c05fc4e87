"""Pacing sends to the platform's limits: ~30 messages/s per bot and 1/s per chat on Telegram."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class RateLimiter:
    """Hands out send slots spaced evenly: no bursts, so the platform never answers 429."""

    def __init__(
        self,
        per_second: float = 30.0,
        per_chat_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval = 1.0 / per_second
        self._per_chat = per_chat_interval
        self._clock = clock
        self._next_slot = 0.0
        self._chat_next: dict[str, float] = {}
        self._lock = asyncio.Lock()

    async def wait(self, chat: str) -> None:
        async with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot, self._chat_next.get(chat, 0.0))
            self._next_slot = slot + self._interval
            self._chat_next[chat] = slot + self._per_chat
            if len(self._chat_next) > 10_000:
                self._chat_next = {k: v for k, v in self._chat_next.items() if v > now}
        if slot > now:
            await asyncio.sleep(slot - now)

    def pause(self, seconds: float) -> None:
        """The platform said "retry after N s": nobody sends before then."""
        self._next_slot = max(self._next_slot, self._clock() + seconds)
