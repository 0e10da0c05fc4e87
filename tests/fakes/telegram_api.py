"""A fake Telegram Bot API server for end-to-end tests and benchmarks.

Real python-telegram-bot talks to it over real HTTP::

    async with FakeTelegramAPI() as fake:
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(f"{fake.url}/bot")
            .base_file_url(f"{fake.url}/file/bot")
            .build()
        )
        budi = fake.user(1001, "Budi")
        budi.send_text("/start")
        ...  # run the application (polling), then
        reply = await budi.next_message()

It answers with Telegram's real envelopes (``{"ok": true, "result": ...}`` and
``{"ok": false, "error_code": N, "description": "...", "parameters": {...}}``) and the
matching HTTP status codes, keeps per-chat message stores, validates HTML like
Telegram's own parser (a port of tdlib's ``parse_html``), implements ``getUpdates``
long polling with real offset semantics, webhooks bookkeeping, callback queries,
error injection and optional flood limits.

Everything runs inside the caller's event loop, on 127.0.0.1: by default a small
asyncio HTTP/1.1 server (keep-alive, pipelining; several times cheaper per request
than uvicorn+h11 and instant to stop), or ``backend="uvicorn"`` for the same logic as
a starlette app served by uvicorn.  Dicts handed out (``sent``, ``inbox``, updates)
share nested objects with the fake's internal state: treat them as read-only.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import socket
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import parse_qsl, unquote

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = [
    "FakeTelegramAPI",
    "FakeUser",
    "HTMLParseError",
    "NoMessageError",
    "TelegramAPIError",
    "parse_html",
]

JSONDict = dict[str, Any]

# --------------------------------------------------------------------------------------
# Error descriptions exactly as the Bot API words them
# --------------------------------------------------------------------------------------
E_BLOCKED = "Forbidden: bot was blocked by the user"
E_CHAT_NOT_FOUND = "Bad Request: chat not found"
E_CHAT_ID_EMPTY = "Bad Request: chat_id is empty"
E_TEXT_EMPTY = "Bad Request: message text is empty"
E_TEXT_TOO_LONG = "Bad Request: message is too long"
E_CAPTION_TOO_LONG = "Bad Request: message caption is too long"
E_PARSE_ENTITIES = "Bad Request: can't parse entities: "
E_BUTTON_DATA = "Bad Request: BUTTON_DATA_INVALID"
E_EDIT_NOT_FOUND = "Bad Request: message to edit not found"
E_CANT_EDIT = "Bad Request: message can't be edited"
E_DELETE_NOT_FOUND = "Bad Request: message to delete not found"
E_REPLY_NOT_FOUND = "Bad Request: message to be replied not found"
E_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup"
    " are exactly the same as a current content and reply markup of the message"
)
E_QUERY_INVALID = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
E_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active;"
    " use deleteWebhook to delete the webhook first"
)
E_POLL_TERMINATED = (
    "Conflict: terminated by other getUpdates request;"
    " make sure that only one bot instance is running"
)
E_TOO_MANY = "Too Many Requests: retry after {}"
E_UNAUTHORIZED = "Unauthorized"
E_NOT_FOUND = "Not Found"

_TEXT_LIMIT = 4096
_CAPTION_LIMIT = 1024
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_BOT_COMMAND_RE = re.compile(r"(?<![\w/<>])/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/<>])")
_COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Default allowed_updates of the Bot API: everything except these.
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

_INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "user_id",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "from_chat_id",
        "max_connections",
        "until_date",
    }
)
_FLOAT_FIELDS = frozenset({"timeout", "latitude", "longitude"})
_BOOL_FIELDS = frozenset(
    {
        "drop_pending_updates",
        "show_alert",
        "disable_notification",
        "protect_content",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "allow_paid_broadcast",
    }
)
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "commands",
        "scope",
        "allowed_updates",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "menu_button",
    }
)


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class TelegramAPIError(Exception):
    """An error answered in Telegram's ``{"ok": false, ...}`` envelope."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        """Create the error; ``retry_after`` becomes ``parameters.retry_after``."""
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    def envelope(self) -> JSONDict:
        """The JSON body Telegram would send."""
        body: JSONDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class NoMessageError(AssertionError, TimeoutError):
    """Raised by the waiting helpers when nothing arrived in time (an AssertionError and a TimeoutError)."""


# --------------------------------------------------------------------------------------
# HTML parse mode: a port of tdlib's parse_html (td/telegram/MessageEntity.cpp)
# --------------------------------------------------------------------------------------
class HTMLParseError(ValueError):
    """Telegram would answer "Bad Request: can't parse entities: <message>"."""


_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_ENTITY = {
    "i": "italic",
    "em": "italic",
    "b": "bold",
    "strong": "bold",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}
_SPACES = frozenset(b" \t\r\n\v\x00")
_LT, _GT, _AMP, _SLASH, _EQ = ord("<"), ord(">"), ord("&"), ord("/"), ord("=")
_SPECIAL = re.compile(rb"[<&]")
_SPECIAL_STRICT = re.compile(rb"[<&>]")


def _decode_html_entity(raw: bytes, pos: int) -> tuple[int, int]:
    """Decode the entity at ``raw[pos] == '&'``: (code point or 0, position after it)."""
    n = len(raw)
    end = pos + 1
    res = 0
    if end < n and raw[end] == ord("#"):
        end += 1
        if end < n and raw[end] == ord("x"):
            end += 1
            while end < n and chr(raw[end]) in "0123456789abcdefABCDEF":
                res = res * 16 + int(chr(raw[end]), 16)
                end += 1
        else:
            while end < n and 48 <= raw[end] <= 57:
                res = res * 10 + raw[end] - 48
                end += 1
        if res == 0 or res >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while end < n and chr(raw[end]).isalpha() and raw[end] < 128:
            end += 1
        name = raw[pos + 1 : end]
        res = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}.get(name, 0)
        if res == 0:
            return 0, pos
    if end < n and raw[end] == ord(";"):
        end += 1
    return res, end


def _checked_link(url: str) -> str:
    url = url.strip()
    if not url or any(ch.isspace() for ch in url):
        return ""
    lower = url.lower()
    if lower.startswith(("tg:", "ton:", "tonsite:")):
        return url
    if "://" not in url:
        url = "http://" + url
        lower = url.lower()
    if not lower.startswith(("http://", "https://")):
        return ""
    rest = url.split("://", 1)[1]
    if not rest or rest[0] in "/?#":
        return ""
    if "/" not in rest and "?" not in rest and "#" not in rest:
        url += "/"
    return url


def parse_html(text: str, *, strict: bool = False) -> tuple[str, list[JSONDict]]:
    """Parse Telegram HTML like tdlib does: returns (plain text, Bot API entities).

    Raises HTMLParseError with Telegram's message (byte offsets are UTF-8 offsets in
    ``text``).  Real Telegram tolerates a bare ``&`` that starts no entity and a bare
    ``>``; with ``strict=True`` those are rejected too (useful to prove that user input
    was escaped with ``html.escape``).
    """
    raw = text.encode("utf-8", "surrogatepass")
    pattern = _SPECIAL_STRICT if strict else _SPECIAL
    if pattern.search(raw) is None:
        return text, []
    n = len(raw)

    def at(k: int) -> int:
        return raw[k] if k < n else 0

    out = bytearray()
    utf16 = 0
    # (tag name, argument, utf16 offset, byte position in out)
    nested: list[tuple[str, str, int, int]] = []
    entities: list[JSONDict] = []
    i = 0
    while i < n:
        m = pattern.search(raw, i)
        stop = m.start() if m is not None else n
        if stop > i:
            chunk = raw[i:stop]
            out += chunk
            utf16 += _utf16_len(chunk.decode("utf-8", "surrogatepass"))
            i = stop
            if i >= n:
                break
        c = raw[i]
        if c == _AMP:
            code, after = _decode_html_entity(raw, i)
            if code:
                if 0xD800 <= code <= 0xDFFF:
                    raise HTMLParseError(
                        "Text contains invalid Unicode characters after decoding HTML entities,"
                        " check for unmatched surrogate code units"
                    )
                out += chr(code).encode("utf-8")
                utf16 += 2 if code > 0xFFFF else 1
                i = after
                continue
            if strict:
                raise HTMLParseError(
                    f'Unescaped "&" at byte offset {i} (fake strict mode: real Telegram'
                    " shows it literally; escape user text with html.escape)"
                )
            out.append(c)
            utf16 += 1
            i += 1
            continue
        if c == _GT:  # only reachable in strict mode
            raise HTMLParseError(
                f'Unescaped ">" at byte offset {i} (fake strict mode: real Telegram shows it'
                " literally; escape user text with html.escape)"
            )
        # c == '<'
        begin = i
        i += 1
        if at(i) != _SLASH:
            while at(i) not in _SPACES and at(i) != _GT:
                i += 1
            if i >= n:
                raise HTMLParseError(f"Unclosed start tag at byte offset {begin}")
            tag = raw[begin + 1 : i].decode("utf-8", "replace").lower()
            if tag not in _HTML_TAGS:
                raise HTMLParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while at(i) != _GT:
                while i < n and at(i) in _SPACES:
                    i += 1
                if at(i) == _GT:
                    break
                attr_begin = i
                while at(i) not in _SPACES and at(i) != _EQ:
                    i += 1
                attr_name = raw[attr_begin:i].decode("utf-8", "replace")
                if not attr_name:
                    raise HTMLParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
                    )
                while i < n and at(i) in _SPACES:
                    i += 1
                if at(i) != _EQ:
                    raise HTMLParseError(
                        "Expected equal sign in declaration of an attribute of the tag"
                        f' "{tag}" at byte offset {begin}'
                    )
                i += 1
                while i < n and at(i) in _SPACES:
                    i += 1
                if i >= n:
                    raise HTMLParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if at(i) not in (ord("'"), ord('"')):
                    token_begin = i
                    while (chr(at(i)).isalnum() and at(i) < 128) or at(i) in (ord("."), ord("-")):
                        i += 1
                    value = raw[token_begin:i].decode("ascii").lower()
                    if at(i) not in _SPACES and at(i) != _GT:
                        raise HTMLParseError(
                            f"Unexpected end of name token at byte offset {token_begin}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    buf = bytearray()
                    while i < n and at(i) != quote:
                        if at(i) == _AMP:
                            code, after = _decode_html_entity(raw, i)
                            if code:
                                buf += chr(code).encode("utf-8", "surrogatepass")
                                i = after
                                continue
                        buf.append(at(i))
                        i += 1
                    if at(i) == quote and i < n:
                        i += 1
                    value = buf.decode("utf-8", "replace")
                if i >= n:
                    raise HTMLParseError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and attr_name == "href":
                    argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[9:]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[3:]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise HTMLParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
                )
            nested.append((tag, argument, utf16, len(out)))
            i += 1  # skip '>'
            continue
        # end tag
        if not nested:
            raise HTMLParseError(f"Unexpected end tag at byte offset {begin}")
        while at(i) not in _SPACES and at(i) != _GT:
            i += 1
        end_name = raw[begin + 2 : i].decode("utf-8", "replace").lower()
        while i < n and at(i) in _SPACES:
            i += 1
        if at(i) != _GT:
            raise HTMLParseError(f"Unclosed end tag at byte offset {begin}")
        tag, argument, start, start_pos = nested.pop()
        if end_name and end_name != tag:
            raise HTMLParseError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", found "</{end_name}>"'
            )
        i += 1  # skip '>'
        if utf16 <= start:
            continue
        length = utf16 - start
        kind = _SIMPLE_ENTITY.get(tag)
        if kind is not None:
            entities.append({"type": kind, "offset": start, "length": length})
        elif tag == "tg-emoji":
            if not argument.isdigit() or int(argument) == 0:
                raise HTMLParseError("Invalid custom emoji identifier specified")
            entities.append(
                {
                    "type": "custom_emoji",
                    "offset": start,
                    "length": length,
                    "custom_emoji_id": argument,
                }
            )
        elif tag == "a":
            url = argument or out[start_pos:].decode("utf-8", "replace")
            url = _checked_link(url)
            if url:
                entities.append(
                    {"type": "text_link", "offset": start, "length": length, "url": url}
                )
        elif tag == "pre":
            last = entities[-1] if entities else None
            if (
                last is not None
                and last["type"] == "code"
                and last["offset"] == start
                and last["length"] == length
                and last.get("language")
            ):
                last["type"] = "pre"
            else:
                entities.append({"type": "pre", "offset": start, "length": length})
        else:  # code
            last = entities[-1] if entities else None
            if (
                last is not None
                and last["type"] == "pre"
                and last["offset"] == start
                and last["length"] == length
                and argument
            ):
                last["language"] = argument
            else:
                entity: JSONDict = {"type": "code", "offset": start, "length": length}
                if argument:
                    entity["language"] = argument
                entities.append(entity)
    if nested:
        raise HTMLParseError(f"Can't find end tag corresponding to start tag {nested[-1][0]}")
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return out.decode("utf-8", "surrogatepass"), entities


def _trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Telegram strips leading/trailing whitespace of message texts; keep entities aligned."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    if not stripped:
        return "", []
    shift = _utf16_len(text[: len(text) - len(text.lstrip())])
    total = _utf16_len(stripped)
    fixed: list[JSONDict] = []
    for entity in entities:
        begin = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > begin:
            fixed.append({**entity, "offset": begin, "length": end - begin})
    return stripped, fixed


# --------------------------------------------------------------------------------------
# Small internal records
# --------------------------------------------------------------------------------------
@dataclass
class _Upload:
    """A file uploaded with multipart/form-data."""

    filename: str
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        return f"<upload {self.filename!r} {len(self.data)} bytes>"


@dataclass
class _Chat:
    chat: JSONDict
    user: JSONDict
    next_message_id: int = 1
    messages: dict[int, JSONDict] = field(default_factory=dict)
    inbox: list[JSONDict] = field(default_factory=list)
    event: asyncio.Event = field(default_factory=asyncio.Event)
    blocked: bool = False
    known: bool = False  # has the user ever talked to the bot

    def new_message_id(self) -> int:
        mid = self.next_message_id
        self.next_message_id += 1
        return mid


@dataclass
class _CallbackQuery:
    query_id: str
    user_id: int
    chat_id: int | None
    data: str
    answer: JSONDict | None = None
    done: bool = False
    event: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class _Injection:
    error_code: int
    description: str
    retry_after: int | None
    times: int


class _Bucket:
    """Token bucket: ``rate`` tokens per second, at most ``capacity`` stored."""

    __slots__ = ("capacity", "rate", "stamp", "tokens")

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = time.monotonic()

    def wait_time(self, now: float) -> float:
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class _Waitable:
    """An append-only list with a cursor and an event, for ``wait_for_call``."""

    items: list[JSONDict] = field(default_factory=list)
    cursor: int = 0
    event: asyncio.Event = field(default_factory=asyncio.Event)


async def _wait_event(event: asyncio.Event, deadline: float) -> bool:
    """Wait for ``event`` until the loop time ``deadline``; False on timeout."""
    remaining = deadline - asyncio.get_running_loop().time()
    if remaining <= 0:
        return False
    try:
        await asyncio.wait_for(event.wait(), remaining)
    except TimeoutError:
        return False
    return True


def _coerce(name: str, value: Any) -> Any:
    """Turn a form/query-string value into what Telegram would understand."""
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError as exc:
            if name == "reply_markup":
                raise TelegramAPIError(
                    400, "Bad Request: can't parse reply keyboard markup JSON object"
                ) from exc
            raise TelegramAPIError(400, f"Bad Request: can't parse {name} JSON object") from exc
    if name in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            return value
    if name in _BOOL_FIELDS:
        return value.strip().lower() in ("true", "1")
    return value


def _parse_multipart(body: bytes, content_type: str) -> JSONDict:
    """Minimal multipart/form-data parser (what httpx sends for file uploads)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        raise TelegramAPIError(400, "Bad Request: invalid multipart body")
    delimiter = b"--" + match.group(1).encode("latin-1")
    params: JSONDict = {}
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        part = part[2:] if part.startswith(b"\r\n") else part
        head, _, data = part.partition(b"\r\n\r\n")
        data = data[:-2] if data.endswith(b"\r\n") else data
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, val = line.partition(":")
            headers[key.strip().lower()] = val.strip()
        disposition = headers.get("content-disposition", "")
        name_m = re.search(r'\bname="([^"]*)"', disposition)
        if name_m is None:
            continue
        file_m = re.search(r'filename="([^"]*)"', disposition)
        if file_m is not None:
            params[name_m.group(1)] = _Upload(
                file_m.group(1), headers.get("content-type", "application/octet-stream"), data
            )
        else:
            params[name_m.group(1)] = data.decode("utf-8", "replace")
    return params


def _update_type(update: JSONDict) -> str:
    for key in update:
        if key != "update_id":
            return key
    return ""


def _summary(record: JSONDict) -> str:
    text = record.get("text", record.get("caption", ""))
    if isinstance(text, str) and len(text) > 120:
        text = text[:117] + "..."
    markup = record.get("reply_markup")
    kb = ""
    if isinstance(markup, dict):
        rows = markup.get("inline_keyboard") or markup.get("keyboard")
        if rows:
            labels = [b.get("text", b) if isinstance(b, dict) else b for row in rows for b in row]
            kb = f" buttons={labels}"
    return f"{record.get('method')} #{record.get('message_id')}: {text!r}{kb}"


# --------------------------------------------------------------------------------------
# The user side
# --------------------------------------------------------------------------------------
class FakeUser:
    """A person chatting privately with the bot (chat_id == user_id)."""

    def __init__(
        self,
        fake: FakeTelegramAPI,
        user_id: int,
        first_name: str,
        last_name: str | None,
        language_code: str | None,
        username: str | None,
    ) -> None:
        """Use ``FakeTelegramAPI.user(...)`` instead of calling this directly."""
        self.fake = fake
        self.user_id = user_id
        self.chat_id = user_id
        self.user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        self.chat: JSONDict = {"id": user_id, "first_name": first_name}
        if last_name is not None:
            self.user["last_name"] = last_name
            self.chat["last_name"] = last_name
        if username is not None:
            self.user["username"] = username
            self.chat["username"] = username
        if language_code is not None:
            self.user["language_code"] = language_code
        self.chat["type"] = "private"
        self._state = fake._chat_state(user_id, self.chat, self.user)
        self._cursor = 0
        self._last_query: _CallbackQuery | None = None

    # ---- building updates (no queuing) ------------------------------------------------
    def _message(self, **content: Any) -> JSONDict:
        self._state.known = True
        return {
            "message_id": self._state.new_message_id(),
            "from": self.user,
            "chat": self.chat,
            "date": int(time.time()),
            **content,
        }

    def _update(self, kind: str, payload: JSONDict) -> JSONDict:
        self._state.known = True
        return {"update_id": self.fake._new_update_id(), kind: payload}

    def message_update(self, **content: Any) -> JSONDict:
        """A ``message`` update with arbitrary extra message fields."""
        message = self._message(**content)
        self._state.messages[message["message_id"]] = message
        return self._update("message", message)

    def text_update(self, text: str) -> JSONDict:
        """A text message update; commands get ``bot_command`` entities like Telegram adds."""
        entities = [
            {
                "type": "bot_command",
                "offset": _utf16_len(text[: m.start()]),
                "length": _utf16_len(m.group(0)),
            }
            for m in _BOT_COMMAND_RE.finditer(text)
        ]
        if entities:
            return self.message_update(text=text, entities=entities)
        return self.message_update(text=text)

    def contact_update(self, phone_number: str, own: bool = True) -> JSONDict:
        """A shared contact; ``own=True`` (the request_contact button) sets contact.user_id."""
        contact: JSONDict = {"phone_number": phone_number, "first_name": self.user["first_name"]}
        if "last_name" in self.user:
            contact["last_name"] = self.user["last_name"]
        if own:
            contact["user_id"] = self.user_id
        else:
            contact["first_name"] = "Kontak"
        return self.message_update(contact=contact)

    def sticker_update(self) -> JSONDict:
        """A sticker message update."""
        file_id, unique = self.fake._new_file(b"RIFF-sticker", "stickers/file_1.webp")
        sticker = {
            "file_id": file_id,
            "file_unique_id": unique,
            "width": 512,
            "height": 512,
            "emoji": "\U0001f44d",
            "set_name": "PendampingTest",
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "file_size": 12,
        }
        return self.message_update(sticker=sticker)

    def photo_update(self, caption: str | None = None) -> JSONDict:
        """A photo message update (two PhotoSizes)."""
        small_id, small_unique = self.fake._new_file(b"\xff\xd8small", "photos/file_s.jpg")
        big_id, big_unique = self.fake._new_file(b"\xff\xd8big-photo", "photos/file_b.jpg")
        photo = [
            {
                "file_id": small_id,
                "file_unique_id": small_unique,
                "file_size": 7,
                "width": 90,
                "height": 67,
            },
            {
                "file_id": big_id,
                "file_unique_id": big_unique,
                "file_size": 11,
                "width": 1280,
                "height": 960,
            },
        ]
        if caption is None:
            return self.message_update(photo=photo)
        return self.message_update(photo=photo, caption=caption)

    def voice_update(self, duration: int = 3) -> JSONDict:
        """A voice note message update."""
        file_id, unique = self.fake._new_file(b"OggS-voice", "voice/file_v.oga")
        voice = {
            "file_id": file_id,
            "file_unique_id": unique,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": 10,
        }
        return self.message_update(voice=voice)

    def location_update(self, latitude: float, longitude: float) -> JSONDict:
        """A location message update."""
        return self.message_update(location={"latitude": latitude, "longitude": longitude})

    def document_update(
        self,
        file_name: str = "surat.pdf",
        mime_type: str = "application/pdf",
        content: bytes = b"%PDF-1.4 fake\n",
        caption: str | None = None,
    ) -> JSONDict:
        """A document message update; the content can be downloaded through getFile."""
        file_id, unique = self.fake._new_file(content, f"documents/{file_name}")
        document = {
            "file_id": file_id,
            "file_unique_id": unique,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        if caption is None:
            return self.message_update(document=document)
        return self.message_update(document=document, caption=caption)

    def callback_update(
        self, callback_data: str, message_id: int | None = None, *, strict: bool = True
    ) -> JSONDict:
        """A callback_query update for pressing an inline button of a bot message.

        Default message: the latest bot message in this chat that has an inline keyboard.
        With ``strict`` (default) the data must be one of that message's buttons, as a
        real client can only send what is on the keyboard.
        """
        state = self._state
        message: JSONDict | None = None
        if message_id is None:
            for candidate in reversed(state.messages.values()):
                if candidate["from"]["id"] == self.fake.bot_id and "reply_markup" in candidate:
                    message = candidate
                    break
            if message is None:
                raise AssertionError(
                    f"user {self.user_id} has no bot message with an inline keyboard to press"
                    f" {callback_data!r}; bot messages to this chat: "
                    f"{[_summary(r) for r in state.inbox]}"
                )
        else:
            message = state.messages.get(message_id)
            if message is None or message["from"]["id"] != self.fake.bot_id:
                raise AssertionError(
                    f"no bot message #{message_id} in chat {self.chat_id}; bot messages: "
                    f"{[_summary(r) for r in state.inbox]}"
                )
        if strict:
            rows = message.get("reply_markup", {}).get("inline_keyboard", [])
            datas = [b.get("callback_data") for row in rows for b in row]
            if callback_data not in datas:
                raise AssertionError(
                    f"bot message #{message['message_id']} has no button with callback_data"
                    f" {callback_data!r}; its buttons: {datas}"
                )
        query = self.fake._new_callback_query(self.user_id, self.chat_id, callback_data)
        self._last_query = query
        payload = {
            "id": query.query_id,
            "from": self.user,
            "message": message,
            "chat_instance": str(-(7_000_000_000_000_000_000 + self.chat_id)),
            "data": callback_data,
        }
        return self._update("callback_query", payload)

    def my_chat_member_update(self, old_status: str, new_status: str) -> JSONDict:
        """A my_chat_member update for this private chat (e.g. member -> kicked)."""
        bot = self.fake.bot_user
        new_member: JSONDict = {"user": bot, "status": new_status}
        if new_status == "kicked":
            new_member["until_date"] = 0
        old_member: JSONDict = {"user": bot, "status": old_status}
        if old_status == "kicked":
            old_member["until_date"] = 0
        payload = {
            "chat": self.chat,
            "from": self.user,
            "date": int(time.time()),
            "old_chat_member": old_member,
            "new_chat_member": new_member,
        }
        return self._update("my_chat_member", payload)

    # ---- sending (queue for getUpdates) -----------------------------------------------
    def send_text(self, text: str) -> int:
        """Queue a text message; returns its update_id."""
        return self.fake.push_update(self.text_update(text))

    def send_contact(self, phone_number: str, own: bool = True) -> int:
        """Queue a contact message; returns its update_id."""
        return self.fake.push_update(self.contact_update(phone_number, own))

    def send_sticker(self) -> int:
        """Queue a sticker message; returns its update_id."""
        return self.fake.push_update(self.sticker_update())

    def send_photo(self, caption: str | None = None) -> int:
        """Queue a photo message; returns its update_id."""
        return self.fake.push_update(self.photo_update(caption))

    def send_voice(self, duration: int = 3) -> int:
        """Queue a voice message; returns its update_id."""
        return self.fake.push_update(self.voice_update(duration))

    def send_location(self, latitude: float, longitude: float) -> int:
        """Queue a location message; returns its update_id."""
        return self.fake.push_update(self.location_update(latitude, longitude))

    def send_document(
        self,
        file_name: str = "surat.pdf",
        mime_type: str = "application/pdf",
        content: bytes = b"%PDF-1.4 fake\n",
        caption: str | None = None,
    ) -> int:
        """Queue a document message; returns its update_id."""
        return self.fake.push_update(self.document_update(file_name, mime_type, content, caption))

    def press(
        self, callback_data: str, message_id: int | None = None, *, strict: bool = True
    ) -> int:
        """Queue a callback_query (see ``callback_update``); returns its update_id."""
        return self.fake.push_update(self.callback_update(callback_data, message_id, strict=strict))

    def block_bot(self) -> int:
        """Block the bot: queue my_chat_member member -> kicked and mark the chat blocked."""
        self.fake.block(self.chat_id)
        return self.fake.push_update(self.my_chat_member_update("member", "kicked"))

    def unblock_bot(self) -> int:
        """Unblock the bot: queue my_chat_member kicked -> member and unblock the chat."""
        self.fake.unblock(self.chat_id)
        return self.fake.push_update(self.my_chat_member_update("kicked", "member"))

    # ---- inspecting what the bot did --------------------------------------------------
    @property
    def inbox(self) -> list[JSONDict]:
        """All bot messages to this chat (sends and edits, with "method"), in order."""
        return self._state.inbox

    @property
    def blocked(self) -> bool:
        """Whether this user has blocked the bot."""
        return self._state.blocked

    @property
    def pending(self) -> list[JSONDict]:
        """Bot messages not yet consumed by ``next_message``."""
        return self._state.inbox[self._cursor :]

    async def next_message(self, timeout: float = 5) -> JSONDict:
        """The next bot message to this chat not yet consumed; waits up to ``timeout`` s."""
        state = self._state
        deadline = asyncio.get_running_loop().time() + timeout
        while self._cursor >= len(state.inbox):
            state.event.clear()
            if not await _wait_event(state.event, deadline) and self._cursor >= len(state.inbox):
                raise NoMessageError(self._nothing_arrived(timeout))
        record = state.inbox[self._cursor]
        self._cursor += 1
        return record

    def _nothing_arrived(self, timeout: float) -> str:
        lines = [
            f"no new bot message for user {self.user_id} within {timeout}s"
            f" ({self._cursor} already consumed).",
            "Bot messages to this chat:"
            if self._state.inbox
            else "The bot sent nothing to this chat.",
        ]
        lines += [f"  {_summary(r)}" for r in self._state.inbox]
        errors = [e for e in self.fake.errors if e[1].get("chat_id") == self.chat_id]
        if errors:
            lines.append("Failed calls for this chat:")
            lines += [f"  {m} -> {code} {desc}" for m, _p, code, desc in errors[-10:]]
        recent = self.fake.calls[-10:]
        if recent:
            lines.append("Last API calls:")
            for method, params in recent:
                short = {k: (v[:60] if isinstance(v, str) else v) for k, v in params.items()}
                lines.append(f"  {method} {short}")
        if self.fake.internal_errors:
            lines.append(f"Bugs inside the fake server: {self.fake.internal_errors!r}")
        return "\n".join(lines)

    def buttons_on(self, message_id: int) -> list[list[JSONDict]] | None:
        """The inline keyboard under a bot message as the person sees it now (None: no buttons)."""
        message = self._state.messages.get(message_id)
        if message is None or message["from"].get("id") != self.fake.bot_id:
            raise AssertionError(f"no bot message #{message_id} in chat {self.chat_id}")
        markup = message.get("reply_markup")
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        return cast("list[list[JSONDict]] | None", rows or None)

    def last_keyboard(self) -> list[list[JSONDict]] | None:
        """Inline keyboard (or reply keyboard) of the last bot message, if any."""
        if not self._state.inbox:
            return None
        markup = self._state.inbox[-1].get("reply_markup")
        if not isinstance(markup, dict):
            return None
        rows = markup.get("inline_keyboard", markup.get("keyboard"))
        return cast("list[list[JSONDict]] | None", rows)

    def reply_keyboard(self) -> list[list[JSONDict]] | None:
        """The reply keyboard currently shown to the user (None after remove_keyboard)."""
        for record in reversed(self._state.inbox):
            markup = record.get("reply_markup")
            if record.get("method") != "sendMessage" or not isinstance(markup, dict):
                continue
            if "keyboard" in markup:
                return cast("list[list[JSONDict]]", markup["keyboard"])
            if markup.get("remove_keyboard"):
                return None
        return None

    async def answered_callback(self, timeout: float = 5) -> JSONDict:
        """The answerCallbackQuery params for this user's latest callback query."""
        query = self._last_query
        if query is None:
            raise AssertionError(f"user {self.user_id} never pressed a button")
        deadline = asyncio.get_running_loop().time() + timeout
        if not query.done and not await _wait_event(query.event, deadline):
            raise NoMessageError(
                f"callback query {query.query_id} ({query.data!r}) of user {self.user_id}"
                f" was not answered within {timeout}s"
            )
        assert query.answer is not None
        return query.answer


# --------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------
Handler = Callable[[JSONDict], Any]


class FakeTelegramAPI:
    """A fake Telegram Bot API server on 127.0.0.1 for real python-telegram-bot clients."""

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
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, FakeUser] = {}
        self._updates: deque[JSONDict] = deque()
        self._update_ids = itertools.count(700_000_001)
        self._last_update_id = 700_000_000
        self._allowed_updates: frozenset[str] | None = None
        self._poll_waiter: asyncio.Future[str] | None = None
        self._queries: dict[str, _CallbackQuery] = {}
        self._query_ids = itertools.count(1)
        self._files: dict[str, tuple[str, bytes]] = {}
        self._file_paths: dict[str, bytes] = {}
        self._file_ids = itertools.count(1)
        self._injections: dict[tuple[str, int | None], deque[_Injection]] = {}
        self._call_waits: dict[str, _Waitable] = {}
        self._overall_bucket = _Bucket(overall_per_second, self._overall_burst)
        self._chat_buckets: dict[int, _Bucket] = {}

        self._handlers: dict[str, Handler] = {
            "getme": self._get_me,
            "logout": self._true,
            "close": self._true,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "deletemessage": self._delete_message,
            "sendchataction": self._send_chat_action,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setmydescription": self._true,
            "setmyshortdescription": self._true,
            "setmyname": self._true,
            "setchatmenubutton": self._true,
            "getchat": self._get_chat,
            "getfile": self._get_file,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
        }
        self._async_handlers: dict[str, Callable[[JSONDict], Any]] = {
            "getupdates": self._get_updates,
        }
        self._server: uvicorn.Server | None = None
        self._server_task: asyncio.Task[None] | None = None
        self._http: httpx.AsyncClient | None = None
        self._raw_server: asyncio.Server | None = None
        self._connections: set[_RawHTTPProtocol] = set()

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
                lambda: _RawHTTPProtocol(self), sock=sock, backlog=4096
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
        """Stop the server."""
        await self.stop()

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
        if self._type_allowed(_update_type(update)):
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
            _Injection(error_code, description, retry_after, times)
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
        waitable = self._call_waits.setdefault(name, _Waitable())
        deadline = asyncio.get_running_loop().time() + timeout
        while waitable.cursor >= len(waitable.items):
            waitable.event.clear()
            if not await _wait_event(waitable.event, deadline) and waitable.cursor >= len(
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
        response = await self._http.post(url, content=_dumps(update), headers=headers)
        return response.status_code

    # ---- internals: ids and chats ------------------------------------------------------
    def _new_update_id(self) -> int:
        update_id = next(self._update_ids)
        self._last_update_id = max(self._last_update_id, update_id)
        return update_id

    def _chat_state(self, chat_id: int, chat: JSONDict, user: JSONDict) -> _Chat:
        state = self._chats.get(chat_id)
        if state is None:
            state = _Chat(chat=chat, user=user)
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

    def _new_callback_query(self, user_id: int, chat_id: int | None, data: str) -> _CallbackQuery:
        query_id = str(4_382_000_000_000_000_000 + next(self._query_ids) * 1_000 + user_id % 1_000)
        query = _CallbackQuery(query_id, user_id, chat_id, data)
        self._queries[query_id] = query
        return query

    def _type_allowed(self, kind: str) -> bool:
        if self._allowed_updates is None:
            return kind not in _NOT_DEFAULT_UPDATES
        return kind in self._allowed_updates

    def _set_allowed(self, allowed: Any) -> None:
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise TelegramAPIError(400, "Bad Request: can't parse allowed updates JSON object")
        self._allowed_updates = frozenset(allowed) if allowed else None
        if any(not self._type_allowed(_update_type(u)) for u in self._updates):
            self._updates = deque(u for u in self._updates if self._type_allowed(_update_type(u)))

    def _chat(self, chat_id: Any) -> _Chat:
        if chat_id is None or chat_id == "":
            raise TelegramAPIError(400, E_CHAT_ID_EMPTY)
        state = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if state is None or not state.known:
            raise TelegramAPIError(400, E_CHAT_NOT_FOUND)
        return state

    def _check_flood(self, chat_id: int) -> None:
        if not self.flood_limits:
            return
        now = time.monotonic()
        bucket = self._chat_buckets.get(chat_id)
        if bucket is None:
            bucket = self._chat_buckets[chat_id] = _Bucket(
                self.per_chat_per_second, self._chat_burst
            )
        wait = max(bucket.wait_time(now), self._overall_bucket.wait_time(now))
        if wait > 0:
            self.flood_rejections += 1
            retry_after = max(1, math.ceil(wait))
            raise TelegramAPIError(429, E_TOO_MANY.format(retry_after), retry_after)
        bucket.take()
        self._overall_bucket.take()

    def _deliver(self, state: _Chat, record: JSONDict) -> None:
        self.sent.append(record)
        state.inbox.append(record)
        state.event.set()

    # ---- text and markup validation ----------------------------------------------------
    def _formatted(
        self, text: Any, parse_mode: Any, entities: Any, limit: int, *, caption: bool
    ) -> tuple[str, list[JSONDict]]:
        if text is None:
            text = ""
        if not isinstance(text, str):
            text = str(text)
        parsed_entities: list[JSONDict] = []
        if parse_mode and str(parse_mode).lower() == "html":
            try:
                text, parsed_entities = parse_html(text, strict=self.strict_html)
            except HTMLParseError as exc:
                raise TelegramAPIError(400, E_PARSE_ENTITIES + str(exc)) from exc
        elif isinstance(entities, list):
            parsed_entities = entities
        text, parsed_entities = _trim(text, parsed_entities)
        if not text and not caption:
            raise TelegramAPIError(400, E_TEXT_EMPTY)
        if len(text) > limit:
            raise TelegramAPIError(400, E_CAPTION_TOO_LONG if caption else E_TEXT_TOO_LONG)
        return text, parsed_entities

    @staticmethod
    def _check_markup(markup: Any, *, inline_only: bool = False) -> JSONDict | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise TelegramAPIError(
                400, "Bad Request: can't parse reply keyboard markup JSON object"
            )
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise TelegramAPIError(
                    400, 'Bad Request: field "inline_keyboard" must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise TelegramAPIError(
                            400,
                            "Bad Request: can't parse inline keyboard button: Text must be a String",
                        )
                    data = button.get("callback_data")
                    if data is not None:
                        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                            raise TelegramAPIError(400, E_BUTTON_DATA)
                    elif len(button) == 1:
                        raise TelegramAPIError(
                            400, "Bad Request: text buttons are unallowed in the inline keyboard"
                        )
            return markup
        if inline_only:
            raise TelegramAPIError(400, "Bad Request: inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise TelegramAPIError(
                    400, 'Bad Request: field "keyboard" must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    if isinstance(button, dict):
                        if not isinstance(button.get("text"), str) or not button["text"]:
                            raise TelegramAPIError(
                                400, "Bad Request: keyboard button text must be non-empty"
                            )
                    elif not isinstance(button, str):
                        raise TelegramAPIError(400, "Bad Request: can't parse keyboard button")
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise TelegramAPIError(400, "Bad Request: can't parse reply keyboard markup JSON object")

    # ---- method handlers --------------------------------------------------------------
    def _true(self, params: JSONDict) -> bool:
        return True

    def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_chat(self, params: JSONDict) -> JSONDict:
        state = self._chat(params.get("chat_id"))
        return {**state.chat, "accent_color_id": 0, "max_reaction_count": 11}

    def _reply_target(self, state: _Chat, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        target: Any = None
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            target = reply.get("message_id")
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            target = params.get("reply_to_message_id")
        if target is None:
            return None
        message = state.messages.get(target) if isinstance(target, int) else None
        if message is None:
            if allow_missing:
                return None
            raise TelegramAPIError(400, E_REPLY_NOT_FOUND)
        return {k: v for k, v in message.items() if k != "reply_to_message"}

    def _new_bot_message(self, state: _Chat, params: JSONDict, **content: Any) -> JSONDict:
        message: JSONDict = {
            "message_id": state.new_message_id(),
            "from": self.bot_user,
            "chat": state.chat,
            "date": int(time.time()),
        }
        reply_to = self._reply_target(state, params)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        state.messages[message["message_id"]] = message
        return message

    @staticmethod
    def _record(message: JSONDict, method: str, params: JSONDict, raw_key: str) -> JSONDict:
        record = {**message, "method": method, "parse_mode": params.get("parse_mode")}
        raw = params.get(raw_key)
        record["raw_" + raw_key] = raw if isinstance(raw, str) else message.get(raw_key)
        if params.get("reply_markup") is not None:
            record["reply_markup"] = params["reply_markup"]
        return record

    def _send_message(self, params: JSONDict) -> JSONDict:
        state = self._chat(params.get("chat_id"))
        text, entities = self._formatted(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            _TEXT_LIMIT,
            caption=False,
        )
        markup = self._check_markup(params.get("reply_markup"))
        if state.blocked:
            raise TelegramAPIError(403, E_BLOCKED)
        self._check_flood(state.chat["id"])
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        if markup is not None and "inline_keyboard" in markup:
            content["reply_markup"] = markup
        message = self._new_bot_message(state, params, **content)
        self._deliver(state, self._record(message, "sendMessage", params, "text"))
        return message

    def _editable(self, params: JSONDict) -> tuple[_Chat, JSONDict]:
        if params.get("inline_message_id") is not None:
            raise TelegramAPIError(400, "Bad Request: MESSAGE_ID_INVALID")
        state = self._chat(params.get("chat_id"))
        message_id = params.get("message_id")
        message = state.messages.get(message_id) if isinstance(message_id, int) else None
        if message is None:
            raise TelegramAPIError(400, E_EDIT_NOT_FOUND)
        if message["from"].get("id") != self.bot_id:
            raise TelegramAPIError(400, E_CANT_EDIT)
        return state, message

    def _apply_edit(
        self,
        state: _Chat,
        message: JSONDict,
        content: JSONDict,
        method: str,
        params: JSONDict,
        raw_key: str,
    ) -> JSONDict:
        if all(message.get(k) == v for k, v in content.items()):
            raise TelegramAPIError(400, E_NOT_MODIFIED)
        if state.blocked:
            raise TelegramAPIError(403, E_BLOCKED)
        self._check_flood(state.chat["id"])
        edited = {k: v for k, v in message.items() if content.get(k, 0) is not None}
        edited.update({k: v for k, v in content.items() if v is not None})
        edited["edit_date"] = int(time.time())
        state.messages[edited["message_id"]] = edited
        self._deliver(state, self._record(edited, method, params, raw_key))
        return edited

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        state, message = self._editable(params)
        if "text" not in message:
            raise TelegramAPIError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._formatted(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            _TEXT_LIMIT,
            caption=False,
        )
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        content = {"text": text, "entities": entities or None, "reply_markup": markup}
        return self._apply_edit(state, message, content, "editMessageText", params, "text")

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        """New buttons under a message, or none (no markup, or an empty inline keyboard).

        The message changes in place, where the person sees it; as nothing new arrives to read,
        it is not one of the person's next messages (``FakeUser.next_message``): see
        ``FakeUser.buttons_on`` and ``markup_edits``.
        """
        state, message = self._editable(params)
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        if markup is not None and not markup["inline_keyboard"]:
            markup = None  # Telegram shows an empty inline keyboard as no keyboard
        if message.get("reply_markup") == markup:
            raise TelegramAPIError(400, E_NOT_MODIFIED)
        if state.blocked:
            raise TelegramAPIError(403, E_BLOCKED)
        self._check_flood(state.chat["id"])
        edited = {k: v for k, v in message.items() if k != "reply_markup"}
        if markup is not None:
            edited["reply_markup"] = markup
        edited["edit_date"] = int(time.time())
        state.messages[edited["message_id"]] = edited
        self.markup_edits.append({**edited, "method": "editMessageReplyMarkup"})
        return edited

    def _delete_message(self, params: JSONDict) -> bool:
        state = self._chat(params.get("chat_id"))
        message_id = params.get("message_id")
        if not isinstance(message_id, int) or state.messages.pop(message_id, None) is None:
            raise TelegramAPIError(400, E_DELETE_NOT_FOUND)
        return True

    def _send_chat_action(self, params: JSONDict) -> bool:
        state = self._chat(params.get("chat_id"))
        if not params.get("action"):
            raise TelegramAPIError(400, "Bad Request: action is empty")
        if state.blocked:
            raise TelegramAPIError(403, E_BLOCKED)
        return True

    def _input_file(self, value: Any) -> tuple[str, str, bytes, str]:
        """Resolve a file param: (file_id, file_unique_id, content, file name)."""
        if isinstance(value, _Upload):
            file_id, unique = self._new_file(value.data, f"documents/{value.filename or 'file'}")
            return file_id, unique, value.data, value.filename
        if isinstance(value, str) and value.startswith("attach://"):
            raise TelegramAPIError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if isinstance(value, str) and value in self._files:
            path, content = self._files[value]
            return value, "AgAD" + value[-8:], content, path.rsplit("/", 1)[-1]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            name = value.rsplit("/", 1)[-1] or "file"
            file_id, unique = self._new_file(b"", f"documents/{name}")
            return file_id, unique, b"", name
        raise TelegramAPIError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _send_media(self, params: JSONDict, kind: str, method: str) -> JSONDict:
        state = self._chat(params.get("chat_id"))
        caption, entities = self._formatted(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            _CAPTION_LIMIT,
            caption=True,
        )
        markup = self._check_markup(params.get("reply_markup"))
        if params.get(kind) is None:
            raise TelegramAPIError(400, f"Bad Request: there is no {kind} in the request")
        file_id, unique, content, name = self._input_file(params.get(kind))
        if state.blocked:
            raise TelegramAPIError(403, E_BLOCKED)
        self._check_flood(state.chat["id"])
        media: Any
        if kind == "photo":
            media = [
                {
                    "file_id": file_id,
                    "file_unique_id": unique,
                    "file_size": len(content),
                    "width": 800,
                    "height": 600,
                }
            ]
        else:
            media = {
                "file_id": file_id,
                "file_unique_id": unique,
                "file_name": name,
                "file_size": len(content),
            }
        body: JSONDict = {kind: media}
        if caption:
            body["caption"] = caption
        if entities:
            body["caption_entities"] = entities
        if markup is not None and "inline_keyboard" in markup:
            body["reply_markup"] = markup
        message = self._new_bot_message(state, params, **body)
        self._deliver(state, self._record(message, method, params, "caption"))
        return message

    def _send_document(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "document", "sendDocument")

    def _send_photo(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "photo", "sendPhoto")

    def _get_file(self, params: JSONDict) -> JSONDict:
        file_id = params.get("file_id")
        if not isinstance(file_id, str) or file_id not in self._files:
            raise TelegramAPIError(400, "Bad Request: invalid file_id")
        path, content = self._files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": "AgAD" + file_id[-8:],
            "file_size": len(content),
            "file_path": path,
        }

    def _answer_callback_query(self, params: JSONDict) -> bool:
        query = self._queries.get(str(params.get("callback_query_id", "")))
        if query is None or query.done:
            raise TelegramAPIError(400, E_QUERY_INVALID)
        text = params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise TelegramAPIError(400, "Bad Request: MESSAGE_TOO_LONG")
        query.answer = params
        query.done = True
        query.event.set()
        return True

    @staticmethod
    def _scope_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope")
        if not isinstance(scope, dict) or scope.get("type", "default") == "default":
            scope_key = "default"
        else:
            scope_key = json.dumps(scope, sort_keys=True)
        language = params.get("language_code") or ""
        return scope_key, str(language)

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise TelegramAPIError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise TelegramAPIError(400, "Bad Request: too many commands specified")
        for item in commands:
            if not isinstance(item, dict) or not _COMMAND_NAME_RE.match(
                str(item.get("command", ""))
            ):
                raise TelegramAPIError(400, "Bad Request: BOT_COMMAND_INVALID")
            description = item.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise TelegramAPIError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._scope_key(params)
        self.scoped_commands[key] = commands
        if key[0] == "default":
            self.commands[key[1]] = commands
        return True

    def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return self.scoped_commands.get(self._scope_key(params), [])

    def _delete_my_commands(self, params: JSONDict) -> bool:
        key = self._scope_key(params)
        self.scoped_commands.pop(key, None)
        if key[0] == "default":
            self.commands.pop(key[1], None)
        return True

    def _set_webhook(self, params: JSONDict) -> bool:
        url = params.get("url") or ""
        if not url:
            return self._delete_webhook(params)
        if not isinstance(url, str) or not url.lower().startswith("https://"):
            raise TelegramAPIError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.match(str(secret)):
            raise TelegramAPIError(400, "Bad Request: secret token contains unallowed characters")
        self._set_allowed(params.get("allowed_updates"))
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": params.get("allowed_updates"),
            "max_connections": params.get("max_connections", 40),
        }
        waiter = self._poll_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result("webhook")
        return True

    def _delete_webhook(self, params: JSONDict) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            info["ip_address"] = "127.0.0.1"
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    def _collect(self, limit: int) -> list[JSONDict]:
        updates = list(itertools.islice(self._updates, limit))
        for update in updates:
            self.served[update["update_id"]] += 1
        return updates

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook is not None:
            raise TelegramAPIError(409, E_WEBHOOK_ACTIVE)
        previous = self._poll_waiter
        if previous is not None and not previous.done():
            previous.set_result("terminated")
        self._poll_waiter = None
        offset = params.get("offset")
        if isinstance(offset, int) and offset:
            queue = self._updates
            if offset > 0:
                while queue and queue[0]["update_id"] < offset:
                    queue.popleft()
            else:
                while len(queue) > -offset:
                    queue.popleft()
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) and limit > 0 else 100
        self._set_allowed(params.get("allowed_updates"))
        result = self._collect(limit)
        timeout = params.get("timeout")
        timeout = float(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else 0.0
        if result or timeout <= 0:
            return result
        waiter: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._poll_waiter = waiter
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            return []
        finally:
            if self._poll_waiter is waiter:
                self._poll_waiter = None
        reason = waiter.result()
        if reason == "terminated":
            raise TelegramAPIError(409, E_POLL_TERMINATED)
        if reason == "webhook":
            raise TelegramAPIError(409, E_WEBHOOK_ACTIVE)
        return self._collect(limit)

    # ---- dispatch -----------------------------------------------------------------------
    def _log_call(self, name: str, params: JSONDict) -> None:
        self.calls.append((name, params))
        waitable = self._call_waits.get(name)
        if waitable is None:
            waitable = self._call_waits[name] = _Waitable()
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
            if _TOKEN_RE.match(token):
                return 401, _dumps({"ok": False, "error_code": 401, "description": E_UNAUTHORIZED})
            return 404, _dumps({"ok": False, "error_code": 404, "description": E_NOT_FOUND})
        name = method.lower()
        params: JSONDict = {}
        try:
            for key, value in raw_params:
                params[key] = _coerce(key, value)
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
        return 200, _dumps({"ok": True, "result": result})

    def _error(self, name: str, params: JSONDict, exc: TelegramAPIError) -> tuple[int, bytes]:
        self.errors.append((name, params, exc.error_code, exc.description))
        return exc.error_code, _dumps(exc.envelope())

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
                pairs.extend(_parse_multipart(body, content_type).items())
            else:
                pairs.extend(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return pairs

    async def handle_http(
        self, verb: str, path: str, query: bytes, content_type: str, body: bytes
    ) -> tuple[int, bytes, str]:
        """Serve one HTTP request (decoded path): (status, body, content type)."""
        try:
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
                        return 400, _dumps(envelope), "application/json"
                    status, payload = await self.call(token, method, pairs)
                    return status, payload, "application/json"
            elif path.startswith("/file/bot") and verb in ("GET", "HEAD"):
                token, _, file_path = path[9:].partition("/")
                content = self._file_paths.get(file_path)
                if token == self.token and content is not None:
                    return 200, content, "application/octet-stream"
        except Exception as exc:  # a bug in the fake: answer 500 and keep it for the test
            self.internal_errors.append(exc)
            envelope = {
                "ok": False,
                "error_code": 500,
                "description": f"Internal Server Error: {exc!r}",
            }
            return 500, _dumps(envelope), "application/json"
        return 404, _NOT_FOUND_BODY, "application/json"

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


_NOT_FOUND_BODY = _dumps({"ok": False, "error_code": 404, "description": E_NOT_FOUND})
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Payload Too Large",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_MAX_HEAD = 64 * 1024


class _RawHTTPProtocol(asyncio.Protocol):
    """A small HTTP/1.1 server connection: keep-alive, pipelining, Content-Length and chunked bodies."""

    def __init__(self, fake: FakeTelegramAPI) -> None:
        self.fake = fake
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.queue: deque[tuple[str, str, dict[str, str], bytes, bool]] = deque()
        self.task: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        self.fake._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.fake._connections.discard(self)
        if self.task is not None:
            self.task.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            try:
                request = self._parse()
            except ValueError:
                self._reply_and_close(400, b"malformed HTTP request")
                return
            if request is None:
                break
            self.queue.append(request)
        if self.queue and self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._serve())

    def _parse(self) -> tuple[str, str, dict[str, str], bytes, bool] | None:
        buffer = self.buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > _MAX_HEAD:
                raise ValueError("head too large")
            return None
        lines = bytes(buffer[:end]).decode("latin-1").split("\r\n")
        verb, target, version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        start = end + 4
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = bytearray()
            pos = start
            while True:
                line_end = buffer.find(b"\r\n", pos)
                if line_end < 0:
                    return None
                size = int(bytes(buffer[pos:line_end]).split(b";", 1)[0], 16)
                pos = line_end + 2
                if size == 0:
                    trailer_end = buffer.find(b"\r\n\r\n", pos - 2)
                    if trailer_end < 0:
                        return None
                    consumed = trailer_end + 4
                    break
                if len(buffer) < pos + size + 2:
                    return None
                body += buffer[pos : pos + size]
                pos += size + 2
            payload = bytes(body)
        else:
            length = int(headers.get("content-length", "0") or 0)
            if len(buffer) < start + length:
                return None
            payload = bytes(buffer[start : start + length])
            consumed = start + length
        del buffer[:consumed]
        connection = headers.get("connection", "").lower()
        keep_alive = connection != "close" and (version != "HTTP/1.0" or connection == "keep-alive")
        return verb, target, headers, payload, keep_alive

    async def _serve(self) -> None:
        try:
            while self.queue:
                verb, target, headers, body, keep_alive = self.queue.popleft()
                path, _, query = target.partition("?")
                status, payload, content_type = await self.fake.handle_http(
                    verb,
                    unquote(path),
                    query.encode("latin-1"),
                    headers.get("content-type", ""),
                    body,
                )
                transport = self.transport
                if transport is None or transport.is_closing():
                    return
                head = (
                    f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
                    f"Content-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n"
                )
                if not keep_alive:
                    head += "Connection: close\r\n"
                transport.write(
                    b"".join((head.encode("latin-1"), b"\r\n", b"" if verb == "HEAD" else payload))
                )
                if not keep_alive:
                    transport.close()
                    return
        finally:
            self.task = None

    def _reply_and_close(self, status: int, message: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(
                f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Length: {len(message)}"
                f"\r\nConnection: close\r\n\r\n".encode("latin-1")
                + message
            )
            self.transport.close()
