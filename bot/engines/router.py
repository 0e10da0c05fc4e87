"""The front's side of ENGINES > 1: routes each person to one engine and serves the workers.

Each inbound message goes to engine `crc32("channel:address") % ENGINES` (a stable hash: the
same person, the same engine, whatever the process or the restart). Engine 0 is the front's own
`Inbox`; engines 1 .. N-1 are worker processes (`bot/engines/worker.py`), each behind a socket
pair and a `Link`. Messages to one engine are handed over in the order they arrived, and the
engine's `Inbox` takes one person's turns one at a time in that order: a person's messages are
answered in order, as with one process. Different people's turns run on different cores.

A worker's replies come back as `Deliver` and go out through the front's channels, paced by the
one limiter per channel; a worker that ends without being asked stops the bot (`EngineStopped`),
so that a supervisor restarts everything (`bot/app.py` raises `CourierStopped`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sys
import zlib
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from bot.channels.protocol import Channel, FileChannel, SendResult
from bot.config import Settings
from bot.courier.link import Link, LinkClosed
from bot.courier.protocol import (
    Deliver,
    Fetched,
    FetchFrom,
    Handled,
    Message,
    Received,
    Sent,
    StartEngine,
    Stop,
)
from bot.inbox import Inbox
from handlers.files import FileNotFetched, Unfetched
from handlers.types import Incoming

log = logging.getLogger(__name__)

STOP_TIMEOUT = 30.0  # seconds a worker gets to finish its turns in hand when we stop


def engine_of(channel: str, address: str, engines: int) -> int:
    """The engine for this person: stable across processes and restarts (not Python's `hash`)."""
    return zlib.crc32(f"{channel}:{address}".encode()) % engines


class EngineGone(ConnectionError):
    """A worker ended while a message was on its way to it or in its hands."""


class EngineWorker:
    """One worker process, seen from the front."""

    def __init__(self, number: int) -> None:
        self.number = number
        self._link: Link | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._channels: Mapping[str, Channel] = {}
        self._work: set[asyncio.Task[None]] = set()

    async def start(self, start: StartEngine, channels: Mapping[str, Channel]) -> None:
        self._channels = channels
        ours, theirs = socket.socketpair()
        with theirs:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.engines.worker", str(theirs.fileno()),
                pass_fds=(theirs.fileno(),),
                start_new_session=True,  # Ctrl-C reaches the front; it stops us in order
            )  # fmt: skip
        log.info("engine %d process started pid=%d", self.number, self._process.pid)
        self._link = await Link.over(ours)
        self._link.send(start)
        self._link.listen(self._on_message)

    async def receive(self, incoming: Incoming) -> Handled:
        assert self._link is not None, "start() the worker first"
        try:
            handled: Handled = await self._link.call(lambda call_id: Received(call_id, incoming))
        except LinkClosed:
            raise EngineGone(f"engine {self.number} has gone") from None
        return handled

    @property
    def started(self) -> bool:
        return self._process is not None

    async def wait(self) -> int:
        assert self._process is not None
        return await self._process.wait()

    async def stop(self) -> int:
        """Ask the worker to finish its turns in hand and exit; its exit code."""
        assert self._process is not None and self._link is not None
        with contextlib.suppress(LinkClosed):
            self._link.send(Stop())
        try:
            code = await asyncio.wait_for(self._process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            log.warning("engine %d did not stop in %.0f s: killed", self.number, STOP_TIMEOUT)
            self._process.kill()
            code = await self._process.wait()
        if self._work:
            await asyncio.wait(self._work, timeout=STOP_TIMEOUT)
        self._link.close()
        return code

    def _on_message(self, message: Message) -> None:
        assert self._link is not None
        match message:
            case Handled(call_id):
                self._link.answered(call_id, message)
            case Deliver(call_id, channel, address, reply):
                self._track(self._send(call_id, channel, address, reply))
            case FetchFrom(call_id, channel, attachment, limit):
                self._track(self._fetch(call_id, channel, attachment, limit))
            case _:
                log.error(
                    "engine %d sent a %s, which it should not", self.number, type(message).__name__
                )

    async def _send(self, call_id: int, name: str, address: str, reply: Any) -> None:
        assert self._link is not None
        try:
            result = await self._channels[name].send(address, reply)
        except Exception as error:  # the worker's call must get an answer, whatever happened
            log.exception("engine %d: a send failed channel=%s", self.number, name)
            result = SendResult(False, error=type(error).__name__)
        with contextlib.suppress(LinkClosed):
            self._link.send(Sent(call_id, result))

    async def _fetch(self, call_id: int, name: str, attachment: Any, limit: int) -> None:
        assert self._link is not None
        answer = Fetched(call_id, None, Unfetched.FAILED)
        channel = self._channels.get(name)
        try:
            if isinstance(channel, FileChannel):
                answer = Fetched(call_id, await channel.fetch(attachment, limit))
        except FileNotFetched as error:
            answer = Fetched(call_id, None, error.reason)
        except Exception:
            log.exception("engine %d: a fetch failed channel=%s", self.number, name)
        with contextlib.suppress(LinkClosed):
            self._link.send(answer)

    def _track(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._work.add(task)
        task.add_done_callback(self._work.discard)


class Engines:
    """The router: engine 0 is `local` (the front's own `Inbox`), the others worker processes."""

    def __init__(self, settings: Settings, on_death: Callable[[], None]) -> None:
        self.settings = settings
        self.count = settings.engines
        self._on_death = on_death
        self._local: Inbox | None = None
        self._local_turns = 0
        self._workers = [EngineWorker(number) for number in range(1, self.count)]
        self._started = asyncio.Event()
        self._watchers: list[asyncio.Task[None]] = []
        self._stopping = False
        self.death: str | None = None  # why a worker ended by itself, if one did

    async def start(self, local: Inbox, channels: Mapping[str, Channel]) -> None:
        """Start the workers; `local` is engine 0, `channels` the front's (paced) channels."""
        self._local = local
        fetching = tuple(
            name for name, channel in channels.items() if isinstance(channel, FileChannel)
        )
        for worker in self._workers:
            start = StartEngine(self.settings, local.settings, worker.number, fetching)
            await worker.start(start, channels)
            self._watchers.append(asyncio.create_task(self._watch(worker)))
        self._started.set()
        log.info("%d engines: this process and %d worker(s)", self.count, len(self._workers))

    async def receive(self, incoming: Incoming) -> object:
        """Hand the message to its person's engine; returns once the turn is handled."""
        await self._started.wait()
        assert self._local is not None
        number = engine_of(incoming.channel, incoming.address, self.count)
        if number == 0:
            self._local_turns += 1
            return await self._local.receive(incoming)
        handled = await self._workers[number - 1].receive(incoming)
        if handled.outbox_changed and self._local.on_outbox is not None:
            self._local.on_outbox()
        if handled.media_waiting and self._local.on_media is not None:
            self._local.on_media()
        return handled

    async def stop(self) -> None:
        """Idempotent: every worker finishes its turns in hand, writes their send results and
        exits. Call once the channels hand over no more messages (each waits until its messages
        are handled, so no turn is then in hand), as the front's own `Inbox` is closed."""
        if self._stopping:
            return
        self._stopping = True
        for watcher in self._watchers:
            watcher.cancel()
        codes = await asyncio.gather(*(w.stop() for w in self._workers if w.started))
        for worker, code in zip([w for w in self._workers if w.started], codes, strict=True):
            if code != 0 and self.death is None:
                log.warning("engine %d exited with code %d", worker.number, code)
        log.info("engine 0 stopped: %d turns handled", self._local_turns)

    async def _watch(self, worker: EngineWorker) -> None:
        code = await worker.wait()
        if self._stopping:
            return
        self.death = f"engine {worker.number} ended by itself (exit code {code})"
        self._on_death()
