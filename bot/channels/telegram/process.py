"""The Telegram courier process: python-telegram-bot in a process of its own, beside the engine.

Started by `bot/courier/remote.py` as `python -m bot.channels.telegram.process FD`, where FD is its end of
a socket pair. It takes updates (polling or webhook, `telegram_app.serve`), turns them into
`Incoming` and hands each to the engine process, waiting until the engine has handled it (so
PTB's limit on concurrent updates still bounds the work in flight); and it sends the replies the
engine asks it to send, answering with the `SendResult`. It holds no database connection.

It stops when the engine says "stop" or closes the pipe (the engine process ended). Ctrl-C in a
terminal is the engine's to handle: this process runs in a session of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sys

from bot.channels.protocol import SendResult
from bot.channels.telegram.app import attach, build_application, serve
from bot.channels.telegram.channel import TelegramChannel
from bot.config import Settings
from bot.courier.link import Link, LinkClosed, Message
from bot.logs import setup_logging
from bot.memory import freeze_startup_objects
from handlers.types import Incoming, Reply

log = logging.getLogger("pendamping.telegram")


async def run(link: Link) -> None:
    start = await link.first()
    if start[0] != "start":
        raise SystemExit("telegram courier: the engine sent no settings")
    settings: Settings = start[1]
    setup_logging(settings.log_level, quiet=False)
    application = build_application(settings, webhook=settings.webhook_mode)
    channel = TelegramChannel(application.bot)
    stop = asyncio.Event()
    ready = asyncio.Event()  # PTB initialised: sends may go out
    sending: set[asyncio.Task[None]] = set()

    async def receive(incoming: Incoming) -> None:
        try:
            await link.call("in", incoming)
        except LinkClosed:
            log.warning("engine gone: a message was not handled (Telegram will not resend it)")

    async def member_changed(address: str, status: str) -> None:
        try:
            await link.call("member", address, status)
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
            link.send("sent", call_id, result)

    def on_message(message: Message) -> None:
        kind = message[0]
        if kind == "send":
            task = asyncio.create_task(send(message[1], message[2], message[3]))
            sending.add(task)
            task.add_done_callback(sending.discard)
        elif kind == "done":
            link.answered(message[1], None)
        elif kind == "stop":
            stop.set()
        else:
            log.error("the engine sent an unknown message %r", kind)

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
        if sending:
            await asyncio.wait(sending, timeout=10)
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
