"""Telling broadcast senders how their broadcast is going, every few seconds while one is under
way (handlers/broadcasts/progress.py decides what to say; this sends it through the outbox's
paced channels). Run beside the dispatch loop by the scheduler (bot/outbox/scheduler.py)."""

from __future__ import annotations

import asyncio
import logging

from bot.outbox.dispatcher import Dispatcher
from handlers.broadcasts.progress import noted, progress_notes

log = logging.getLogger(__name__)

EVERY = 5.0  # seconds between two looks at the broadcasts under way


class BroadcastProgress:
    def __init__(self, dispatcher: Dispatcher, every: float = EVERY) -> None:
        self.dispatcher = dispatcher
        self.every = every
        self._told: dict[int, str] = {}  # by broadcast: the progress text shown last

    async def run(self) -> None:
        """Until cancelled; a failed look is logged and tried again at the next."""
        while True:
            try:
                await self.step()
            except Exception:
                log.exception("broadcast progress failed; trying again shortly")
            await asyncio.sleep(self.every)

    async def step(self) -> int:
        """One look: send what changed; returns how many messages went out."""
        db = self.dispatcher.db
        async with db.transaction() as tx:
            notes = await progress_notes(
                tx, self.dispatcher.clock(), self.dispatcher.channels.keys()
            )
        sent = 0
        for note in notes:
            if not note.final and self._told.get(note.broadcast_id) == note.reply.text:
                continue  # nothing changed since the last edit
            channel = self.dispatcher.channels.get(note.channel)
            if channel is None:
                continue
            await channel.limiter.wait(note.address)  # within the platform's limits, as all
            result = await channel.send(note.address, note.reply)
            if not result.ok:
                log.warning("broadcast %s progress not sent: %s", note.broadcast_id, result.error)
            else:
                sent += 1
                self._told[note.broadcast_id] = note.reply.text
            if note.final:
                self._told.pop(note.broadcast_id, None)
            async with db.transaction() as tx:
                await noted(tx, note, result.external_id if result.ok else None)
        return sent
