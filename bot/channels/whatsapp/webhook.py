"""WhatsApp's webhook, routes on the bot's one web app (`bot/web/`).

GET is Meta's verification handshake: `hub.mode=subscribe` with our verify token gets
`hub.challenge` back (403 otherwise). POST is a delivery, signed by Meta with the app secret:
`X-Hub-Signature-256: sha256=<HMAC-SHA256 of the raw body, hex>`, compared in constant time. A
post without the header is answered 401, one with a wrong signature 403; of either nothing is
parsed, stored or logged.

A signed delivery is stored raw in the database (one committed INSERT) and only then answered
200, so that nothing acknowledged is lost, also if the process dies right after; the worker
(`inbound.py`) handles it from the store. Storing is all the request does, so Meta gets its
answer fast. Posts are stored also before `open` (the engine not ready yet) and handled from
`open` on. A signed body that is not a delivery is stored too and recorded as failed (Meta would
resend it forever if refused).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.channels.protocol import Receive
from bot.channels.whatsapp.inbound import LEASE, RETRY_DELAYS, InboundWorker, utcnow
from bot.channels.whatsapp.updates import CHANNEL
from storage.db import Database
from storage.deliveries import store_delivery

log = logging.getLogger(__name__)

WHATSAPP_PATH = "/webhooks/whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"
# Meta's deliveries are a few kilobytes (at most a few megabytes when batched); a post larger than
# this is no delivery of Meta's and is not read to the end (413).
MAX_BODY = 8 * 1024 * 1024


def signature(body: bytes, app_secret: str) -> str:
    """The header value Meta sends with `body`."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class WhatsAppWebhook:
    def __init__(
        self,
        db: Database,
        app_secret: str,
        verify_token: str,
        *,
        path: str = WHATSAPP_PATH,
        lease: timedelta = LEASE,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.path = path
        self._secret = app_secret
        self._verify_token = verify_token.encode()
        self.clock = clock
        self._worker = InboundWorker(db, lease=lease, retry_delays=retry_delays, clock=clock)

    @property
    def routes(self) -> list[Route]:
        return [
            Route(self.path, self._verify, methods=["GET"]),
            Route(self.path, self._post, methods=["POST"]),
        ]

    async def open(self, receive: Receive, *, on_requeue: Callable[[], None] | None = None) -> None:
        """Handle deliveries from now on, handing each message to `receive` (the Inbox's) and
        calling `on_requeue` (to wake the outbox dispatcher) when a refused message is due again
        as its template. What was stored before (not handled before a crash, or posted before
        this call) is handled first."""
        self._worker.start(receive, on_requeue)

    async def close(self) -> None:
        """Finish the delivery in hand; what is stored and not handled waits for the next open."""
        await self._worker.stop()

    async def _verify(self, request: Request) -> Response:
        mode = request.query_params.get("hub.mode", "")
        token = request.query_params.get("hub.verify_token", "")
        challenge = request.query_params.get("hub.challenge", "")
        if mode == "subscribe" and hmac.compare_digest(token.encode(), self._verify_token):
            return PlainTextResponse(challenge)
        log.warning("whatsapp webhook verification refused (mode or token wrong)")
        return PlainTextResponse("forbidden", status_code=403)

    async def _post(self, request: Request) -> Response:
        given = request.headers.get(SIGNATURE_HEADER)
        if given is None:
            log.warning("whatsapp webhook post without a signature refused")
            return PlainTextResponse("signature missing", status_code=401)
        body = await _read_body(request)
        if body is None:
            log.warning("whatsapp webhook post larger than %d bytes refused", MAX_BODY)
            return PlainTextResponse("body too large", status_code=413)
        expected = signature(body, self._secret)
        if not hmac.compare_digest(
            given.strip().lower().encode("ascii", "replace"), expected.encode()
        ):
            log.warning("whatsapp webhook post with a wrong signature refused")
            return PlainTextResponse("signature wrong", status_code=403)
        try:
            async with self.db.transaction() as tx:
                delivery_id = await store_delivery(tx, CHANNEL, body, self.clock())
        except Exception as error:  # a database error would quote the body: its type only
            log.warning("whatsapp delivery not stored (%s); Meta will resend", type(error).__name__)
            return PlainTextResponse("cannot store the delivery now", status_code=503)
        log.debug("whatsapp delivery %s stored", delivery_id)
        self._worker.wake()
        return Response(status_code=200)


async def _read_body(request: Request) -> bytes | None:
    """The raw body, or None once it passes MAX_BODY."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
