"""A fake WhatsApp Cloud API (Graph API) over real HTTP for the bot's WhatsApp channel."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
import socket
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.whatsapp.errors import GraphAPIError
from tests.fakes.whatsapp.media import MediaStore
from tests.fakes.whatsapp.rates import Rates
from tests.fakes.whatsapp.validation import Templates, check_message, recipient_of

JSONDict = dict[str, Any]
StatusCallback = Callable[[JSONDict], Awaitable[None] | None]
WINDOW = 24 * 3600.0


@dataclass(frozen=True)
class Received:
    """One message the fake accepted for a person."""

    wamid: str
    kind: str  # text, interactive, template
    message: JSONDict  # the payload as the bot posted it
    at: float

    @property
    def text(self) -> str:
        """What the person reads first: the text body, the interactive body, or the template name."""
        if self.kind == "text":
            return str(self.message["text"]["body"])
        if self.kind == "interactive":
            return str(self.message["interactive"]["body"]["text"])
        if self.kind == "document":
            document = self.message["document"]
            return str(document.get("caption") or document.get("filename") or "")
        if self.kind == "image":
            return str(self.message["image"].get("caption") or "")
        return str(self.message["template"]["name"])


@dataclass
class Injection:
    code: int
    recipient: str | None
    times: int
    status: int


class FakeGraphAPI:
    """POST /{version}/{phone_number_id}/messages, checked and answered as Meta does."""

    def __init__(
        self,
        *,
        token: str = "fake-token",
        phone_number_id: str = "1234567890",
        version: str = "v23.0",
        templates: Templates | None = None,
        per_second: float = 80.0,
        pair_interval: float = 6.0,
        pair_burst: float = 45.0,
        window_failure: str = "sync",  # "sync": 131047 at once; "status": accept, then `failed`
        on_status: StatusCallback | None = None,
        report_delivery: bool = False,  # also report `sent` and `delivered` for each message
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.version = version
        self.templates: Templates = dict(templates or {})
        self.rates = Rates(per_second, pair_interval, pair_burst)
        self.window_failure = window_failure
        self.on_status = on_status
        self.report_delivery = report_delivery
        self.clock = clock
        self.received: dict[str, list[Received]] = defaultdict(list)
        self.answers: Counter[int] = Counter()  # error codes answered (and sent as statuses)
        self.posts = 0
        self.internal_errors: list[Exception] = []
        self._last_inbound: dict[str, float] = {}
        self._injections: deque[Injection] = deque()
        self._wamids = itertools.count(1)
        self._arrived = asyncio.Event()
        self._refused = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: uvicorn.Server | None = None
        self._serving: asyncio.Task[None] | None = None
        self.media = MediaStore(token, clock)
        self.url = ""

    @property
    def api_url(self) -> str:
        """WHATSAPP_API_URL for the bot: the base with the version."""
        return f"{self.url}/{self.version}"

    # ---- the person's side ------------------------------------------------------------------
    def person_wrote(self, recipient: str, at: float | None = None) -> None:
        """The person wrote to the business (at `at`, default now): their 24 hours open."""
        self._last_inbound[recipient] = self.clock() if at is None else at

    def window_open(self, recipient: str) -> bool:
        last = self._last_inbound.get(recipient)
        return last is not None and self.clock() - last < WINDOW

    def messages_to(self, recipient: str) -> list[Received]:
        return list(self.received.get(recipient, ()))

    async def wait_for(self, recipient: str, count: int, timeout: float = 5.0) -> list[Received]:
        """The first `count` messages the person received; fails the test if they do not arrive
        within `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self.received.get(recipient, ())) < count:
            self._arrived.clear()
            left = deadline - loop.time()
            if left <= 0:
                got = len(self.received.get(recipient, ()))
                raise AssertionError(
                    f"expected {count} message(s) to the person within {timeout} s, got {got}"
                )
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except TimeoutError:
                continue
        return self.received[recipient][:count]

    async def wait_for_answer(self, code: int, count: int = 1, timeout: float = 5.0) -> None:
        """Until the fake has answered error `code` `count` times; fails the test after
        `timeout` seconds."""
        try:
            async with asyncio.timeout(timeout):
                while self.answers[code] < count:
                    self._refused.clear()
                    await self._refused.wait()
        except TimeoutError:
            raise AssertionError(
                f"expected error {code} {count} time(s) within {timeout} s, "
                f"answered {self.answers[code]}"
            ) from None

    # ---- controls ---------------------------------------------------------------------------
    def fail_next(
        self, code: int, *, recipient: str | None = None, times: int = 1, status: int = 400
    ) -> None:
        """Answer the next `times` sends (to `recipient`, or anyone) with error `code`."""
        self._injections.append(Injection(code, recipient, times, status))

    # ---- serving ----------------------------------------------------------------------------
    async def handle(self, path: str, authorization: str, body: bytes) -> tuple[int, JSONDict]:
        """One request: (HTTP status, JSON answer)."""
        self.posts += 1
        try:
            expected = f"/{self.version}/{self.phone_number_id}/messages"
            if path != expected:
                raise GraphAPIError(100, f"unknown path {path}", status=400)
            if authorization != f"Bearer {self.token}":
                raise GraphAPIError(190, "Invalid OAuth access token.", status=401)
            try:
                payload = json.loads(body)
            except ValueError as error:
                raise GraphAPIError(100, "the body is not JSON") from error
            if not isinstance(payload, dict):
                raise GraphAPIError(100, "the body is not a JSON object")
            recipient = recipient_of(payload)
            if payload.get("type") == "document":
                self.media.check_document(payload)
                kind = "document"
            elif payload.get("type") == "image":
                self.media.check_image(payload)
                kind = "image"
            else:
                kind = check_message(payload, self.templates)
            return 200, self._accept(recipient, kind, payload)
        except GraphAPIError as error:
            self.answers[error.code] += 1
            self._refused.set()
            return error.status, error.envelope()

    async def handle_media(
        self, verb: str, path: str, authorization: str, content_type: str, body: bytes
    ) -> tuple[int, JSONDict]:
        """An upload (POST .../media) or a media id's URL (GET /{version}/{media-id})."""
        try:
            if authorization != f"Bearer {self.token}":
                raise GraphAPIError(190, "Invalid OAuth access token.", status=401)
            if verb == "POST" and path == f"/{self.version}/{self.phone_number_id}/media":
                return 200, self.media.upload(body, content_type)
            prefix = f"/{self.version}/"
            media_id = path.removeprefix(prefix)
            if verb == "GET" and path.startswith(prefix) and media_id.isdigit():
                return 200, self.media.info(media_id)
            raise GraphAPIError(100, f"unknown path {path}", status=400)
        except GraphAPIError as error:
            self.answers[error.code] += 1
            self._refused.set()
            return error.status, error.envelope()

    def _accept(self, recipient: str, kind: str, payload: JSONDict) -> JSONDict:
        self._injected(recipient)
        now = self.clock()
        if not self.rates.number_allows(now):
            raise GraphAPIError(130429)
        if not self.rates.pair_allows(recipient, now):
            raise GraphAPIError(131056)
        wamid = f"wamid.FAKE{next(self._wamids):012d}"
        closed = kind != "template" and not self.window_open(recipient)
        if closed and self.window_failure == "sync":
            raise GraphAPIError(131047)
        if closed:
            error = GraphAPIError(131047)
            self.answers[error.code] += 1
            self._report(wamid, recipient, "failed", [error.status_error()])
        else:
            self.received[recipient].append(Received(wamid, kind, payload, now))
            self._arrived.set()
            if self.report_delivery:
                self._report(wamid, recipient, "sent", [])
                self._report(wamid, recipient, "delivered", [])
        contact = {"input": recipient, "wa_id": recipient} if "to" in payload else {
            "input": recipient, "user_id": recipient}  # fmt: skip
        message: JSONDict = {"id": wamid}
        if kind == "template":
            message["message_status"] = "accepted"
        return {"messaging_product": "whatsapp", "contacts": [contact], "messages": [message]}

    def _injected(self, recipient: str) -> None:
        for injection in self._injections:
            if injection.recipient in (None, recipient):
                injection.times -= 1
                if injection.times <= 0:
                    self._injections.remove(injection)
                raise GraphAPIError(injection.code, status=injection.status)

    def _report(self, wamid: str, recipient: str, status: str, errors: list[JSONDict]) -> None:
        """Hand a status (as in a webhook's `statuses[]`) to `on_status`, after the answer."""
        if self.on_status is None:
            return
        item: JSONDict = {
            "id": wamid,
            "status": status,
            "timestamp": str(int(self.clock())),
            "recipient_id": recipient,
        }
        if errors:
            item["errors"] = errors
        callback = self.on_status

        async def report() -> None:
            await asyncio.sleep(0)  # after the answer to the send
            result = callback(item)
            if inspect.isawaitable(result):
                await result

        task = asyncio.get_running_loop().create_task(report())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- lifecycle ----------------------------------------------------------------------------
    async def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        config = uvicorn.Config(
            self._app(),
            log_level="warning",
            log_config=None,
            access_log=False,
            lifespan="off",
            server_header=False,
            timeout_keep_alive=300,
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(config)
        self._serving = asyncio.create_task(self._server.serve(sockets=[sock]))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while not self._server.started:
            if self._serving.done():
                self._serving.result()
                raise RuntimeError("the fake Graph API stopped during startup")
            if loop.time() > deadline:
                raise TimeoutError("the fake Graph API did not start within 10 s")
            await asyncio.sleep(0.005)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self.media.base = self.url

    async def stop(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None and self._serving is not None:
            self._server.should_exit = True
            await self._serving
        self._server = self._serving = None
        self.url = ""

    async def __aenter__(self) -> FakeGraphAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
        if self.internal_errors and exc_info[0] is None:
            raise AssertionError(f"bugs inside the fake Graph API: {self.internal_errors!r}")

    def _app(self) -> Starlette:
        async def messages(request: Request) -> JSONResponse:
            try:
                status, answer = await self.handle(
                    request.url.path,
                    request.headers.get("authorization", ""),
                    await request.body(),
                )
            except Exception as error:  # a bug in the fake: 500, and the test fails at exit
                self.internal_errors.append(error)
                return JSONResponse({"error": {"message": repr(error), "code": 1}}, 500)
            return JSONResponse(answer, status)

        async def media(request: Request) -> Response:
            try:
                if request.url.path == "/whatsapp_business/attachments/":
                    content = self.media.download(
                        request.query_params.get("mid", ""),
                        request.headers.get("authorization", ""),
                    )
                    if content is None:
                        return Response(b"", 404)
                    return Response(content, 200, media_type="application/octet-stream")
                status, answer = await self.handle_media(
                    request.method,
                    request.url.path,
                    request.headers.get("authorization", ""),
                    request.headers.get("content-type", ""),
                    await request.body(),
                )
            except Exception as error:  # a bug in the fake: 500, and the test fails at exit
                self.internal_errors.append(error)
                return JSONResponse({"error": {"message": repr(error), "code": 1}}, 500)
            return JSONResponse(answer, status)

        async def endpoint(request: Request) -> Response:
            path = request.url.path
            if request.method == "POST" and path.endswith("/messages"):
                return await messages(request)
            return await media(request)

        return Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "POST"])])
