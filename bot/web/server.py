"""The bot's one web application, served by uvicorn: built from the routes the composition root
gathers (health, metrics, and each channel's webhook), started before the channels and stopped
after them."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType

import uvicorn
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from bot.config import ConfigError

log = logging.getLogger(__name__)


class QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to us (we stop it through `should_exit`)."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class WebServer:
    """`async with WebServer(routes, host, port):` the app listens inside the block."""

    def __init__(self, routes: Sequence[BaseRoute], host: str, port: int) -> None:
        self.app = Starlette(routes=list(routes))
        self.host, self.port = host, port
        self._server = QuietServer(
            uvicorn.Config(self.app, host=host, port=port, log_level="warning", lifespan="off")
        )
        self._serving: asyncio.Task[None] | None = None

    async def __aenter__(self) -> WebServer:
        listening = self._bind()
        self._serving = asyncio.create_task(self._server.serve(sockets=[listening]))
        while not self._server.started:  # channels tell their platform about us once we listen
            if self._serving.done():
                self._serving.result()  # raise what stopped it
                raise OSError(f"the web server on {self.host}:{self.port} stopped at start")
            await asyncio.sleep(0.02)
        log.info("web server listening on %s:%d", self.host, self.port)
        return self

    async def __aexit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        if self._serving is not None:
            await self._serving

    def _bind(self) -> socket.socket:
        """The listening socket, bound here so that a taken port is told in plain words."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        listening = socket.socket(family, socket.SOCK_STREAM)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listening.bind((self.host, self.port))
        except OSError as error:
            listening.close()
            raise ConfigError(
                f"the web app cannot listen on HOST {self.host} PORT {self.port} "
                f"({error.strerror or type(error).__name__}): stop what uses that port, or set "
                "PORT to a free one (and HOST to an address of this machine)."
            ) from None
        return listening
