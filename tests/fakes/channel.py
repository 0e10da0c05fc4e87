"""A channel that records what the bot sends, and a person who talks through it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

from bot.channels.protocol import SendResult
from bot.inbox import Inbox
from handlers.types import Incoming, Kind, Reply

_update_ids = itertools.count(1)


@dataclass
class CollectingChannel:
    name: str = "fake"
    sent: list[tuple[str, Reply]] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)

    async def send(self, address: str, reply: Reply) -> SendResult:
        if address in self.unreachable:
            return SendResult(
                False, error="Forbidden: bot was blocked by the user", unreachable=True
            )
        self.sent.append((address, reply))
        return SendResult(True, str(len(self.sent)))


@dataclass
class Person:
    """Someone chatting with the bot; each call returns the replies that one message produced."""

    inbox: Inbox
    channel: CollectingChannel
    address: str = "1001"
    profile_name: str | None = None
    contact_button: bool = True  # like Telegram; False like the terminal or WhatsApp

    async def _send(self, incoming: Incoming) -> list[Reply]:
        before = len(self.channel.sent)
        await self.inbox.receive(incoming)
        return [reply for address, reply in self.channel.sent[before:] if address == self.address]

    def _make(self, kind: Kind, **fields: object) -> Incoming:
        return Incoming(
            channel=self.channel.name,
            address=self.address,
            kind=kind,
            profile_name=self.profile_name,
            contact_button=self.contact_button,
            dedupe_key=f"{self.channel.name}:{next(_update_ids)}",
            **fields,  # type: ignore[arg-type]
        )

    async def says(self, text: str) -> list[Reply]:
        if text.startswith("/"):
            head, _sep, args = text[1:].partition(" ")
            return await self._send(self._make(Kind.COMMAND, text=text, command=head, args=args))
        return await self._send(self._make(Kind.TEXT, text=text))

    async def presses(
        self, payload: str, message_ref: str | None = None, *, at: datetime | None = None
    ) -> list[Reply]:
        """Press a button (now, or `at` a moment of the test's own timeline)."""
        fields: dict[str, object] = {"payload": payload, "message_ref": message_ref}
        if at is not None:
            fields["received_at"] = at
        return await self._send(self._make(Kind.BUTTON, **fields))

    async def sends(self, kind: Kind, **fields: object) -> list[Reply]:
        return await self._send(self._make(kind, **fields))

    async def redelivers(self, incoming: Incoming) -> list[Reply]:
        return await self._send(incoming)

    def last(self) -> Reply:
        return next(
            reply for address, reply in reversed(self.channel.sent) if address == self.address
        )
