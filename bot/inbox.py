"""Inbound messages from any channel: one transaction each, replies sent only after commit."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

from bot.channel import Channel, SendResult
from bot.locks import KeyedLocks
from handlers import engine
from handlers.flow import Settings
from handlers.i18n import _, use_language
from handlers.reachability import mark_unreachable
from handlers.types import Incoming, Outgoing, Reply
from storage.db import Database
from storage.messages import mark_failed, mark_sent

log = logging.getLogger(__name__)


class Inbox:
    """Takes `Incoming` from the adapters, runs the engine and delivers the replies."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        channels: Mapping[str, Channel],
    ) -> None:
        self.db = db
        self.settings = settings
        self.channels = dict(channels)
        self._locks = KeyedLocks()

    async def receive(self, incoming: Incoming) -> list[SendResult]:
        """Handle one message; a person's messages are handled one at a time, in order."""
        async with self._locks.hold(f"{incoming.channel}:{incoming.address}"):
            try:
                async with self.db.transaction() as session:
                    outgoing = await engine.handle(session, incoming, self.settings)
            except engine.Redelivered:
                log.info("redelivered message ignored channel=%s", incoming.channel)
                return []
            except Exception:
                log.exception("inbound failed channel=%s kind=%s", incoming.channel, incoming.kind)
                with use_language(self.settings.default_language):
                    apology = Reply(
                        _("Sorry, something went wrong on our side. Please try again in a moment.")
                    )
                await self._channel(incoming.channel).send(incoming.address, apology)
                return []
            return await self.deliver(outgoing)

    async def deliver(self, outgoing: list[Outgoing]) -> list[SendResult]:
        """Send queued replies in order and record how each went."""
        results = [await self._channel(o.channel).send(o.address, o.reply) for o in outgoing]
        if not outgoing:
            return results
        now = datetime.now(UTC)
        async with self.db.transaction() as session:
            for out, result in zip(outgoing, results, strict=True):
                if result.ok:
                    await mark_sent(
                        session, out.message_id, result.external_id, result.attempts, now
                    )
                    continue
                await mark_failed(
                    session, out.message_id, result.error or "unknown", result.attempts
                )
                if result.unreachable:
                    await mark_unreachable(session, out.channel, out.address, now)
                    log.info(
                        "address unreachable channel=%s message=%s", out.channel, out.message_id
                    )
        return results

    def _channel(self, name: str) -> Channel:
        try:
            return self.channels[name]
        except KeyError:
            raise LookupError(f"no channel named {name!r} is configured") from None
