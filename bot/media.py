"""Keeps check-ins' WhatsApp voice notes and photos: a job run every minute downloads each one
still only a WhatsApp media id (those expire) into the media store, and deletes the store's files
no check-in names any more (erased participants, check-ins removed by retention).

Why a job and not the turn: a download can take seconds (the media URL, then the bytes) and the
turn that stored the check-in must answer at once; a row in the database (`media_to_keep`) is the
truth, so a restart or a failed download only means the next minute tries again. A download that
fails `MAX_TRIES` times, or that WhatsApp says is gone or too large, is given up: the check-in
keeps `media_problem`, and staff who ask for it are told it could not be kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from handlers.files import Fetch, Unfetched, fetch_file
from handlers.types import Attachment
from storage.checkins.answers import keep_media, media_to_keep
from storage.checkins.media import media_tried, stored_media
from storage.checkins.media_store import MAX_MEDIA_BYTES, MediaStore
from storage.db import Database

log = logging.getLogger(__name__)

MAX_TRIES = 5  # a minute apart: a passing network or Graph API failure is waited out
EVERY_SECONDS = 60.0
FINAL = frozenset({Unfetched.GONE, Unfetched.TOO_LARGE})  # trying again cannot help


@dataclass
class KeptMedia:
    kept: int = 0
    retried: int = 0
    given_up: int = 0
    deleted: int = 0


class MediaKeeper:
    def __init__(
        self,
        db: Database,
        folder: Path,
        fetch: Fetch | None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.store = MediaStore(folder)
        self.fetch = fetch
        self.clock = clock
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Look now: a check-in just stored a file's reference (bot/inbox.py `on_media`)."""
        self._wake.set()

    async def keep_once(self) -> KeptMedia:
        """Download what waits (no transaction held during a download), then sweep the store."""
        done = KeptMedia()
        async with self.db.transaction() as tx:
            waiting = [
                (c.id, c.media_kind or "", c.media_ref or "", c.media_tries)
                for c in await media_to_keep(tx, "whatsapp")
            ]
        for checkin_id, kind, ref, tries in waiting if self.fetch is not None else []:
            content = await fetch_file(self.fetch, Attachment(ref), MAX_MEDIA_BYTES)
            if isinstance(content, bytes):
                name = self.store.write(kind, content)
                async with self.db.transaction() as tx:
                    await keep_media(tx, checkin_id, name)
                self.store.finish(name)
                done.kept += 1
                continue
            final = content in FINAL or tries + 1 >= MAX_TRIES
            async with self.db.transaction() as tx:
                await media_tried(tx, checkin_id, str(content) if final else None)
            if final:
                done.given_up += 1
                log.warning("check-in %d: media not kept (%s)", checkin_id, content)
            else:
                done.retried += 1
        names = self.store.names()  # before the names kept: see MediaStore
        async with self.db.transaction() as tx:
            kept = await stored_media(tx)
        done.deleted = self.store.sweep(names, kept, self.clock())
        if done.kept or done.given_up or done.deleted:
            log.info(
                "media store: %d kept, %d given up, %d file(s) deleted",
                done.kept, done.given_up, done.deleted,
            )  # fmt: skip
        return done

    async def run(self, stop: asyncio.Event, every: float = EVERY_SECONDS) -> None:
        """`keep_once` every `every` seconds, and at once when woken, until `stop` is set; a
        failure waits for the next."""
        while not stop.is_set():
            self._wake.clear()
            try:
                await self.keep_once()
            except Exception:
                log.exception("media job failed; trying again in a minute")
            stopping = asyncio.ensure_future(stop.wait())
            woken = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait(
                    {stopping, woken}, timeout=every, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                stopping.cancel()
                woken.cancel()
