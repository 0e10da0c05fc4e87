"""Files people send: the bytes behind an `Attachment`, fetched from the platform when a handler
asks for them (a session spreadsheet now; voice notes and photos kept later).

The channel gives the engine a `Fetch` (bot/channels/*: Telegram's getFile, WhatsApp's media
URL); handlers call `fetch_file`, never the channel. Bytes are never logged.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum

from handlers.i18n import _
from handlers.types import Attachment

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024  # 5 MB: a spreadsheet of sessions is a few kilobytes


class Unfetched(StrEnum):
    TOO_LARGE = "too_large"  # bigger than the handler's limit (said before or found while reading)
    GONE = "gone"  # the platform no longer has it (expired, or never was)
    FAILED = "failed"  # the platform or the network failed: sending it again may work
    NO_CHANNEL = "no_channel"  # this channel cannot fetch files (the terminal)


class FileNotFetched(Exception):
    """A channel could not bring a file's bytes; `reason` says why (never the file's name)."""

    def __init__(self, reason: Unfetched) -> None:
        super().__init__(str(reason))
        self.reason = reason


# The channel's download: the attachment's bytes, at most `limit` of them (more raises
# FileNotFetched(TOO_LARGE) without reading the rest).
Fetch = Callable[[Attachment, int], Awaitable[bytes]]


async def fetch_file(
    fetch: Fetch | None, attachment: Attachment, limit: int = MAX_FILE_BYTES
) -> bytes | Unfetched:
    """The file's bytes, or why there are none (`unfetched_text` says it to the person)."""
    if attachment.size is not None and attachment.size > limit:
        return Unfetched.TOO_LARGE
    if fetch is None:
        return Unfetched.NO_CHANNEL
    try:
        content = await fetch(attachment, limit)
    except FileNotFetched as error:
        log.info("file not fetched: %s", error.reason)
        return error.reason
    if len(content) > limit:
        return Unfetched.TOO_LARGE
    return content


def unfetched_text(reason: Unfetched, limit: int = MAX_FILE_BYTES) -> str:
    if reason == Unfetched.TOO_LARGE:
        return _("That file is too large: at most {size} MB, please.").format(
            size=limit // (1024 * 1024)
        )
    if reason == Unfetched.NO_CHANNEL:
        return _("Files cannot be received in this chat.")
    if reason == Unfetched.GONE:
        return _("That file is no longer available. Please send it again.")
    return _("I could not open that file just now. Please send it again in a moment.")
