"""A thin Graph API client for sending WhatsApp messages, on aiohttp.

aiohttp is the client the bot already sends Telegram's requests with (bot/channels/telegram/
request.py: httpx cost about ten times the CPU per call there), so the bot has one HTTP stack.
It never logs a payload, a recipient or the token: only error codes and attempt counts.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import aiohttp

from bot.channels.whatsapp.errors import GraphError, Outcome

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]

MAX_ATTEMPTS = 3  # a network error, a 5xx or a "try again" code: this many tries in all
TIMEOUT = aiohttp.ClientTimeout(total=15.0, connect=5.0)
POOL_SIZE = 64  # connections to the Graph API at once


@dataclass(frozen=True)
class SendOutcome:
    """What became of one message: its WhatsApp id (wamid), or the error that stopped it."""

    wamid: str | None = None
    error: GraphError | None = None
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return self.wamid is not None


class GraphClient:
    """Posts messages to `{api_url}/{phone_number_id}/messages` with one pooled HTTP client."""

    def __init__(
        self,
        api_url: str,
        phone_number_id: str,
        token: str,
        *,
        session: aiohttp.ClientSession | None = None,
        backoff: float = 0.5,
    ) -> None:
        self.url = f"{api_url.rstrip('/')}/{phone_number_id}/messages"
        self.media_url = f"{api_url.rstrip('/')}/{phone_number_id}/media"
        self.api_url = api_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._own_session = session is None
        self._session = session  # made at the first send, inside the running event loop
        self._backoff = backoff

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=TIMEOUT,
                connector=aiohttp.TCPConnector(limit=POOL_SIZE, keepalive_timeout=60),
            )
        return self._session

    async def aclose(self) -> None:
        """Close the connection pool (only the one this client made itself)."""
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def send(self, payload: JSONDict) -> SendOutcome:
        """Send one message; network errors, 5xx answers and Meta's "try again" codes are tried
        again after a short wait, up to MAX_ATTEMPTS in all."""
        body = {"messaging_product": "whatsapp", **payload}
        error = GraphError(0, "not sent")
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                async with self._http().post(
                    self.url, json=body, headers=self._headers
                ) as response:
                    status = response.status
                    outcome = _read(status, await response.read())
            except (aiohttp.ClientError, TimeoutError) as failure:
                error = GraphError(0, f"network error: {type(failure).__name__}")
                log.warning("whatsapp send: %s (attempt %d)", error.title, attempt)
            else:
                if outcome.ok:
                    return SendOutcome(outcome.wamid, attempts=attempt)
                assert outcome.error is not None
                error = outcome.error
                if status < 500 and error.outcome != Outcome.RETRY:
                    return SendOutcome(error=error, attempts=attempt)
                log.warning("whatsapp send: error %d (attempt %d)", error.code, attempt)
            if attempt < MAX_ATTEMPTS:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        return SendOutcome(error=error, attempts=MAX_ATTEMPTS)

    async def upload(self, content: bytes, filename: str, mime: str) -> str | GraphError:
        """Upload a file for a media message (POST /{phone-number-id}/media, multipart): its media
        id, or the error. Tried again like a send after a network error or a 5xx."""
        error = GraphError(0, "not uploaded")
        for attempt in range(1, MAX_ATTEMPTS + 1):
            form = aiohttp.FormData()
            form.add_field("messaging_product", "whatsapp")
            form.add_field("type", mime)
            form.add_field("file", content, filename=filename, content_type=mime)
            try:
                async with self._http().post(
                    self.media_url, data=form, headers=self._headers
                ) as response:
                    status = response.status
                    data = _json(await response.read())
            except (aiohttp.ClientError, TimeoutError) as failure:
                error = GraphError(0, f"network error: {type(failure).__name__}")
                log.warning("whatsapp upload: %s (attempt %d)", error.title, attempt)
            else:
                media_id = data.get("id") if isinstance(data, dict) else None
                if 200 <= status < 300 and isinstance(media_id, str) and media_id:
                    return media_id
                error = _error_of(status, data)
                if status < 500 and error.outcome != Outcome.RETRY:
                    return error
                log.warning("whatsapp upload: error %d (attempt %d)", error.code, attempt)
            if attempt < MAX_ATTEMPTS:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        return error

    async def download(self, media_id: str, limit: int) -> bytes | MediaProblem:
        """A file a person sent: GET /{media-id} for its URL (valid for minutes only), then that
        URL, both with the token. More than `limit` bytes: TOO_LARGE, the rest left unread."""
        try:
            async with self._http().get(
                f"{self.api_url}/{media_id}", headers=self._headers
            ) as response:
                status = response.status
                data = _json(await response.read())
            if not 200 <= status < 300 or not isinstance(data, dict):
                code = _error_of(status, data).code
                log.info("whatsapp media lookup failed: HTTP %d error %d", status, code)
                return MediaProblem.GONE if status < 500 else MediaProblem.FAILED
            url, size = data.get("url"), data.get("file_size")
            if not isinstance(url, str) or not url:
                return MediaProblem.GONE
            if str(size).isdigit() and int(str(size)) > limit:
                return MediaProblem.TOO_LARGE
            async with self._http().get(url, headers=self._headers) as response:
                if response.status != 200:
                    log.info("whatsapp media download failed: HTTP %d", response.status)
                    return MediaProblem.GONE if response.status < 500 else MediaProblem.FAILED
                content = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    content += chunk
                    if len(content) > limit:
                        return MediaProblem.TOO_LARGE
        except (aiohttp.ClientError, TimeoutError) as failure:
            log.info("whatsapp media download: network error %s", type(failure).__name__)
            return MediaProblem.FAILED
        return bytes(content)


class MediaProblem(StrEnum):
    """Why a file a person sent could not be downloaded."""

    TOO_LARGE = "too_large"
    GONE = "gone"  # no such media id (any more), or its URL expired
    FAILED = "failed"  # the network or Meta's side: it may work later


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _error_of(status: int, data: Any) -> GraphError:
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return GraphError.from_json(data["error"])
    return GraphError(0, f"HTTP {status}")


def _read(status: int, raw: bytes) -> SendOutcome:
    """The wamid of a success, or the error of Meta's `{"error": {...}}` envelope."""
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if 200 <= status < 300 and isinstance(data, dict):
        messages = data.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            wamid = messages[0].get("id")
            if isinstance(wamid, str) and wamid:
                return SendOutcome(wamid)
        return SendOutcome(error=GraphError(0, "answer without a message id"))
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return SendOutcome(error=GraphError.from_json(data["error"]))
    return SendOutcome(error=GraphError(0, f"HTTP {status}"))
