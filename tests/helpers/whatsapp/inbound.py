"""The WhatsApp webhook in front of a real Inbox, served by the real web server, for tests.

Replies go to the collecting fake channel registered as "whatsapp" (outbound sending has its own
tests, against the fake Graph API).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from bot.channels.protocol import Receive
from bot.channels.whatsapp.webhook import WhatsAppWebhook
from bot.inbox import Inbox
from bot.web.server import WebServer
from handlers.flow import FlowSettings
from handlers.types import Reply
from storage.db import Database
from storage.models import Address, DeliveryStatus, WebhookDelivery
from tests.fakes.channel import CollectingChannel
from tests.fakes.whatsapp.webhooks import post_delivery
from tests.helpers.ports import free_port

SECRET = "app-secret-for-tests"
VERIFY_TOKEN = "verify-token-for-tests"
PATH = "/webhooks/whatsapp"
DEADLINE = 15.0  # seconds a wait may take before the test fails


@dataclass
class InboundBot:
    db: Database
    inbox: Inbox
    channel: CollectingChannel
    webhook: WhatsAppWebhook
    url: str
    requeues: list[int] = field(default_factory=list)  # one entry per on_requeue call

    async def post(self, delivery: bytes | dict[str, Any], secret: str | None = SECRET) -> int:
        response = await post_delivery(self.url, delivery, secret)
        return response.status_code

    async def deliver(self, delivery: bytes | dict[str, Any]) -> list[tuple[str, Reply]]:
        """Post signed, wait until it is handled; the replies it caused."""
        before = len(self.channel.sent)
        assert await self.post(delivery) == 200
        await handled(self.db)
        return self.channel.sent[before:]


async def count_deliveries(db: Database, status: str | None = None) -> int:
    query = select(func.count()).select_from(WebhookDelivery)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    async with db.transaction() as tx:
        return int((await tx.execute(query)).scalar_one())


async def handled(db: Database) -> None:
    """Wait until no stored delivery is left to handle; fails after DEADLINE seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while await count_deliveries(db, DeliveryStatus.PENDING):
        if loop.time() > deadline:
            raise AssertionError("stored WhatsApp deliveries were not handled in time")
        await asyncio.sleep(0.02)


async def whatsapp_addresses(db: Database) -> list[Address]:
    async with db.transaction() as tx:
        query = select(Address).where(Address.channel == "whatsapp").order_by(Address.id)
        return list((await tx.execute(query)).scalars())


@asynccontextmanager
async def inbound_bot(
    db: Database,
    settings: FlowSettings,
    *,
    opened: bool = True,
    receive: Callable[[Receive], Receive] | None = None,
    app_secret: str = SECRET,
    **webhook_options: Any,
) -> AsyncIterator[InboundBot]:
    """The webhook served on a free port; handling from the start unless `opened=False` (then
    posts are stored only, as before the engine is ready). `receive` wraps the Inbox's receive
    (to make it fail, as a crash in the engine would)."""
    channel = CollectingChannel(name="whatsapp")
    inbox = Inbox(db, settings, {"whatsapp": channel})
    webhook = WhatsAppWebhook(db, app_secret, VERIFY_TOKEN, **webhook_options)
    port = free_port()
    bot = InboundBot(db, inbox, channel, webhook, f"http://127.0.0.1:{port}{PATH}")
    async with WebServer(webhook.routes, "127.0.0.1", port):
        if opened:
            handler = receive(inbox.receive) if receive else inbox.receive
            await webhook.open(handler, on_requeue=lambda: bot.requeues.append(1))
        try:
            yield bot
        finally:
            await webhook.close()
            await inbox.close()
