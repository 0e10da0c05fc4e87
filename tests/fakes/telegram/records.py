"""Small records the fake keeps: chats, callback queries, uploads, injected errors, rate buckets."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

JSONDict = dict[str, Any]


@dataclass
class Upload:
    """A file uploaded with multipart/form-data."""

    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        return f"<upload {self.filename!r} {len(self.data)} bytes>"


@dataclass
class Chat:
    chat: JSONDict
    user: JSONDict
    next_message_id: int = 1
    messages: dict[int, JSONDict] = field(default_factory=dict)
    inbox: list[JSONDict] = field(default_factory=list)
    event: asyncio.Event = field(default_factory=asyncio.Event)
    blocked: bool = False
    known: bool = False  # has the user ever talked to the bot

    def new_message_id(self) -> int:
        mid = self.next_message_id
        self.next_message_id += 1
        return mid


@dataclass
class CallbackQuery:
    query_id: str
    user_id: int
    chat_id: int | None
    data: str
    answer: JSONDict | None = None
    done: bool = False
    event: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Injection:
    error_code: int
    description: str
    retry_after: int | None
    times: int


class Bucket:
    """Token bucket: ``rate`` tokens per second, at most ``capacity`` stored."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = time.monotonic()

    def wait_time(self, now: float) -> float:
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class Waitable:
    """An append-only list with a cursor and an event, for ``wait_for_call``."""

    items: list[JSONDict] = field(default_factory=list)
    cursor: int = 0
    event: asyncio.Event = field(default_factory=asyncio.Event)


async def wait_event(event: asyncio.Event, deadline: float) -> bool:
    """Wait for ``event`` until the loop time ``deadline``; False on timeout."""
    remaining = deadline - asyncio.get_running_loop().time()
    if remaining <= 0:
        return False
    try:
        await asyncio.wait_for(event.wait(), remaining)
    except TimeoutError:
        return False
    return True


def update_type(update: JSONDict) -> str:
    for key in update:
        if key != "update_id":
            return key
    return ""


def summary(record: JSONDict) -> str:
    text = record.get("text", record.get("caption", ""))
    if isinstance(text, str) and len(text) > 120:
        text = text[:117] + "..."
    markup = record.get("reply_markup")
    kb = ""
    if isinstance(markup, dict):
        rows = markup.get("inline_keyboard") or markup.get("keyboard")
        if rows:
            labels = [b.get("text", b) if isinstance(b, dict) else b for row in rows for b in row]
            kb = f" buttons={labels}"
    return f"{record.get('method')} #{record.get('message_id')}: {text!r}{kb}"
