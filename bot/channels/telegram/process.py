"""The Telegram courier process: python-telegram-bot in a process of its own, beside the engine.

Started by `bot/courier/remote.py` as `python -m bot.channels.telegram.process FD`, where FD is its end of
a socket pair. It takes updates (long polling itself; webhook posts arrive at the engine's web
app, which hands each raw update here as a `WebhookUpdate` and answers Telegram once it is
handled), turns them into `Incoming` and hands each to the engine process, waiting until the
engine has handled it (so PTB's limit on concurrent updates still bounds the work in flight); and
it sends the replies the engine asks it to send, answering with the `SendResult`. It holds no
database connection and serves no HTTP. The messages are those of `bot/courier/protocol.py`.

It stops when the engine sends `Stop` or closes the pipe (the engine process ended). Ctrl-C in a
terminal is the engine's to handle: this process runs in a session of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sys
from collections.abc import Coroutine

from bot.channels.protocol import SendResult
from bot.channels.telegram.app import attach, build_application, serve
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.webhook import process_raw_update
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
from bot.logs import setup_logging
from bot.memory import freeze_startup_objects
from handlers.files import FileNotFetched, Unfetched
from handlers.types import Attachment, Incoming, Reply

log = logging.getLogger("pendamping.telegram")


async def run(link: Link) -> None:
    start = await link.first()
    if not isinstance(start, Start):
        raise SystemExit("telegram courier: the engine sent no settings")
    settings = start.settings
    setup_logging(settings.log_level, quiet=False)
    application = build_application(settings, webhook=settings.webhook_mode)
    channel = TelegramChannel(application.bot, paid_broadcast=settings.telegram_paid_broadcast)
    stop = asyncio.Event()
    ready = asyncio.Event()  # PTB initialised: sends may go out
    working: set[asyncio.Task[None]] = set()  # sends and webhook updates in hand

    async def receive(incoming: Incoming) -> None:
        try:
            await link.call(lambda call_id: Received(call_id, incoming))
        except LinkClosed:
            log.warning("engine gone: a message was not handled (Telegram will not resend it)")

    async def member_changed(address: str, status: str) -> None:
        try:
            await link.call(lambda call_id: MembershipChanged(call_id, address, status))
        except LinkClosed:
            log.warning("engine gone: a blocked/unblocked chat was not recorded")

    async def send(call_id: int, address: str, reply: Reply) -> None:
        try:
            await ready.wait()  # a reminder may be asked for while PTB is still starting
            result = await channel.send(address, reply)
        except Exception as error:  # the engine's call must get an answer, whatever happened
            log.exception("telegram send failed")
            result = SendResult(False, error=type(error).__name__)
        with contextlib.suppress(LinkClosed):
            link.send(Sent(call_id, result))

    async def fetch(call_id: int, attachment: Attachment, limit: int) -> None:
        answer = Fetched(call_id, None, Unfetched.FAILED)
        try:
            await ready.wait()
            answer = Fetched(call_id, await channel.fetch(attachment, limit))
        except FileNotFetched as error:
            answer = Fetched(call_id, None, error.reason)
        except Exception:  # the engine's call must get an answer, whatever happened
            log.exception("telegram fetch failed")
        with contextlib.suppress(LinkClosed):
            link.send(answer)

    async def handle_update(call_id: int, data: object) -> None:
        try:
            await ready.wait()  # the engine's web app may take a post while PTB is starting
            await process_raw_update(application, data)
        except Exception:  # PTB reports a handler's failure itself; this is anything else
            log.exception("telegram webhook update failed")
        with contextlib.suppress(LinkClosed):
            link.send(UpdateHandled(call_id))

    def work(job: Coroutine[object, object, None]) -> None:
        task = asyncio.create_task(job)
        working.add(task)
        task.add_done_callback(working.discard)

    def on_message(message: Message) -> None:
        match message:
            case Send(call_id, address, reply):
                work(send(call_id, address, reply))
            case Fetch(call_id, attachment, limit):
                work(fetch(call_id, attachment, limit))
            case WebhookUpdate(call_id, data):
                work(handle_update(call_id, data))
            case Done(call_id):
                link.answered(call_id, None)
            case Stop():
                stop.set()
            case _:
                log.error("the engine sent a %s, which it should not", type(message).__name__)

    async def started() -> None:  # PTB initialised
        freeze_startup_objects()
        ready.set()

    async def stop_when_engine_gone() -> None:
        await link.gone.wait()
        stop.set()

    attach(application, receive, member_changed, channel)
    link.listen(on_message)
    watcher = asyncio.create_task(stop_when_engine_gone())
    try:
        await serve(application, settings, stop, after_start=started)
    finally:
        watcher.cancel()
        if working:
            await asyncio.wait(working, timeout=10)
        link.close()


async def main_async(fd: int) -> None:
    link = await Link.over(socket.socket(fileno=fd))
    await run(link)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not args[0].isdigit():
        print(
            "usage: python -m bot.channels.telegram.process FD (started by `pendamping run`)",
            file=sys.stderr,
        )
        return 2
    try:
        asyncio.run(main_async(int(args[0])))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
