"""A thin Graph API client for sending WhatsApp messages, on the bot's own HTTP client (httpx).

It never logs a payload, a recipient or the token: only error codes and attempt counts.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import httpx

from bot.channels.whatsapp.errors import GraphError, Outcome

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]

MAX_ATTEMPTS = 3  # a network error, a 5xx or a "try again" code: this many tries in all
TIMEOUT = httpx.Timeout(15.0, connect=5.0)
POOL = httpx.Limits(max_connections=64, max_keepalive_connections=32, keepalive_expiry=60)


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
        http: httpx.AsyncClient | None = None,
        backoff: float = 0.5,
    ) -> None:
        self.url = f"{api_url.rstrip('/')}/{phone_number_id}/messages"
        self._headers = {"Authorization": f"Bearer {token}"}
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=TIMEOUT, limits=POOL)
        self._backoff = backoff

    async def aclose(self) -> None:
        """Close the connection pool (only the one this client made itself)."""
        if self._own_http:
            await self._http.aclose()

    async def send(self, payload: JSONDict) -> SendOutcome:
        """Send one message; network errors, 5xx answers and Meta's "try again" codes are tried
        again after a short wait, up to MAX_ATTEMPTS in all."""
        body = {"messaging_product": "whatsapp", **payload}
        error = GraphError(0, "not sent")
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                response = await self._http.post(self.url, json=body, headers=self._headers)
            except httpx.TransportError as failure:
                error = GraphError(0, f"network error: {type(failure).__name__}")
                log.warning("whatsapp send: %s (attempt %d)", error.title, attempt)
            else:
                outcome = _read(response)
                if outcome.ok:
                    return SendOutcome(outcome.wamid, attempts=attempt)
                assert outcome.error is not None
                error = outcome.error
                if response.status_code < 500 and error.outcome != Outcome.RETRY:
                    return SendOutcome(error=error, attempts=attempt)
                log.warning("whatsapp send: error %d (attempt %d)", error.code, attempt)
            if attempt < MAX_ATTEMPTS:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        return SendOutcome(error=error, attempts=MAX_ATTEMPTS)


def _read(response: httpx.Response) -> SendOutcome:
    """The wamid of a success, or the error of Meta's `{"error": {...}}` envelope."""
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.is_success and isinstance(data, dict):
        messages = data.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            wamid = messages[0].get("id")
            if isinstance(wamid, str) and wamid:
                return SendOutcome(wamid)
        return SendOutcome(error=GraphError(0, "answer without a message id"))
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return SendOutcome(error=GraphError.from_json(data["error"]))
    return SendOutcome(error=GraphError(0, f"HTTP {response.status_code}"))
