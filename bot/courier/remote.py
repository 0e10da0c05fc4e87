"""The engine's side of a courier process: starts it, takes its messages, hands it replies to send.

With Telegram in a process of its own (`bot/channels/telegram/process.py`), python-telegram-bot's work
(polling, parsing updates, HTTP, rendering keyboards) runs on one core and the engine with the
database on another, as RapidPro splits courier and mailroom. To the rest of the bot this class
is just the "telegram" `Channel`: `send` returns the `SendResult` the courier reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sys
from collections.abc import Awaitable
from functools import partial
from typing import Any

from bot.channels.protocol import MemberChanged, Receive, SendResult
from bot.config import Settings
from bot.courier.link import Link, LinkClosed
from bot.courier.protocol import (
    Done,
    Fetch,
    Fetched,
    MembershipChanged,
    Message,
    Received,
    Send,
    Sent,
    Start,
    Stop,
    UpdateHandled,
    WebhookUpdate,
)
from handlers.files import FileNotFetched, Unfetched
from handlers.types import Attachment, Reply

log = logging.getLogger(__name__)

STOP_TIMEOUT = 30.0  # seconds the courier gets to finish what it is doing when we stop


class CourierProcess:
    """One courier process for one channel."""

    def __init__(self, name: str, module: str, settings: Settings) -> None:
        self.name = name
        self._module = module
        self._settings = settings
        self._link: Link | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._work: set[asyncio.Task[None]] = set()

    async def start(
        self,
        receive: Receive,
        member_changed: MemberChanged,
    ) -> None:
        ours, theirs = socket.socketpair()
        with theirs:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                self._module,
                str(theirs.fileno()),
                pass_fds=(theirs.fileno(),),
                start_new_session=True,  # Ctrl-C reaches us; we stop it in order
            )
        log.info("%s process started pid=%d", self.name, self._process.pid)
        self._link = await Link.over(ours)
        self._link.send(Start(self._settings))
        self._link.listen(partial(self._on_message, receive, member_changed))

    async def send(self, address: str, reply: Reply) -> SendResult:
        assert self._link is not None, "start() the courier first"
        try:
            result: SendResult = await self._link.call(
                lambda call_id: Send(call_id, address, reply)
            )
        except LinkClosed:
            return SendResult(False, error=f"the {self.name} process has stopped")
        return result

    async def fetch(self, attachment: Attachment, limit: int) -> bytes:
        """The bytes of a file a person sent, brought by the courier (it holds the platform's
        client); FileNotFetched when they cannot be."""
        assert self._link is not None, "start() the courier first"
        try:
            fetched: Fetched = await self._link.call(
                lambda call_id: Fetch(call_id, attachment, limit)
            )
        except LinkClosed:
            raise FileNotFetched(Unfetched.FAILED) from None
        if fetched.content is None:
            known = {str(reason): reason for reason in Unfetched}
            raise FileNotFetched(known.get(fetched.reason or "", Unfetched.FAILED))
        return fetched.content

    async def handle_update(self, data: object) -> None:
        """Hand a raw update the web app took in to the courier; returns once it is handled.

        Raises `LinkClosed` when the courier has gone (the webhook answers so that the platform
        sends the update again later)."""
        assert self._link is not None, "start() the courier first"
        await self._link.call(lambda call_id: WebhookUpdate(call_id, data))

    async def wait(self) -> int:
        """Wait until the process ends; its exit code."""
        assert self._process is not None
        return await self._process.wait()

    async def stop(self) -> int:
        """Ask the courier to stop taking updates, let it finish what is in flight, then wait."""
        assert self._process is not None and self._link is not None
        with contextlib.suppress(LinkClosed):
            self._link.send(Stop())
        try:
            code = await asyncio.wait_for(self._process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            log.warning("%s process did not stop in %.0f s: killed", self.name, STOP_TIMEOUT)
            self._process.kill()
            code = await self._process.wait()
        await self.close()
        return code

    async def close(self) -> None:
        """Let the messages in hand finish, then close the pipe."""
        if self._work:
            await asyncio.wait(self._work, timeout=STOP_TIMEOUT)
        if self._link is not None:
            self._link.close()

    def _on_message(
        self,
        receive: Receive,
        member_changed: MemberChanged,
        message: Message,
    ) -> None:
        assert self._link is not None
        match message:
            case Sent(call_id, result):
                self._link.answered(call_id, result)
            case Fetched(call_id):
                self._link.answered(call_id, message)
            case UpdateHandled(call_id):
                self._link.answered(call_id, None)
            case Received(call_id, incoming):
                self._track(call_id, receive(incoming))
            case MembershipChanged(call_id, address, status):
                self._track(call_id, member_changed(address, status))
            case _:
                log.error(
                    "%s process sent a %s, which it should not", self.name, type(message).__name__
                )

    def _track(self, call_id: int, work: Awaitable[Any]) -> None:
        task = asyncio.create_task(self._answer(call_id, work))
        self._work.add(task)
        task.add_done_callback(self._work.discard)

    async def _answer(self, call_id: int, work: Awaitable[Any]) -> None:
        assert self._link is not None
        try:
            await work
        except Exception:
            log.exception("%s: handling a message failed", self.name)
        with contextlib.suppress(LinkClosed):
            self._link.send(Done(call_id))
