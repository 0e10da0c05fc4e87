"""The web server: Telegram's webhook (secret-token checked) and a health check."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram.ext import Application

from bot.channels.telegram.reader import read_update

log = logging.getLogger(__name__)

TELEGRAM_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def build_web_app(
    telegram: Application | None,  # type: ignore[type-arg]
    secret: str | None,
    telegram_path: str = TELEGRAM_PATH,
) -> Starlette:
    async def health(_request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def telegram_webhook(request: Request) -> Response:
        if telegram is None or secret is None:
            return PlainTextResponse("telegram is not configured", status_code=404)
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("telegram webhook call with a wrong secret token")
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = json.loads(await request.body())
        except ValueError:
            return PlainTextResponse("the body is not JSON", status_code=400)
        update = read_update(data, telegram.bot)
        if update is None:  # logged by id and type; 200, or Telegram would resend it forever
            return Response(status_code=200)
        # Handled before we answer: if we fail, Telegram redelivers and the dedupe key protects us.
        await telegram.process_update(update)
        return Response(status_code=200)

    routes = [
        Route("/healthz", health, methods=["GET"]),
        Route(telegram_path, telegram_webhook, methods=["POST"]),
    ]
    return Starlette(routes=routes)


class QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to us (we stop it through `should_exit`)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
