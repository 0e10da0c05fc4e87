"""An engine worker: an `Inbox` in a process of its own, for the people the front routes to it.

With `ENGINES=N` (N > 1) the `pendamping run` process (the front: web app, channels, outbox,
media keeper) handles the people of engine 0 itself and starts N - 1 of these, each as
`python -m bot.engines.worker FD`, FD being its end of a socket pair (`bot/engines/router.py`).
Every message of one person comes to the same engine, in the order it arrived, so the `Inbox`'s
per-person lock keeps their turns in order as one process would.

A worker holds database connections of its own but no channel: its replies go back to the front
as `Deliver` and leave through the front's paced channels (one rate limit per channel for all
engines); `FetchFrom` brings a file a person sent the same way. Each `Received` is answered with
`Handled`, which tells the front whether the turn queued outbox rows or stored a file's
reference, so the front wakes its dispatcher or media keeper.

It stops when the front sends `Stop` (the turns in hand finish and their send results are
written first) or closes the pipe (the front process ended). Ctrl-C in a terminal and SIGTERM are
the front's to handle: this process runs in a session of its own and ignores SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
from collections.abc import Coroutine
from contextvars import ContextVar
from dataclasses import dataclass

from bot.channels.protocol import SendResult
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
from bot.logs import setup_logging
from bot.memory import freeze_startup_objects
from handlers.files import FileNotFetched, Unfetched
from handlers.types import Attachment, Incoming, Reply
from storage.db import Database

log = logging.getLogger("pendamping.engine")

STOP_TIMEOUT = 25.0  # seconds the turns in hand get to finish once the front says stop


class FrontChannel:
    """A channel of the front: a reply goes there to be sent, and its result comes back."""

    def __init__(self, name: str, link: Link) -> None:
        self.name = name
        self._link = link

    async def send(self, address: str, reply: Reply) -> SendResult:
        try:
            result: SendResult = await self._link.call(
                lambda call_id: Deliver(call_id, self.name, address, reply)
            )
        except LinkClosed:
            return SendResult(False, error="the front process has stopped")
        return result


class FetchingFrontChannel(FrontChannel):
    """A front channel that can also bring the bytes of a file a person sent."""

    async def fetch(self, attachment: Attachment, limit: int) -> bytes:
        try:
            fetched: Fetched = await self._link.call(
                lambda call_id: FetchFrom(call_id, self.name, attachment, limit)
            )
        except LinkClosed:
            raise FileNotFetched(Unfetched.FAILED) from None
        if fetched.content is None:
            known = {str(reason): reason for reason in Unfetched}
            raise FileNotFetched(known.get(fetched.reason or "", Unfetched.FAILED))
        return fetched.content


@dataclass
class TurnNotes:
    """What one turn left for the front to do, noted by the `Inbox`'s callbacks."""

    outbox_changed: bool = False
    media_waiting: bool = False


_turn: ContextVar[TurnNotes] = ContextVar("turn")  # each turn runs in a task of its own


def _note_outbox() -> None:
    _turn.get().outbox_changed = True


def _note_media() -> None:
    _turn.get().media_waiting = True


async def run(link: Link) -> None:
    start = await link.first()
    if not isinstance(start, StartEngine):
        raise SystemExit("engine worker: the front sent no settings")
    settings, number = start.settings, start.number
    setup_logging(settings.log_level, quiet=False)
    db = Database(settings.database_url)
    channels = {
        name: (FetchingFrontChannel if name in start.fetching else FrontChannel)(name, link)
        for name in sorted(start.flows.channels)
    }
    inbox = Inbox(db, start.flows, channels)
    inbox.on_outbox = _note_outbox
    inbox.on_media = _note_media
    stop = asyncio.Event()
    working: set[asyncio.Task[None]] = set()
    turns = 0

    async def handle(call_id: int, incoming: Incoming) -> None:
        nonlocal turns
        notes = TurnNotes()
        _turn.set(notes)
        try:
            await inbox.receive(incoming)
        except Exception:  # the front's call must get an answer, whatever happened
            log.exception("engine %d: a turn failed channel=%s", number, incoming.channel)
        turns += 1
        with contextlib.suppress(LinkClosed):
            link.send(Handled(call_id, notes.outbox_changed, notes.media_waiting))

    def work(job: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(job)
        working.add(task)
        task.add_done_callback(working.discard)

    def on_message(message: Message) -> None:
        match message:
            case Received(call_id, incoming):
                work(handle(call_id, incoming))
            case Sent(call_id, result):
                link.answered(call_id, result)
            case Fetched(call_id):
                link.answered(call_id, message)
            case Stop():
                stop.set()
            case _:
                log.error("the front sent a %s, which it should not", type(message).__name__)

    link.listen(on_message)
    freeze_startup_objects()
    stopping = asyncio.ensure_future(stop.wait())
    gone = asyncio.ensure_future(link.gone.wait())
    try:
        await asyncio.wait({stopping, gone}, return_when=asyncio.FIRST_COMPLETED)
        if working:
            await asyncio.wait(working, timeout=STOP_TIMEOUT)
        await inbox.close()  # the send results still unwritten
    finally:
        stopping.cancel()
        gone.cancel()
        await db.dispose()
        link.close()
    log.info("engine %d stopped: %d turns handled", number, turns)


async def main_async(fd: int) -> None:
    link = await Link.over(socket.socket(fileno=fd))
    await run(link)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].isdigit():
        print(
            "usage: python -m bot.engines.worker FD (started by `pendamping run`)", file=sys.stderr
        )
        return 2
    # A supervisor that signals every process of the service (systemd does) must not cut a turn
    # short: the front stops this worker in order, or its pipe closes when the front is gone.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        asyncio.run(main_async(int(args[0])))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
