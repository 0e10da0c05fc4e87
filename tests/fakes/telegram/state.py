"""What the fake remembers: its settings, chats, updates, and what the bot called."""

from __future__ import annotations

import asyncio
import itertools
import math
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import uvicorn

from tests.fakes.telegram.errors import TelegramAPIError
from tests.fakes.telegram.raw_http import RawHTTPProtocol
from tests.fakes.telegram.records import (
    Bucket,
    CallbackQuery,
    Chat,
    Injection,
    Waitable,
    update_type,
)
from tests.fakes.telegram.users import FakeUser
from tests.fakes.telegram.wire import (
    E_CHAT_ID_EMPTY,
    E_CHAT_NOT_FOUND,
    E_TOO_MANY,
    NOT_DEFAULT_UPDATES,
)

JSONDict = dict[str, Any]
Handler = Callable[[JSONDict], Any]
AsyncHandler = Callable[[JSONDict], Awaitable[Any]]


class FakeState:
    """The fake's settings and memory; the method and server classes build on it."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "pendamping_test_bot",
        *,
        flood_limits: bool = False,
        overall_per_second: float = 30,
        per_chat_per_second: float = 1,
        overall_burst: float | None = None,
        per_chat_burst: float | None = None,
        paid_per_second: float = 1000,
        strict_html: bool = True,
        bot_first_name: str = "Pendamping",
        port: int = 0,
        backend: str = "raw",
    ) -> None:
        """Configure the fake; nothing listens until ``start()``.

        ``backend``: "raw" (default, a small asyncio HTTP/1.1 server, ~4x cheaper per
        request and instant to stop) or "uvicorn" (starlette app served by uvicorn).
        """
        if backend not in ("raw", "uvicorn"):
            raise ValueError(f"unknown backend {backend!r}")
        self.backend = backend
        self.token = token
        self.bot_username = bot_username
        head = token.split(":", 1)[0]
        self.bot_id = int(head) if head.isdigit() else 1
        self.bot_user: JSONDict = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.flood_limits = flood_limits
        self.overall_per_second = overall_per_second
        self.per_chat_per_second = per_chat_per_second
        self._overall_burst = (
            overall_burst if overall_burst is not None else max(1.0, overall_per_second)
        )
        self._chat_burst = (
            per_chat_burst if per_chat_burst is not None else max(1.0, per_chat_per_second)
        )
        self.strict_html = strict_html
        self.url = ""
        self._port = port

        # inspection
        self.sent: list[JSONDict] = []
        self.markup_edits: list[JSONDict] = []  # editMessageReplyMarkup: the message as it became
        self.calls: list[tuple[str, JSONDict]] = []
        self.errors: list[tuple[str, JSONDict, int, str]] = []
        self.commands: dict[str, list[JSONDict]] = {}
        self.scoped_commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.webhook: JSONDict | None = None
        self.flood_rejections = 0
        self.dropped_updates: list[JSONDict] = []
        self.served: Counter[int] = Counter()  # update_id -> times getUpdates handed it out
        self.internal_errors: list[BaseException] = []

        # state
        self._chats: dict[int, Chat] = {}
        self._users: dict[int, FakeUser] = {}
        self._updates: deque[JSONDict] = deque()
        self._update_ids = itertools.count(700_000_001)
        self._last_update_id = 700_000_000
        self._allowed_updates: frozenset[str] | None = None
        self._poll_waiter: asyncio.Future[str] | None = None
        self._queries: dict[str, CallbackQuery] = {}
        self._query_ids = itertools.count(1)
        self._files: dict[str, tuple[str, bytes]] = {}
        self._file_paths: dict[str, bytes] = {}
        self.downloads: list[str] = []  # file paths the bot downloaded (/file/bot<token>/...)
        self._file_ids = itertools.count(1)
        self._injections: dict[tuple[str, int | None], deque[Injection]] = {}
        self._call_waits: dict[str, Waitable] = {}
        self._overall_bucket = Bucket(overall_per_second, self._overall_burst)
        # allow_paid_broadcast: up to `paid_per_second` such messages, beside the free budget
        self.paid_per_second = paid_per_second
        self._paid_bucket = Bucket(paid_per_second, max(1.0, paid_per_second))
        self._chat_buckets: dict[int, Bucket] = {}

        self._server: uvicorn.Server | None = None
        self._server_task: asyncio.Task[None] | None = None
        self._http: httpx.AsyncClient | None = None
        self._raw_server: asyncio.Server | None = None
        self._connections: set[RawHTTPProtocol] = set()
        self._handlers, self._async_handlers = self._methods()

    def _methods(self) -> tuple[dict[str, Handler], dict[str, AsyncHandler]]:
        raise NotImplementedError  # the server's table of Bot API methods

    # ---- internals: ids and chats ------------------------------------------------------
    def _new_update_id(self) -> int:
        update_id = next(self._update_ids)
        self._last_update_id = max(self._last_update_id, update_id)
        return update_id

    def _chat_state(self, chat_id: int, chat: JSONDict, user: JSONDict) -> Chat:
        state = self._chats.get(chat_id)
        if state is None:
            state = Chat(chat=chat, user=user)
            self._chats[chat_id] = state
        else:
            state.chat = chat
            state.user = user
        return state

    def _remember_chat(self, update: JSONDict) -> None:
        """A user who sent anything has "talked to the bot": the bot may now write to them."""
        for key in ("message", "edited_message", "callback_query", "my_chat_member"):
            payload = update.get(key)
            if not isinstance(payload, dict):
                continue
            chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
            sender = payload.get("from")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                state = self._chats.get(chat["id"])
                if state is None:
                    state = self._chat_state(chat["id"], chat, sender or {})
                state.known = True
                if key == "message" and isinstance(payload.get("message_id"), int):
                    state.messages.setdefault(payload["message_id"], payload)
                    state.next_message_id = max(state.next_message_id, payload["message_id"] + 1)
            return

    def _new_file(self, content: bytes, path_hint: str) -> tuple[str, str]:
        n = next(self._file_ids)
        file_id = f"BQACAgUAAxkBAAI{n:06d}Zm9vYmFy{self.bot_id}"
        unique = f"AgAD{n:06d}"
        path = path_hint.replace("file_", f"file_{n}_") if "file_" in path_hint else f"{path_hint}"
        if path in self._file_paths:
            path = f"{path.rsplit('/', 1)[0]}/{n}_{path.rsplit('/', 1)[-1]}"
        self._files[file_id] = (path, content)
        self._file_paths[path] = content
        return file_id, unique

    def _new_callback_query(self, user_id: int, chat_id: int | None, data: str) -> CallbackQuery:
        query_id = str(4_382_000_000_000_000_000 + next(self._query_ids) * 1_000 + user_id % 1_000)
        query = CallbackQuery(query_id, user_id, chat_id, data)
        self._queries[query_id] = query
        return query

    def _type_allowed(self, kind: str) -> bool:
        if self._allowed_updates is None:
            return kind not in NOT_DEFAULT_UPDATES
        return kind in self._allowed_updates

    def _set_allowed(self, allowed: Any) -> None:
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise TelegramAPIError(400, "Bad Request: can't parse allowed updates JSON object")
        self._allowed_updates = frozenset(allowed) if allowed else None
        if any(not self._type_allowed(update_type(u)) for u in self._updates):
            self._updates = deque(u for u in self._updates if self._type_allowed(update_type(u)))

    def _chat(self, chat_id: Any) -> Chat:
        if chat_id is None or chat_id == "":
            raise TelegramAPIError(400, E_CHAT_ID_EMPTY)
        state = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if state is None or not state.known:
            raise TelegramAPIError(400, E_CHAT_NOT_FOUND)
        return state

    def _check_flood(self, chat_id: int, params: JSONDict | None = None) -> None:
        """With `flood_limits`: 429 beyond the overall rate (with allow_paid_broadcast, the paid
        rate instead) or beyond the per-chat rate, each a token bucket (about a 1 s window)."""
        if not self.flood_limits:
            return
        paid = bool(params and params.get("allow_paid_broadcast"))
        overall = self._paid_bucket if paid else self._overall_bucket
        now = time.monotonic()
        bucket = self._chat_buckets.get(chat_id)
        if bucket is None:
            bucket = self._chat_buckets[chat_id] = Bucket(
                self.per_chat_per_second, self._chat_burst
            )
        wait = max(bucket.wait_time(now), overall.wait_time(now))
        if wait > 0:
            self.flood_rejections += 1
            retry_after = max(1, math.ceil(wait))
            raise TelegramAPIError(429, E_TOO_MANY.format(retry_after), retry_after)
        bucket.take()
        overall.take()

    def _deliver(self, state: Chat, record: JSONDict) -> None:
        self.sent.append(record)
        state.inbox.append(record)
        state.event.set()
