"""Sending replies through the WhatsApp Cloud API, within its rules: free text inside the 24 hours
after the person last wrote, an approved template outside them, and Meta's rate limits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.channels.protocol import SendResult
from bot.channels.whatsapp.client import GraphClient, MediaProblem, SendOutcome
from bot.channels.whatsapp.errors import PAIR_RATE, THROUGHPUT, GraphError, Outcome
from bot.channels.whatsapp.formatting import command_words, to_whatsapp
from bot.channels.whatsapp.render import render
from bot.channels.whatsapp.templates import TemplateCatalogue
from handlers.files import FileNotFetched, Unfetched
from handlers.types import Attachment, Reply
from storage.addresses import last_inbound_at
from storage.db import Database

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
WINDOW = timedelta(hours=24)
WINDOW_MARGIN = timedelta(minutes=5)  # a message slow on its way must not land after the window
THROUGHPUT_PAUSE = 2.0  # s the whole number pauses after 130429
ACCOUNT_PAUSE = 60.0  # s after the account-wide limits (4, 80007, 131048)
PAIR_RATE_WAIT = 6.0  # s one person's message waits after 131056, doubling each time
PAIR_RATE_TRIES = 3

WindowLookup = Callable[[str], Awaitable[datetime | None]]  # an address's last inbound time


def db_window(db: Database) -> WindowLookup:
    """The window lookup on the bot's database (`addresses.last_inbound_at`)."""

    async def lookup(address: str) -> datetime | None:
        async with db.transaction() as tx:
            return await last_inbound_at(tx, CHANNEL, address)

    return lookup


def recipient(address: str) -> dict[str, str]:
    """A phone number (digits only) goes in `to`; a business-scoped user id in `recipient`."""
    if address.isdigit():
        return {"recipient_type": "individual", "to": address}
    return {"recipient_type": "individual", "recipient": address}


class WhatsAppChannel:
    """Renders a `Reply` for WhatsApp and sends it as free text or as its template."""

    name = CHANNEL

    def __init__(
        self,
        client: GraphClient,
        catalogue: TemplateCatalogue,
        window: WindowLookup,
        *,
        default_language: str = "id",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        pair_rate_wait: float = PAIR_RATE_WAIT,
    ) -> None:
        self.client = client
        self.catalogue = catalogue
        self.window = window
        self.default_language = default_language
        self.clock = clock
        self.pair_rate_wait = pair_rate_wait

    async def send(self, address: str, reply: Reply) -> SendResult:
        if reply.template is not None and (
            reply.template_only or not await self._window_open(address)
        ):
            return await self._send_template(address, reply, attempts=0)
        if reply.document is not None:
            return await self._send_with_document(address, reply)
        if reply.media is not None and reply.media.content is not None:
            return await self._send_with_media(address, reply)
        return await self._send_text(address, reply)

    async def _send_text(self, address: str, reply: Reply) -> SendResult:
        external_id: str | None = None
        attempts = 0
        for index, part in enumerate(render(reply, self.default_language)):
            outcome = await self._post(address, part.message)
            attempts += outcome.attempts
            if outcome.ok:
                external_id = outcome.wamid
                continue
            error = outcome.error or GraphError(0)
            if error.outcome == Outcome.WINDOW_CLOSED and index == 0 and reply.template:
                log.info("whatsapp window closed (%d): sending the template instead", error.code)
                return await self._send_template(address, reply, attempts)
            rest = part.rest if index else None
            return _failed(error, attempts, rest)
        return SendResult(True, external_id, attempts=max(attempts, 1))

    async def _send_with_document(self, address: str, reply: Reply) -> SendResult:
        """Upload the file, then a document (or image) message with the text as its caption; a text too
        long for a caption, or with buttons (a document has none), follows as its own message."""
        document = reply.document
        assert document is not None
        mime = document.mime if document.photo else document_mime(document.mime)
        media = await self.client.upload(document.content, document.filename, mime)
        if isinstance(media, GraphError):
            log.warning("whatsapp upload failed: %s", media.code)
            return _failed(media, 1, None)
        caption = to_whatsapp(command_words(reply.text)).strip()
        fits = not reply.buttons and len(caption) <= CAPTION_MAX
        body: dict[str, Any] = {"id": media}
        if not document.photo:  # an image message has no file name
            body["filename"] = document.filename
        if fits and caption:
            body["caption"] = caption
        kind = "image" if document.photo else "document"
        outcome = await self._post(address, {"type": kind, kind: body})
        attempts = outcome.attempts + 1
        if not outcome.ok:
            return _failed(outcome.error or GraphError(0), attempts, None)
        if fits:
            return SendResult(True, outcome.wamid, attempts=attempts)
        rest = replace(reply, document=None)
        sent = await self._send_text(address, rest)
        attempts += sent.attempts
        if sent.retry_after is not None:
            return replace(sent, attempts=attempts, rest=sent.rest or rest)
        return replace(sent, attempts=attempts)

    async def _send_with_media(self, address: str, reply: Reply) -> SendResult:
        """Upload the voice note or photo, then an audio or image message (a photo takes the
        text as its caption; audio takes none), then the text with its buttons."""
        media = reply.media
        assert media is not None and media.content is not None
        image = media.kind == "photo"
        mime = media.mime or ("image/jpeg" if image else "audio/ogg")
        uploaded = await self.client.upload(media.content, media.filename or "media", mime)
        if isinstance(uploaded, GraphError):
            log.warning("whatsapp upload failed: %s", uploaded.code)
            return _failed(uploaded, 1, None)
        caption = to_whatsapp(command_words(reply.text)).strip()
        fits = image and not reply.buttons and len(caption) <= CAPTION_MAX
        kind = "image" if image else "video" if media.kind == "video" else "audio"
        body: dict[str, Any] = {"id": uploaded}
        if fits and caption:
            body["caption"] = caption
        outcome = await self._post(address, {"type": kind, kind: body})
        attempts = outcome.attempts + 1
        if not outcome.ok:
            return _failed(outcome.error or GraphError(0), attempts, None)
        if fits or not reply.text.strip():
            return SendResult(True, outcome.wamid, attempts=attempts)
        rest = replace(reply, media=None)
        sent = await self._send_text(address, rest)
        attempts += sent.attempts
        if sent.retry_after is not None:
            return replace(sent, attempts=attempts, rest=sent.rest or rest)
        return replace(sent, attempts=attempts)

    async def fetch(self, attachment: Attachment, limit: int) -> bytes:
        """A file a person sent, downloaded at once (its media URL lasts only minutes)."""
        content = await self.client.download(attachment.ref, limit)
        if isinstance(content, MediaProblem):
            raise FileNotFetched(Unfetched(str(content)))
        return content

    async def _window_open(self, address: str) -> bool:
        last = await self.window(address)
        return last is not None and self.clock() - last < WINDOW - WINDOW_MARGIN

    async def _send_template(self, address: str, reply: Reply, attempts: int) -> SendResult:
        assert reply.template is not None
        language = reply.language or self.default_language
        try:
            message = self.catalogue.payload(reply.template, language)
        except ValueError as problem:  # a flow's template does not match the catalogue
            log.error("whatsapp template %s unusable: %s", reply.template.key, problem)
            return SendResult(False, error=str(problem)[:200], attempts=max(attempts, 1))
        outcome = await self._post(address, message)
        attempts += outcome.attempts
        if outcome.ok:
            return SendResult(True, outcome.wamid, attempts=attempts)
        return _failed(outcome.error or GraphError(0), attempts, None)

    async def _post(self, address: str, message: dict[str, Any]) -> SendOutcome:
        """One message to one person; after 131056 (this person gets messages too fast) it
        waits for this person alone and tries again, never pausing the whole channel."""
        attempts = 0
        wait = self.pair_rate_wait
        for tries in range(1, PAIR_RATE_TRIES + 1):
            outcome = await self.client.send({**recipient(address), **message})
            attempts += outcome.attempts
            if outcome.error is None or outcome.error.code != PAIR_RATE or tries == PAIR_RATE_TRIES:
                return replace(outcome, attempts=attempts)
            log.warning("whatsapp pair rate (131056): this person's message waits %.0f s", wait)
            await asyncio.sleep(wait)
            wait *= 2
        raise AssertionError("unreachable")


# What WhatsApp takes as a document (Cloud API "Supported media types"); other text (CSV) goes as
# plain text, its file name keeping the extension the phone opens it by.
DOCUMENT_MIMES = frozenset(
    {
        "text/plain",
        "application/pdf",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    }
)
CAPTION_MAX = 1024  # a media message's caption


def document_mime(mime: str) -> str:
    bare = mime.split(";", 1)[0].strip().lower()
    if bare in DOCUMENT_MIMES:
        return bare
    return "text/plain" if bare.startswith("text/") else bare  # Meta refuses the rest


def _failed(error: GraphError, attempts: int, rest: Reply | None) -> SendResult:
    attempts = max(attempts, 1)
    outcome = error.outcome
    if outcome == Outcome.THROTTLED and error.code != PAIR_RATE:
        pause = THROUGHPUT_PAUSE if error.code == THROUGHPUT else ACCOUNT_PAUSE
        return SendResult(
            False, error=error.describe(), attempts=attempts, retry_after=pause, rest=rest
        )
    if outcome == Outcome.UNREACHABLE:
        return SendResult(False, error=error.describe(), unreachable=True, attempts=attempts)
    log.warning("whatsapp send failed: %s (%s)", error.code, outcome)
    return SendResult(False, error=error.describe(), attempts=attempts)
