"""The messages between the engine process and a courier process (or an engine worker,
`bot/engines/`), and their one encoding.

Engine -> courier: `Start` (first, once), `Send` (a reply to send; answered by `Sent`), `Fetch`
(the bytes of a file a person sent; answered by `Fetched`),
`WebhookUpdate` (a raw update the engine's web app took in; answered by `UpdateHandled` once it is
handled), `Done` (the answer to `Received` and `MembershipChanged`), `Stop`.
Courier -> engine: `Received` (a message a person sent), `MembershipChanged` (a private chat
blocked or unblocked the bot), `Sent`, `Fetched`, `UpdateHandled`.

Front -> engine worker (ENGINES > 1): `StartEngine` (first, once), `Received` (answered by
`Handled`), `Sent`, `Fetched`, `Stop`. Engine worker -> front: `Deliver` (a reply to send through
the front's channel; answered by `Sent`), `FetchFrom` (answered by `Fetched`), `Handled`.

A message that waits for an answer carries a `call_id`; the answer carries the same id. Both ends
are our own code, started together, so a message is pickled as `(tag, *fields)`: `decode` knows
every tag and raises `UnknownMessage` for any other, so the two files that handle messages never
pick tuples apart.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, fields
from typing import Any

from bot.channels.protocol import SendResult
from bot.config import Settings
from handlers.flow import FlowSettings
from handlers.types import Attachment, Incoming, Reply


@dataclass(frozen=True, slots=True)
class Start:
    """The deployment's settings: the first message, so the courier needs no environment."""

    settings: Settings


@dataclass(frozen=True, slots=True)
class Stop:
    """Stop taking updates, finish what is in hand, and exit."""


@dataclass(frozen=True, slots=True)
class Send:
    call_id: int
    address: str
    reply: Reply


@dataclass(frozen=True, slots=True)
class Sent:
    call_id: int
    result: SendResult


@dataclass(frozen=True, slots=True)
class Fetch:
    call_id: int
    attachment: Attachment
    limit: int  # at most this many bytes


@dataclass(frozen=True, slots=True)
class Fetched:
    """The file's bytes, or (content None) why not: an `Unfetched` value."""

    call_id: int
    content: bytes | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class WebhookUpdate:
    """An update exactly as the platform posted it (JSON decoded, not yet read)."""

    call_id: int
    data: object


@dataclass(frozen=True, slots=True)
class UpdateHandled:
    call_id: int


@dataclass(frozen=True, slots=True)
class Received:
    call_id: int
    incoming: Incoming


@dataclass(frozen=True, slots=True)
class MembershipChanged:
    call_id: int
    address: str
    status: str


@dataclass(frozen=True, slots=True)
class Done:
    call_id: int


@dataclass(frozen=True, slots=True)
class StartEngine:
    """An engine worker's first message: the settings, and what its `Inbox` needs to know of the
    front (the channels running, which of them can fetch a person's files)."""

    settings: Settings
    flows: FlowSettings
    number: int  # this worker's engine number, 1 .. ENGINES - 1 (the front is engine 0)
    fetching: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Deliver:
    """A reply an engine worker asks the front to send through its (paced) channel."""

    call_id: int
    channel: str
    address: str
    reply: Reply


@dataclass(frozen=True, slots=True)
class FetchFrom:
    call_id: int
    channel: str
    attachment: Attachment
    limit: int


@dataclass(frozen=True, slots=True)
class Handled:
    """The answer to `Received` from an engine worker: what the turn left for the front to do."""

    call_id: int
    outbox_changed: bool  # the turn queued outbox rows: wake the dispatcher
    media_waiting: bool  # the turn stored a file's reference: wake the media keeper


Message = (
    Start
    | Stop
    | Send
    | Sent
    | Fetch
    | Fetched
    | WebhookUpdate
    | UpdateHandled
    | Received
    | MembershipChanged
    | Done
    | StartEngine
    | Deliver
    | FetchFrom
    | Handled
)

_TYPES: tuple[type[Any], ...] = (
    Start,
    Stop,
    Send,
    Sent,
    Fetch,
    Fetched,
    WebhookUpdate,
    UpdateHandled,
    Received,
    MembershipChanged,
    Done,
    StartEngine,
    Deliver,
    FetchFrom,
    Handled,
)
_BY_TAG: dict[str, type[Any]] = {kind.__name__: kind for kind in _TYPES}
_FIELDS: dict[type[Any], tuple[str, ...]] = {
    kind: tuple(field.name for field in fields(kind)) for kind in _TYPES
}


class UnknownMessage(ValueError):
    """Bytes that are not one of the messages above (the other end is another version, or a bug)."""


def encode(message: Message) -> bytes:
    names = _FIELDS[type(message)]
    values = (getattr(message, name) for name in names)
    return pickle.dumps((type(message).__name__, *values), protocol=pickle.HIGHEST_PROTOCOL)


def decode(data: bytes | bytearray | memoryview) -> Message:
    try:
        loaded = pickle.loads(data)
    except Exception as error:
        raise UnknownMessage(f"not a message ({type(error).__name__})") from error
    if not isinstance(loaded, tuple) or not loaded or not isinstance(loaded[0], str):
        raise UnknownMessage(f"not a message: a {type(loaded).__name__}")
    kind = _BY_TAG.get(loaded[0])
    if kind is None:
        raise UnknownMessage(f"unknown message {loaded[0]!r}")
    if len(loaded) - 1 != len(_FIELDS[kind]):
        raise UnknownMessage(f"{loaded[0]} with {len(loaded) - 1} values")
    message: Message = kind(*loaded[1:])
    return message
