"""Inbound messages from any channel: one transaction each, replies sent only after commit."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from bot.channels.protocol import Channel, FileChannel, SendResult
from bot.locks import KeyedLocks
from bot.outbox.workers import dead_here, new_worker
from handlers import engine
from handlers.files import Fetch
from handlers.flow import FlowSettings
from handlers.i18n import _, use_language
from handlers.outbox.queue import OUTBOX_CHANGED
from handlers.outbox.reachability import mark_unreachable
from handlers.types import Incoming, Outgoing, Reply, reply_from
from storage.checkins.media import MEDIA_WAITING
from storage.db import Database
from storage.messages import record_results, unsent_replies
from storage.models import MessageStatus

log = logging.getLogger(__name__)

STATUS_DELAY = 0.05  # seconds: send results are written in batches this often
# A reply another machine's process logged and has not sent is taken for lost after this long
# (as the outbox's lease): it may still be waiting out the platform's "too many messages".
OTHER_HOST_GRACE = timedelta(minutes=5)


class Inbox:
    """Takes `Incoming` from the adapters, runs the engine and delivers the replies."""

    def __init__(
        self,
        db: Database,
        settings: FlowSettings,
        channels: Mapping[str, Channel],
    ) -> None:
        self.db = db
        self.settings = settings
        self.channels = dict(channels)
        self._locks = KeyedLocks()
        self.sender = new_worker()  # this process, named with each reply it logs
        self._results: list[tuple[Outgoing, SendResult]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._first_sent: int | None = None  # the first reply this process sent (its log id)
        # Called after a turn that added outbox rows commits: wakes the dispatcher.
        self.on_outbox: Callable[[], None] | None = None
        # Called after a turn that stored a voice note's or photo's reference: wakes the media job.
        self.on_media: Callable[[], None] | None = None

    async def receive(self, incoming: Incoming) -> list[SendResult]:
        """Handle one message; a person's messages are handled one at a time, in order."""
        async with self._locks.hold(f"{incoming.channel}:{incoming.address}"):
            try:
                async with self.db.transaction() as tx:
                    # A file is fetched only if a handler asks (an admin's spreadsheet, also again
                    # when the import is confirmed), inside the transaction: bounded by the
                    # channel's timeout and the size limit.
                    outgoing = await engine.handle(
                        tx, incoming, self.settings, fetch=self._fetch(incoming),
                        sender=self.sender,
                    )  # fmt: skip
                    outbox_changed = bool(tx.info.pop(OUTBOX_CHANGED, False))
                    media_waiting = bool(tx.info.pop(MEDIA_WAITING, False))
            except engine.Redelivered:
                log.info("redelivered message ignored channel=%s", incoming.channel)
                unsent = await self._unsent_replies(incoming)
                return await self.deliver(unsent) if unsent else []
            except Exception:
                log.exception("inbound failed channel=%s kind=%s", incoming.channel, incoming.kind)
                with use_language(self.settings.default_language):
                    apology = Reply(
                        _("Sorry, something went wrong on our side. Please try again in a moment.")
                    )
                await self._channel(incoming.channel).send(incoming.address, apology)
                return []
            if outbox_changed and self.on_outbox is not None:
                self.on_outbox()
            if media_waiting and self.on_media is not None:
                self.on_media()
            return await self.deliver(outgoing)

    async def _unsent_replies(self, incoming: Incoming) -> list[Outgoing]:
        """Replies to a redelivered message that were logged but never sent: the process that
        handled it stopped between its commit and its sends. They go out now, in order (sent
        twice only if it stopped after sending and before recording it: better than never).

        Not those another process is sending (or sent and has not recorded yet: it records
        them within a second): a reply is left to the process that logged it while it lives
        (on this machine that is known at once; on another, after OTHER_HOST_GRACE). Of this
        process's own, only those logged before it sent its first: the later ones are being
        sent, and the platform merely delivered the message twice."""
        if incoming.dedupe_key is None:
            return []
        async with self.db.transaction() as tx:
            rows = await unsent_replies(tx, incoming.dedupe_key)
        now = datetime.now(UTC)
        rows = [row for row in rows if self._orphaned(row[0], row[2].get("sender"), now - row[3])]
        if rows:
            log.warning(
                "redelivered message: %d reply(ies) left unsent by a stopped process sent now "
                "channel=%s",
                len(rows),
                incoming.channel,
            )
        return [
            Outgoing(incoming.channel, incoming.address, reply_from(body, fields), message_id)
            for message_id, body, fields, _logged in rows
        ]

    def _orphaned(self, message_id: int, sender: object, age: timedelta) -> bool:
        """Whether a logged, unsent reply has nobody left to send it."""
        if sender is None or sender == self.sender:  # ours (or logged before senders were named)
            return self._first_sent is None or message_id < self._first_sent
        return dead_here(str(sender)) or age > OTHER_HOST_GRACE

    async def deliver(self, outgoing: list[Outgoing]) -> list[SendResult]:
        """Send queued replies in order; how each went is written shortly after, in batches."""
        if outgoing and self._first_sent is None:
            self._first_sent = min(o.message_id for o in outgoing)
        results = [await self._channel(o.channel).send(o.address, o.reply) for o in outgoing]
        self._results.extend(zip(outgoing, results, strict=True))
        if outgoing and self._flusher is None:
            self._flusher = asyncio.create_task(self._flush_soon())
        return results

    async def close(self) -> None:
        """Write what is still unwritten (call on shutdown)."""
        if self._flusher is not None:
            self._flusher.cancel()
            self._flusher = None
        await self.flush()

    async def flush(self) -> None:
        """Record the send results gathered so far, in one transaction."""
        batch, self._results = self._results, []
        if not batch:
            return
        now = datetime.now(UTC)
        rows: list[dict[str, object]] = [
            {
                "id": out.message_id,
                "status": MessageStatus.SENT if result.ok else MessageStatus.FAILED,
                "external_id": result.external_id,
                "error": None if result.ok else (result.error or "unknown")[:200],
                "attempts": result.attempts,
                "sent_at": now if result.ok else None,
                "pending_reply": None,
            }
            for out, result in batch
        ]
        async with self.db.transaction() as tx:
            await record_results(tx, rows)
            for out, result in batch:
                if result.unreachable:
                    await mark_unreachable(tx, out.channel, out.address, now)
                    log.info(
                        "address unreachable channel=%s message=%s",
                        out.channel,
                        out.message_id,
                    )

    async def _flush_soon(self) -> None:
        # Batching costs one transaction per ~50 ms instead of one per message. A crash in that
        # window leaves a sent reply logged as "queued"; it is never sent twice.
        await asyncio.sleep(STATUS_DELAY)
        self._flusher = None
        try:
            await self.flush()
        except Exception:
            log.exception("could not record send results")

    def _fetch(self, incoming: Incoming) -> Fetch | None:
        channel = self.channels.get(incoming.channel)
        return channel.fetch if isinstance(channel, FileChannel) else None

    def _channel(self, name: str) -> Channel:
        try:
            return self.channels[name]
        except KeyError:
            raise LookupError(f"no channel named {name!r} is configured") from None
