"""Meta's error envelope as the fake answers it (Cloud API "Error codes" page)."""

from __future__ import annotations

import itertools
from typing import Any

_traces = itertools.count(1)

TITLES = {
    4: "Application request limit reached",
    100: "Invalid parameter",
    131008: "Required parameter is missing",
    131009: "Parameter value is not valid",
    130429: "Rate limit hit",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    131000: "Something went wrong",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    190: "Error validating access token",
}
DETAILS = {
    130429: "Cloud API message throughput has been reached.",
    131047: "Message failed to send because more than 24 hours have passed since the customer "
    "last replied to this number.",
    131056: "Too many messages sent from the sender phone number to the same recipient phone "
    "number in a short period of time.",
    131026: "Message failed to send because the recipient cannot receive it.",
}


class GraphAPIError(Exception):
    """An error the fake answers with: Meta's code, HTTP status and details."""

    def __init__(self, code: int, details: str = "", status: int = 400) -> None:
        super().__init__(f"{code} {details}")
        self.code = code
        self.details = details or DETAILS.get(code, "")
        self.status = status

    @property
    def title(self) -> str:
        return TITLES.get(self.code, "Error")

    def envelope(self) -> dict[str, Any]:
        """Meta's `{"error": {...}}` answer."""
        return {
            "error": {
                "message": f"(#{self.code}) {self.title}",
                "type": "OAuthException",
                "code": self.code,
                "error_data": {"messaging_product": "whatsapp", "details": self.details},
                "fbtrace_id": f"AFake{next(_traces):08d}",
            }
        }

    def status_error(self) -> dict[str, Any]:
        """The same error as an item of a `failed` status's `errors` list."""
        return {
            "code": self.code,
            "title": self.title,
            "message": self.title,
            "error_data": {"details": self.details},
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        }
