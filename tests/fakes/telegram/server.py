"""The fake Bot API server: dispatch, HTTP (uvicorn or the raw server), controls for tests."""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
from collections import deque
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fakes.telegram.errors import NoMessageError, TelegramAPIError
from tests.fakes.telegram.methods import MessageMethods
from tests.fakes.telegram.raw_http import RawHTTPProtocol
from tests.fakes.telegram.records import Injection, Waitable, update_type, wait_event
from tests.fakes.telegram.state import AsyncHandler, Handler
from tests.fakes.telegram.updates import UpdateMethods
from tests.fakes.telegram.users import FakeUser
from tests.fakes.telegram.wire import (
    E_NOT_FOUND,
    E_UNAUTHORIZED,
    NOT_FOUND_BODY,
    TOKEN_RE,
    coerce,
    dumps,
    parse_multipart,
)

JSONDict = dict[str, Any]


class FakeTelegramAPI(MessageMethods, UpdateMethods):
    """A fake Telegram Bot API server on 127.0.0.1 for real python-telegram-bot clients."""

    def _methods(self) -> tuple[dict[str, Handler], dict[str, AsyncHandler]]:
        """The Bot API methods the bot calls (any other answers 404, as for an unknown one)."""
        plain: dict[str, Handler] = {
            "getme": self._get_me,
            "sendmessage": self._send_message,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "getfile": self._get_file,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
        }
        return plain, {"getupdates": self._get_updates}

    # ---- lifecycle ----------------------------------------------------------------------
    async def start(self) -> None:
        """Listen on 127.0.0.1 (a free port unless one was given) inside the running loop."""
        if self.url:
            return
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose
        # proto is IPPROTO_TCP; with proto 0 every response stalls ~40 ms (Nagle/delayed ACK).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._port))
        sock.setblocking(False)
        port = sock.getsockname()[1]
        if self.backend == "raw":
            loop = asyncio.get_running_loop()
            self._raw_server = await loop.create_server(
                lambda: RawHTTPProtocol(self), sock=sock, backlog=4096
            )
        else:
            config = uvicorn.Config(
                self._build_app(),
                log_level="warning",
                log_config=None,
                access_log=False,
                lifespan="off",
                server_header=False,
                date_header=False,
                timeout_keep_alive=300,
                timeout_graceful_shutdown=2,
                backlog=4096,
            )
            self._server = uvicorn.Server(config)
            self._server_task = asyncio.create_task(self._server.serve(sockets=[sock]))
            deadline = asyncio.get_running_loop().time() + 10
            while not self._server.started:
                if self._server_task.done():
                    self._server_task.result()
                    raise RuntimeError("fake Telegram server stopped during startup")
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError("fake Telegram server did not start within 10 s")
                await asyncio.sleep(0.002)
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Wake pending long polls and shut the server down."""
        if self._poll_waiter is not None and not self._poll_waiter.done():
            self._poll_waiter.set_result("shutdown")
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        if self._raw_server is not None:
            self._raw_server.close()
            tasks = [c.task for c in self._connections if c.task is not None]
            for connection in list(self._connections):
                if connection.transport is not None:
                    connection.transport.close()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._raw_server.wait_closed()
            self._raw_server = None
        if self._server is not None and self._server_task is not None:
            self._server.should_exit = True
            await self._server_task
        self._server = None
        self._server_task = None
        self.url = ""

    async def __aenter__(self) -> FakeTelegramAPI:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop the server; a bug inside the fake (answered 500 to the bot) fails the block."""
        await self.stop()
        if self.internal_errors and exc_info[0] is None:
            raise AssertionError(f"bugs inside the fake Bot API: {self.internal_errors!r}")

    # ---- user side --------------------------------------------------------------------
    def user(
        self,
        user_id: int,
        first_name: str = "Budi",
        last_name: str | None = None,
        language_code: str | None = "id",
        username: str | None = None,
    ) -> FakeUser:
        """The simulated person with this id (created on first use, then reused)."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        person = FakeUser(self, user_id, first_name, last_name, language_code, username)
        self._users[user_id] = person
        return person

    def push_update(self, update: JSONDict) -> int:
        """Queue a raw update for getUpdates (update_id assigned if missing); returns it."""
        if "update_id" not in update:
            update = {"update_id": self._new_update_id(), **update}
        update_id = int(update["update_id"])
        if update_id > self._last_update_id:
            self._last_update_id = update_id
            self._update_ids = itertools.count(update_id + 1)
        self._remember_chat(update)
        if self._type_allowed(update_type(update)):
            self._updates.append(update)
            waiter = self._poll_waiter
            if waiter is not None and not waiter.done():
                waiter.set_result("update")
        else:
            self.dropped_updates.append(update)
        return update_id

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates queued and not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    # ---- controls -----------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        chat_id: int | None,
        error_code: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id``, or any chat if None) fail."""
        key = (method.lower(), chat_id)
        self._injections.setdefault(key, deque()).append(
            Injection(error_code, description, retry_after, times)
        )

    def block(self, chat_id: int) -> None:
        """From now on messages to that chat get 403 "Forbidden: bot was blocked by the user"."""
        state = self._chats.get(chat_id)
        if state is None:
            chat = {"id": chat_id, "first_name": "User", "type": "private"}
            state = self._chat_state(
                chat_id, chat, {"id": chat_id, "is_bot": False, "first_name": "User"}
            )
        state.blocked = True

    def unblock(self, chat_id: int) -> None:
        """Undo ``block``."""
        state = self._chats.get(chat_id)
        if state is not None:
            state.blocked = False

    def clear_records(self) -> None:
        """Forget ``sent``, ``calls``, ``errors`` and inboxes (long benchmarks); chats stay."""
        self.sent.clear()
        self.markup_edits.clear()
        self.calls.clear()
        self.errors.clear()
        self.dropped_updates.clear()
        self.served.clear()
        self._call_waits.clear()
        for state in self._chats.values():
            state.inbox.clear()
        for person in self._users.values():
            person._cursor = 0

    async def wait_for_call(self, method: str, timeout: float = 5) -> JSONDict:
        """Params of the next call of ``method`` not yet returned by this helper."""
        name = method.lower()
        waitable = self._call_waits.setdefault(name, Waitable())
        deadline = asyncio.get_running_loop().time() + timeout
        while waitable.cursor >= len(waitable.items):
            waitable.event.clear()
            if not await wait_event(waitable.event, deadline) and waitable.cursor >= len(
                waitable.items
            ):
                seen = [m for m, _ in self.calls[-20:]]
                raise NoMessageError(f"no {method} call within {timeout}s; last calls: {seen}")
        params = waitable.items[waitable.cursor]
        waitable.cursor += 1
        return params

    async def post_webhook(self, url: str, update: JSONDict, secret_token: str | None) -> int:
        """POST an update to a webhook the way Telegram does; returns the HTTP status."""
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=10)
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        self._remember_chat(update)
        response = await self._http.post(url, content=dumps(update), headers=headers)
        return response.status_code

    # ---- dispatch -----------------------------------------------------------------------
    def _log_call(self, name: str, params: JSONDict) -> None:
        self.calls.append((name, params))
        waitable = self._call_waits.get(name)
        if waitable is None:
            waitable = self._call_waits[name] = Waitable()
        waitable.items.append(params)
        waitable.event.set()

    def _injected(self, name: str, params: JSONDict) -> None:
        chat_id = params.get("chat_id")
        for key in ((name, chat_id if isinstance(chat_id, int) else None), (name, None)):
            queue = self._injections.get(key)
            if not queue:
                continue
            injection = queue[0]
            injection.times -= 1
            if injection.times <= 0:
                queue.popleft()
                if not queue:
                    del self._injections[key]
            raise TelegramAPIError(
                injection.error_code, injection.description, injection.retry_after
            )

    async def call(
        self, token: str, method: str, raw_params: Iterable[tuple[str, Any]]
    ) -> tuple[int, bytes]:
        """Handle one Bot API request; returns (HTTP status, JSON body)."""
        if token != self.token:
            if TOKEN_RE.match(token):
                return 401, dumps({"ok": False, "error_code": 401, "description": E_UNAUTHORIZED})
            return 404, dumps({"ok": False, "error_code": 404, "description": E_NOT_FOUND})
        name = method.lower()
        params: JSONDict = {}
        try:
            for key, value in raw_params:
                params[key] = coerce(key, value)
        except TelegramAPIError as exc:
            self._log_call(name, params)
            return self._error(name, params, exc)
        self._log_call(name, params)
        try:
            if self._injections:
                self._injected(name, params)
            handler = self._handlers.get(name)
            if handler is not None:
                result = handler(params)
            else:
                async_handler = self._async_handlers.get(name)
                if async_handler is None:
                    raise TelegramAPIError(404, E_NOT_FOUND)
                result = await async_handler(params)
        except TelegramAPIError as exc:
            return self._error(name, params, exc)
        return 200, dumps({"ok": True, "result": result})

    def _error(self, name: str, params: JSONDict, exc: TelegramAPIError) -> tuple[int, bytes]:
        self.errors.append((name, params, exc.error_code, exc.description))
        return exc.error_code, dumps(exc.envelope())

    # ---- HTTP layer -------------------------------------------------------------------
    @staticmethod
    def _params_from(query: bytes, content_type: str, body: bytes) -> list[tuple[str, Any]]:
        """Request parameters from the query string and a JSON, form or multipart body."""
        pairs: list[tuple[str, Any]] = []
        if query:
            pairs.extend(parse_qsl(query.decode("utf-8", "replace"), keep_blank_values=True))
        if body:
            if content_type.startswith("application/json"):
                data = json.loads(body)
                if not isinstance(data, dict):
                    raise ValueError("the JSON body is not an object")
                pairs.extend(data.items())
            elif content_type.startswith("multipart/form-data"):
                pairs.extend(parse_multipart(body, content_type).items())
            else:
                pairs.extend(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return pairs

    async def handle_http(
        self, verb: str, path: str, query: bytes, content_type: str, body: bytes
    ) -> tuple[int, bytes, str]:
        """Serve one HTTP request (decoded path): (status, body, content type)."""
        try:
            if path.startswith("/file/bot") and verb == "GET":
                token, _, file_path = path[len("/file/bot") :].partition("/")
                content = self.download(token, file_path)
                if content is None:
                    return 404, NOT_FOUND_BODY, "application/json"
                return 200, content, "application/octet-stream"
            if path.startswith("/bot"):
                token, _, method = path[4:].partition("/")
                if method and "/" not in method:
                    try:
                        pairs = self._params_from(query, content_type, body)
                    except (ValueError, TelegramAPIError) as exc:
                        envelope = {
                            "ok": False,
                            "error_code": 400,
                            "description": f"Bad Request: {exc}",
                        }
                        return 400, dumps(envelope), "application/json"
                    status, payload = await self.call(token, method, pairs)
                    return status, payload, "application/json"
        except Exception as exc:  # a bug in the fake: answer 500 and keep it for the test
            self.internal_errors.append(exc)
            envelope = {
                "ok": False,
                "error_code": 500,
                "description": f"Internal Server Error: {exc!r}",
            }
            return 500, dumps(envelope), "application/json"
        return 404, NOT_FOUND_BODY, "application/json"

    def _build_app(self) -> Starlette:
        async def endpoint(request: Request) -> Response:
            status, payload, content_type = await self.handle_http(
                request.method,
                request.scope["path"],
                request.scope.get("query_string", b""),
                request.headers.get("content-type", ""),
                await request.body(),
            )
            return Response(payload, status_code=status, media_type=content_type)

        return Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "POST", "HEAD"])])
