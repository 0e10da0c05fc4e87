"""Logging for every process of the bot: one format, and no library that would log personal data."""

from __future__ import annotations

import logging
from typing import Any

HIDDEN = "<hidden>"

# Words in python-telegram-bot's log messages whose arguments are raw payloads or secrets: "Error
# while parsing updates! Received data was %r" (every name, chat id and text in the batch), "Can
# not load invalid JSON data", "Calling Bot API endpoint `%s` with parameters `%s`", "Processing
# update %s", "Set Bot API URL: %s" (holds the token), "Request had the wrong secret token: %s"...
_PAYLOAD_WORDS = ("data", "parameters", "return value", "update", "url", "token", "rate_limit")

_installed = False


def setup_logging(level: str, *, quiet: bool) -> None:
    logging.basicConfig(
        level=logging.WARNING if quiet and level == "INFO" else level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    hide_library_payloads()
    # httpx logs request URLs, and Telegram's URLs contain the bot token; at DEBUG, PTB logs every
    # Bot API call's parameters (message texts, chat ids). Neither belongs in our logs.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)  # paths may hold a secret
    for library in ("telegram", "aiohttp"):
        logging.getLogger(library).setLevel(
            max(logging.getLevelNamesMapping()[level], logging.INFO)
        )


def hide_library_payloads() -> None:
    """From now on, python-telegram-bot's log records carry no payloads, at any level.

    Levels alone do not do it: PTB logs a batch of updates it cannot read at CRITICAL, with the
    whole batch. A record from a `telegram` logger keeps its message; an argument that is an
    object, a collection or bytes, and every argument but a number of a message about data,
    parameters, updates, URLs or tokens, is replaced by "<hidden>". Installed once per process, for every
    handler (a record is changed where it is made).
    """
    global _installed
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    def record_without_payloads(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if record.args and record.name.startswith("telegram"):
            record.args = _hidden_args(str(record.msg), record.args)
        return record

    logging.setLogRecordFactory(record_without_payloads)


def _hidden_args(message: str, args: Any) -> Any:
    if not isinstance(args, tuple):
        return {key: HIDDEN for key in args} if isinstance(args, dict) else (HIDDEN,)
    lowered = message.lower()
    kept: tuple[type, ...] = (int, float, type(None))  # counts and ids ("%d" must still format)
    if not any(word in lowered for word in _PAYLOAD_WORDS):
        kept += (str,)
    return tuple(arg if isinstance(arg, kept) else HIDDEN for arg in args)
