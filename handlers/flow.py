"""What a flow is made of: steps that ask and answer, and the turn they work on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.files import Fetch
from handlers.i18n import current_language
from handlers.reminders.rules import ReminderPolicy
from handlers.types import Button, Incoming, Kind, Reply
from storage.conversations import ConversationState
from storage.models import Address, Participant

END = ""  # an answer returning END finishes the flow
WAIT = "~"  # the answer has prompted already: stay on this step without asking again
SIGNUP_TTL = timedelta(days=60)  # a half-done sign-up can be resumed for this long
SHORT_TTL = timedelta(hours=12)  # menus and confirmations go stale sooner


@dataclass(frozen=True)
class FlowSettings:
    """What flows need to know about the deployment."""

    default_language: str = "id"
    default_timezone: str = "Asia/Jakarta"
    program_name: str = ""
    consent_version: str = "2026-11"
    emergency_number: str = "112"
    crisis_lines: tuple[str, ...] = ("119 ext. 8 (SEJIWA)", "healing119.id")
    reminders: ReminderPolicy = field(default_factory=ReminderPolicy)
    # The channels this deployment runs: a reply to another address goes only to one of these
    # (empty: any), and with two or more the welcome says how to link them.
    channels: frozenset[str] = frozenset()
    # For links to the bot (staff invites, pre-release codes): the Telegram bot's username
    # (read from the Bot API at start-up) and the WhatsApp business number (digits).
    telegram_username: str | None = None
    whatsapp_number: str | None = None
    invite_hours: int = 72  # how long a one-time code works (INVITE_HOURS)
    # The media store's folder (MEDIA_DIR): check-ins' WhatsApp voice notes and photos; None:
    # none kept (staff can still open Telegram's, by file id).
    media_dir: Path | None = None


@dataclass(frozen=True)
class Told:
    """A reply for an address other than the one the person wrote from."""

    address: Address
    reply: Reply
    logged: str  # the message log's copy of its text
    kind: str = "reply"  # the message log's kind


@dataclass
class Turn:
    """Everything one inbound message is handled with; flows add replies to it."""

    tx: AsyncSession
    incoming: Incoming
    address: Address
    conversation: ConversationState
    participant: Participant | None
    settings: FlowSettings
    now: datetime
    replies: list[Reply] = field(default_factory=list)
    erased: bool = False  # the person's data (address and conversation included) was just erased
    flags: list[tuple[str, bool]] = field(default_factory=list)  # (reason, urgent) for staff
    told: list[Told] = field(default_factory=list)  # replies to the person's other addresses
    secret: bool = False  # what was typed must not be kept in the message log (a code)
    fetch: Fetch | None = None  # the channel's download of an attachment (handlers/files.py)
    checkin_id: int | None = None  # the check-in this message answered: its flags point at it

    def flag(self, reason: str, *, urgent: bool = False) -> None:
        """Pass this inbound message on to staff (stored once the message is logged)."""
        if (reason, urgent) not in self.flags:
            self.flags.append((reason, urgent))

    @property
    def language(self) -> str:
        return current_language()

    @property
    def data(self) -> dict[str, Any]:
        return self.conversation.data

    def remember(self, **values: Any) -> None:
        self.conversation.data = {**self.conversation.data, **values}

    def forget(self, *keys: str) -> None:
        self.conversation.data = {k: v for k, v in self.conversation.data.items() if k not in keys}

    def say(
        self,
        text: str,
        buttons: tuple[Button, ...] = (),
        *,
        share_phone: str | None = None,
        remove_keyboard: bool = False,
        edit_ref: str | None = None,
    ) -> None:
        self.replies.append(Reply(text, buttons, share_phone, remove_keyboard, edit_ref))

    def tell(
        self, address: Address, reply: Reply, *, logged: str | None = None, kind: str = "reply"
    ) -> None:
        """Send `reply` to another address of the person (e.g. a code to the chat they used
        before), after this turn commits; `logged` is what the message log keeps instead of its
        text (a code must not be stored)."""
        if reply.language is None:
            reply = replace(reply, language=current_language())
        self.told.append(Told(address, reply, reply.text if logged is None else logged, kind))

    @property
    def state(self) -> str | None:
        return self.conversation.step


Ask = Callable[[Turn], Awaitable[None]]
Answer = Callable[[Turn, Incoming], Awaitable[str | None]]


@dataclass(frozen=True)
class Step:
    """`ask` prompts; `answer` returns the next state, END, or None to prompt again."""

    ask: Ask
    answer: Answer
    accepts: frozenset[Kind] = frozenset({Kind.TEXT, Kind.BUTTON})
    ttl: timedelta = SHORT_TTL
    keeps_text: bool = False  # the answer is the person's own words (a reason): heard as given
