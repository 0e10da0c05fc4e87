"""A code typed or opened by a chat that is not signed up: tried before sign-up starts.

Whatever is wrong with a code (mistyped, used, revoked, expired) it gets the same kind answer.
At most `TRIES` codes that do not work per chat an hour; after that a calm "try later", without
even looking at the code (counted in the conversation, which keeps it when a flow ends).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from handlers.flow import Turn
from handlers.i18n import _
from handlers.staff.codes import claim
from handlers.staff.discovery import discover

log = logging.getLogger(__name__)

TRIES = 5
WINDOW = timedelta(hours=1)
TRIES_KEY = "code_tries"  # conversation data: when this chat's codes that did not work came


def wrong_code_text() -> str:
    return _(
        "Sorry, this code does not work. It may be mistyped, already used, or no longer valid. "
        "Please check it, or ask the person who gave it to you for a new one."
    )


def try_later_text() -> str:
    return _("That was too many codes that did not work. Please try again in an hour.")


def _recent_tries(turn: Turn) -> list[str]:
    since = turn.now - WINDOW
    stored = turn.data.get(TRIES_KEY)
    if not isinstance(stored, list):
        return []
    return [t for t in stored if isinstance(t, str) and datetime.fromisoformat(t) > since]


def holds_tries(turn: Turn) -> bool:
    """Codes that did not work came from this chat within the hour (so the chat is kept)."""
    return bool(_recent_tries(turn))


async def try_code(turn: Turn, code: str) -> None:
    """Use `code` from this chat: its feature takes over the conversation, or a kind answer."""
    turn.secret = True  # a code is never kept in the message log
    discover()
    recent = _recent_tries(turn)
    if len(recent) >= TRIES:
        log.info("code not tried address=%s: too many this hour", turn.address.id)
        turn.say(try_later_text())
        return
    if await claim(turn, code, turn.now):
        log.info("code claimed address=%s", turn.address.id)
        return
    turn.remember(**{TRIES_KEY: [*recent, turn.now.isoformat()]})
    log.info("code did not work address=%s tries=%d", turn.address.id, len(recent) + 1)
    turn.say(wrong_code_text())
