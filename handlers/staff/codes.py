"""One-time codes: for staff invites, pre-release enrolment and re-linking a new phone.

A code is random (`secrets`), shown once, stored only as its SHA-256, works once and expires.
It arrives as `/start <code>` (a Telegram deep link) or typed or pre-filled in a WhatsApp
message (a click-to-chat link); `claim()` finds its invite and hands it to the feature that
registered the invite's kind (`on_claim`), which then owns the conversation.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime

from handlers.flow import Turn
from storage.models import Invite
from storage.staff.invites import usable_invite

PREFIX = "K"  # codes look like K7QX2M9PD4: one letter, then 9 of an alphabet without 0/O, 1/I/L
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 9
_CODE = re.compile(rf"\b{PREFIX}[{ALPHABET}]{{{LENGTH}}}\b", re.IGNORECASE)

Claim = Callable[[Turn, Invite], Awaitable[None]]
_CLAIMS: dict[str, Claim] = {}


def new_code() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def code_in(text: str) -> str | None:
    """A code inside a message ("KODE K7QX2M9PD4", a pasted link's text), if there is one."""
    found = _CODE.search(text or "")
    return found.group(0).upper() if found else None


def on_claim(kind: str, claim: Claim) -> None:
    """What happens when a chat uses a code of `kind` (called once per kind, by its feature)."""
    existing = _CLAIMS.get(kind)
    if existing is not None and existing is not claim:
        raise ValueError(f"invite kind {kind!r} is claimed twice")
    _CLAIMS[kind] = claim


async def claim(turn: Turn, code: str, now: datetime) -> bool:
    """Use `code` from this chat; False when it is unknown, used, revoked or expired (the caller
    answers that the same way whichever it was)."""
    invite = await usable_invite(turn.tx, code_hash(code), now)
    if invite is None:
        return False
    handler = _CLAIMS.get(invite.kind)
    if handler is None:
        return False
    await handler(turn, invite)
    return True
