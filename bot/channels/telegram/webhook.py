"""Telegram's webhook, a route on the bot's one web app (`bot/web/`).

Telegram posts each update with the secret token we gave it (checked: 403 without it). The update
is handled before we answer 200, so a bot that fails mid-way gets it again (the dedupe key keeps a
redelivered message from being answered twice). An update the library cannot read is answered 200
and logged by id and type only (`reader.read_update`), or Telegram would resend it forever.

Who handles the update depends on where python-telegram-bot runs: in this process,
`process_raw_update`; with `TELEGRAM_PROCESS=separate`, the Telegram process, reached through
`CourierProcess.handle_update` (the raw JSON goes there; the library reads it there).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram.ext import Application

from bot.channels.telegram.reader import read_update
from bot.config import Settings
from bot.courier.link import LinkClosed

log = logging.getLogger(__name__)

TELEGRAM_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

HandleUpdate = Callable[[object], Coroutine[Any, Any, None]]  # takes an update's decoded JSON


def webhook_path(settings: Settings) -> str:
    """The path of TELEGRAM_WEBHOOK_URL: where the proxy in front of us forwards Telegram's posts."""
    assert settings.telegram_webhook_url is not None
    return urlparse(settings.telegram_webhook_url).path or TELEGRAM_PATH


async def process_raw_update(application: Application, data: object) -> None:  # type: ignore[type-arg]
    """Read an update and handle it with python-telegram-bot, in this process."""
    update = read_update(data, application.bot)
    if update is None:  # logged by id and type
        return
    await application.process_update(update)


class TelegramWebhook:
    """The route; it answers 503 (Telegram retries later) until `open` and after `close`."""

    def __init__(self, path: str, secret: str) -> None:
        self.path = path
        self._secret = secret.encode()
        self._handle: HandleUpdate | None = None
        self._in_hand: set[asyncio.Task[None]] = set()

    @property
    def route(self) -> Route:
        return Route(self.path, self._post, methods=["POST"])

    def open(self, handle: HandleUpdate) -> None:
        """Take updates from now on, handing each to `handle`."""
        self._handle = handle

    async def close(self) -> None:
        """Take no more updates; return once those in hand are handled."""
        self._handle = None
        if self._in_hand:
            await asyncio.wait(self._in_hand)

    async def _post(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self._secret):
            log.warning("telegram webhook call with a wrong secret token")
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = json.loads(await request.body())
        except ValueError:
            return PlainTextResponse("the body is not JSON", status_code=400)
        handle = self._handle
        if handle is None:
            return PlainTextResponse("not taking updates now", status_code=503)
        # A task of our own, so that `close` can wait for it even if the client hangs up.
        task = asyncio.create_task(handle(data))
        self._in_hand.add(task)
        task.add_done_callback(self._in_hand.discard)
        try:
            await asyncio.shield(task)
        except LinkClosed:
            log.warning("telegram webhook: the Telegram process has gone; Telegram will resend")
            return PlainTextResponse("not taking updates now", status_code=503)
        return Response(status_code=200)
