"""The Bot API's wire format: limits, parameter types, request decoding, JSON out."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.fakes.telegram.errors import TelegramAPIError
from tests.fakes.telegram.records import Upload

JSONDict = dict[str, Any]


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

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
BOT_COMMAND_RE = re.compile(r"(?<![\w/<>])/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/<>])")
COMMAND_NAME_RE = re.compile(r"^[a-z0-9_]{1,32}$")
SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Default allowed_updates of the Bot API: everything except these.
NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

INT_FIELDS = frozenset(
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
FLOAT_FIELDS = frozenset({"timeout", "latitude", "longitude"})
BOOL_FIELDS = frozenset(
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
JSON_FIELDS = frozenset(
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


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def coerce(name: str, value: Any) -> Any:
    """Turn a form/query-string value into what Telegram would understand."""
    if not isinstance(value, str):
        return value
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError as exc:
            if name == "reply_markup":
                raise TelegramAPIError(
                    400, "Bad Request: can't parse reply keyboard markup JSON object"
                ) from exc
            raise TelegramAPIError(400, f"Bad Request: can't parse {name} JSON object") from exc
    if name in INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            return value
    if name in BOOL_FIELDS:
        return value.strip().lower() in ("true", "1")
    return value


def parse_multipart(body: bytes, content_type: str) -> JSONDict:
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
            params[name_m.group(1)] = Upload(
                file_m.group(1), headers.get("content-type", "application/octet-stream"), data
            )
        else:
            params[name_m.group(1)] = data.decode("utf-8", "replace")
    return params


NOT_FOUND_BODY = dumps({"ok": False, "error_code": 404, "description": E_NOT_FOUND})
