"""`GET /metrics` in Prometheus's text format, and the counters the bot keeps for it.

Counters count in this process (the engine's: in `TELEGRAM_PROCESS=separate` the courier hands
every message to it, so nothing is missed): messages in by channel and kind, messages out by
channel and how they went. Gauges about the outbox are read from the database at each scrape, so
they are true whichever process (or machine) sends.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.exposition import choose_encoder
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.channels.protocol import Channel, Receive, SendResult
from bot.web.health import read_outbox_lag
from handlers.types import Incoming, Reply
from storage.db import Database


class Metrics:
    """One registry per bot (not the library's global one), so a test's bot counts alone."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.inbound = Counter(
            "pendamping_inbound_messages",
            "Messages people sent the bot, by channel and kind (text, button, command...).",
            ["channel", "kind"],
            registry=self.registry,
        )
        self.outbound = Counter(
            "pendamping_outbound_messages",
            "Messages the bot sent (replies and outbox), by channel and status "
            "(sent, failed, unreachable).",
            ["channel", "status"],
            registry=self.registry,
        )
        self.outbox_due = Gauge(
            "pendamping_outbox_due_messages",
            "Outbox messages due now and not sent yet.",
            registry=self.registry,
        )
        self.outbox_oldest_due = Gauge(
            "pendamping_outbox_oldest_due_age_seconds",
            "How long the oldest due, unsent outbox message has waited (0 when none).",
            registry=self.registry,
        )

    def counting_receive(self, receive: Receive) -> Receive:
        """`receive`, counting each message by channel and kind on its way in."""
        inbound = self.inbound

        async def counted(incoming: Incoming) -> object:
            inbound.labels(incoming.channel, incoming.kind.value).inc()
            return await receive(incoming)

        return counted

    def counting_channel(self, channel: Channel) -> Channel:
        """`channel`, counting each send by how it went."""
        return CountingChannel(channel, self.outbound)

    def route(self, db: Database) -> Route:
        async def metrics(request: Request) -> Response:
            lag = await read_outbox_lag(db)  # a database that fails fails the scrape (500)
            self.outbox_due.set(lag.due)
            self.outbox_oldest_due.set(lag.oldest_due_age.total_seconds())
            # Prometheus's text format, or OpenMetrics when the scraper asks for it.
            encode, content_type = choose_encoder(request.headers.get("accept", ""))
            return Response(encode(self.registry), headers={"Content-Type": content_type})

        return Route("/metrics", metrics, methods=["GET"])


class CountingChannel:
    """A channel that counts its sends; anything else is the wrapped channel's."""

    def __init__(self, channel: Channel, counter: Counter) -> None:
        self._channel = channel
        self._counter = counter
        self.name = channel.name

    async def send(self, address: str, reply: Reply) -> SendResult:
        result = await self._channel.send(address, reply)
        if result.retry_after is not None:
            status = "throttled"  # the platform said "slow down": it is sent again after the pause
        else:
            status = "sent" if result.ok else "unreachable" if result.unreachable else "failed"
        self._counter.labels(self.name, status).inc()
        return result

    def __getattr__(self, name: str) -> Any:  # the channel's other abilities (limits, presses)
        return getattr(self._channel, name)
