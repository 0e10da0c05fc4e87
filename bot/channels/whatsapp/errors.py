"""What to do about each Graph API error code: retry later, give up, or stop writing to the person.

Codes and meanings from Meta's "Error codes" page for the Cloud API; an unlisted code is given up
on (and logged with its code), never retried forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    RETRY = "retry"  # a passing problem on Meta's side: try again after a short wait
    THROTTLED = "throttled"  # too fast (the number's throughput or one person's pair rate)
    WINDOW_CLOSED = "window closed"  # more than 24 hours since the person wrote: send a template
    UNREACHABLE = "unreachable"  # the message cannot reach this person: mark the address
    GIVE_UP = "give up"  # our request or our account is wrong: retrying will not help


THROUGHPUT = 130429  # the phone number's messages-per-second limit
PAIR_RATE = 131056  # too many messages to one person in a short time
REENGAGEMENT = 131047  # more than 24 hours since the person's last message
UNDELIVERABLE = 131026  # not on WhatsApp, blocked the business, or an app too old

_OUTCOMES: dict[int, Outcome] = {
    1: Outcome.RETRY,  # API unknown
    2: Outcome.RETRY,  # API service temporarily unavailable
    4: Outcome.THROTTLED,  # app-level call limit
    80007: Outcome.THROTTLED,  # WhatsApp Business Account rate limit
    THROUGHPUT: Outcome.THROTTLED,
    131048: Outcome.THROTTLED,  # spam rate limit
    PAIR_RATE: Outcome.THROTTLED,
    131000: Outcome.RETRY,  # something went wrong
    131016: Outcome.RETRY,  # service unavailable
    131057: Outcome.RETRY,  # business account in maintenance
    133004: Outcome.RETRY,  # server temporarily unavailable
    REENGAGEMENT: Outcome.WINDOW_CLOSED,
    470: Outcome.WINDOW_CLOSED,  # the same, in older API versions
    UNDELIVERABLE: Outcome.UNREACHABLE,
    131021: Outcome.UNREACHABLE,  # the recipient is our own number
}

# Retry-later codes that concern one person only (the rest pause the whole number).
PER_RECIPIENT = frozenset({PAIR_RATE})


@dataclass(frozen=True)
class GraphError:
    """One error from the Graph API, as much of it as may be logged (never the recipient)."""

    code: int
    title: str = ""
    subcode: int | None = None

    @property
    def outcome(self) -> Outcome:
        return _OUTCOMES.get(self.code, Outcome.GIVE_UP)

    def describe(self) -> str:
        """For the message log's error column: the code and Meta's short title."""
        return f"{self.code} {self.title}".strip()[:200]

    @classmethod
    def from_json(cls, error: Any) -> GraphError:
        """From an `error` object of a response, or an item of a status's `errors` list."""
        if not isinstance(error, dict):
            return cls(0, "unreadable error")
        try:
            code = int(error.get("code", 0))
        except (TypeError, ValueError):
            code = 0
        title = str(error.get("title") or error.get("message") or "")[:120]
        subcode = error.get("error_subcode")
        return cls(code, title, subcode if isinstance(subcode, int) else None)


def outcome_of(code: int) -> Outcome:
    return _OUTCOMES.get(code, Outcome.GIVE_UP)
