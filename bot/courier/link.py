"""The pipe between the engine process and a channel's courier process: framed messages and calls.

Both ends are our own code, started together (`bot/courier/remote.py` starts the courier and
hands it one end of a socket pair). Messages are the types of `bot/courier/protocol.py`, encoded
there, each behind a 4-byte length. A message is handed to the listener as soon as its last byte arrives,
without a task or a queue per message: this pipe carries several messages for every message a
person sends, so it has to cost next to nothing. A call waits for the answer that carries its
id; a closed pipe fails every waiting call.

Messages sent in one turn of the event loop leave in one write. Writes are not throttled: what
is in flight is bounded by python-telegram-bot's limit on concurrent updates, and a message is
a few hundred bytes.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import socket
import struct
from collections.abc import Callable
from typing import Any

from bot.courier.protocol import Message, UnknownMessage, decode, encode

log = logging.getLogger(__name__)

HEADER = struct.Struct("!I")
MAX_MESSAGE = 16 * 1024 * 1024  # a reply is at most a few KB; anything near this is a bug


class LinkClosed(ConnectionError):
    """The other process has gone (it stopped, crashed or closed its end)."""


class Link(asyncio.Protocol):
    """One end of the pipe."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._outgoing: list[bytes] = []
        self._listener: Callable[[Message], None] | None = None
        self._backlog: list[Message] = []
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self.gone = asyncio.Event()  # set once the pipe is closed, from either side

    @classmethod
    async def over(cls, sock: socket.socket) -> Link:
        """Wrap a connected stream socket (one end of `socket.socketpair()`)."""
        loop = asyncio.get_running_loop()
        _transport, link = await loop.create_connection(cls, sock=sock)
        return link

    @property
    def closed(self) -> bool:
        return self.gone.is_set()

    def listen(self, listener: Callable[[Message], None]) -> None:
        """Hand every message to `listener` from now on (messages that came before, first)."""
        self._listener = listener
        backlog, self._backlog = self._backlog, []
        for message in backlog:
            listener(message)

    async def first(self) -> Message:
        """The first message (for a handshake); call before `listen`."""
        arrived: asyncio.Future[Message] = asyncio.get_running_loop().create_future()

        def take(message: Message) -> None:
            arrived.set_result(message)
            self._listener = None  # what follows waits in the backlog for `listen`

        self.listen(take)
        waiting_for_close: asyncio.Future[Any] = asyncio.ensure_future(self.gone.wait())
        try:
            await asyncio.wait({arrived, waiting_for_close}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting_for_close.cancel()
            self._listener = None
        if not arrived.done():
            raise LinkClosed("the pipe closed before the first message")
        return arrived.result()

    def send(self, message: Message) -> None:
        if self._transport is None or self.closed:
            raise LinkClosed("the pipe is closed")
        data = encode(message)
        if not self._outgoing:
            asyncio.get_running_loop().call_soon(self._write)
        self._outgoing += (HEADER.pack(len(data)), data)

    def _write(self) -> None:
        outgoing, self._outgoing = self._outgoing, []
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(b"".join(outgoing))

    async def call(self, build: Callable[[int], Message]) -> Any:
        """Send `build(call_id)` and wait for the answer to that id (see `answered`)."""
        call_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[call_id] = future
        try:
            self.send(build(call_id))
            return await future
        finally:
            self._waiting.pop(call_id, None)

    def answered(self, call_id: int, value: Any) -> None:
        """Hand an answer that arrived to the call waiting for it (it may have given up)."""
        future = self._waiting.get(call_id)
        if future is not None and not future.done():
            future.set_result(value)

    def close(self) -> None:
        if self._transport is not None:
            self._write()  # what was sent before closing still leaves
            self._transport.close()
        self._closed()

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        start = 0
        while len(buffer) - start >= HEADER.size:
            (size,) = HEADER.unpack_from(buffer, start)
            if size > MAX_MESSAGE:
                self.close()  # out of step: nothing after this can be trusted
                return
            end = start + HEADER.size + size
            if len(buffer) < end:
                break
            try:
                message = decode(buffer[start + HEADER.size : end])
            except UnknownMessage as error:  # the frame is whole: what follows is still in step
                log.error("the other process sent %s", error)
                start = end
                continue
            start = end
            if self._listener is None:
                self._backlog.append(message)
            else:
                self._listener(message)
        del buffer[:start]

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed()

    def _closed(self) -> None:
        self.gone.set()
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(LinkClosed("the other process has gone"))
        self._waiting.clear()
