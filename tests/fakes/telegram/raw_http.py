"""A small asyncio HTTP/1.1 server (keep-alive, pipelining, chunked bodies) for the fake.

Several times cheaper per request than uvicorn with h11 and instant to stop: the default for
the suite and the benchmarks.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote

if TYPE_CHECKING:
    from tests.fakes.telegram.server import FakeTelegramAPI

JSONDict = dict[str, Any]


REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Payload Too Large",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
MAX_HEAD = 64 * 1024


class RawHTTPProtocol(asyncio.Protocol):
    """A small HTTP/1.1 server connection: keep-alive, pipelining, Content-Length and chunked bodies."""

    def __init__(self, fake: FakeTelegramAPI) -> None:
        self.fake = fake
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.queue: deque[tuple[str, str, dict[str, str], bytes, bool]] = deque()
        self.task: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.fake._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.fake._connections.discard(self)
        if self.task is not None:
            self.task.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            try:
                request = self._parse()
            except ValueError:
                self._reply_and_close(400, b"malformed HTTP request")
                return
            if request is None:
                break
            self.queue.append(request)
        if self.queue and self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._serve())

    def _parse(self) -> tuple[str, str, dict[str, str], bytes, bool] | None:
        buffer = self.buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > MAX_HEAD:
                raise ValueError("head too large")
            return None
        lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
        verb, target, version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        start = end + 4
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = bytearray()
            pos = start
            while True:
                line_end = buffer.find(b"\r\n", pos)
                if line_end < 0:
                    return None
                size = int(bytes(buffer[pos:line_end]).split(b";", 1)[0], 16)
                pos = line_end + 2
                if size == 0:
                    trailer_end = buffer.find(b"\r\n\r\n", pos - 2)
                    if trailer_end < 0:
                        return None
                    consumed = trailer_end + 4
                    break
                if len(buffer) < pos + size + 2:
                    return None
                body += buffer[pos : pos + size]
                pos += size + 2
            payload = bytes(body)
        else:
            length = int(headers.get("content-length", "0") or 0)
            if len(buffer) < start + length:
                return None
            payload = bytes(buffer[start : start + length])
            consumed = start + length
        del buffer[:consumed]
        connection = headers.get("connection", "").lower()
        keep_alive = connection != "close" and (version != "HTTP/1.0" or connection == "keep-alive")
        return verb, target, headers, payload, keep_alive

    async def _serve(self) -> None:
        try:
            while self.queue:
                verb, target, headers, body, keep_alive = self.queue.popleft()
                path, _, query = target.partition("?")
                status, payload, content_type = await self.fake.handle_http(
                    verb,
                    unquote(path),
                    query.encode("latin-1"),
                    headers.get("content-type", ""),
                    body,
                )
                transport = self.transport
                if transport is None or transport.is_closing():
                    return
                head = (
                    f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
                    f"Content-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n"
                )
                if not keep_alive:
                    head += "Connection: close\r\n"
                transport.write(
                    b"".join((head.encode("latin-1"), b"\r\n", b"" if verb == "HEAD" else payload))
                )
                if not keep_alive:
                    transport.close()
                    return
        finally:
            self.task = None

    def _reply_and_close(self, status: int, message: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(
                f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\nContent-Length: {len(message)}"
                f"\r\nConnection: close\r\n\r\n".encode("latin-1")
                + message
            )
            self.transport.close()
