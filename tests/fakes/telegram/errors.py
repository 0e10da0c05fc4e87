"""Errors as the Bot API words them, and the wait that ran out."""

from __future__ import annotations

from typing import Any

JSONDict = dict[str, Any]


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
