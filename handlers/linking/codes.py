"""The 6-digit codes that prove a person owns the chat they signed up with: made with `secrets`,
kept only as a salted hash with its expiry and tries left, in the new chat's conversation."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from handlers.flow import Turn

CODE_TTL = timedelta(minutes=10)
TRIES = 5
WAIT_AFTER_TRIES = timedelta(hours=1)  # all tries used: no new code for this long
CODE = "link"  # the conversation data key holding the code's hash
WAIT = "link_wait"  # until when no new code is made for this chat (kept when a flow ends)


class Check(StrEnum):
    RIGHT = "right"
    WRONG = "wrong"  # tries are left
    USED_UP = "used_up"  # wrong, and it was the last try
    EXPIRED = "expired"  # too late, or no code at all


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def remember_code(turn: Turn, code: str, participant_id: int | None) -> None:
    """Keep the code's hash for this chat; `participant_id` None: a decoy nobody was sent, so a
    number that is not registered gets the very same answers as one that is."""
    salt = secrets.token_hex(8)
    turn.remember(
        **{
            CODE: {
                "salt": salt,
                "hash": _digest(salt, code),
                "until": (turn.now + CODE_TTL).isoformat(),
                "tries": TRIES,
                "pid": participant_id,
            }
        }
    )


def check_code(turn: Turn, typed: str) -> tuple[Check, int, int | None]:
    """How the typed code compares: (result, tries left, the participant it links to).
    A right code is used up at once; a wrong one costs a try."""
    stored = turn.data.get(CODE)
    if not isinstance(stored, dict) or datetime.fromisoformat(stored["until"]) < turn.now:
        turn.forget(CODE)
        return Check.EXPIRED, 0, None
    pid = stored.get("pid")
    if pid is not None and hmac.compare_digest(stored["hash"], _digest(stored["salt"], typed)):
        turn.forget(CODE)
        return Check.RIGHT, 0, int(pid)
    left = int(stored["tries"]) - 1
    if left <= 0:
        turn.forget(CODE)
        turn.remember(**{WAIT: (turn.now + WAIT_AFTER_TRIES).isoformat()})
        return Check.USED_UP, 0, None
    turn.remember(**{CODE: {**stored, "tries": left}})
    return Check.WRONG, left, None


def waiting(turn: Turn) -> bool:
    """All tries of an earlier code were used up not long ago."""
    until = turn.data.get(WAIT)
    return isinstance(until, str) and datetime.fromisoformat(until) > turn.now
