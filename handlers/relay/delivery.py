"""Telling staff about a participant's relayed message. This is the one place that delivers to
staff chats: switching relay to a durable staff outbox means changing `tell_staff` only."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from handlers.flow import Turn
from handlers.i18n import use_language
from handlers.types import Reply
from storage.models import Address, Staff
from storage.staff.partners import staff_addresses

RELAY_KIND = "relay"  # the message log's kind of a relayed message told to staff

# (the reply, what the message log keeps instead of its text), composed in the reader's language.
Compose = Callable[[], tuple[Reply, str]]


async def chats_of(turn: Turn, member: Staff) -> list[Address]:
    """The chats a staff member can be told in now: active, not blocked, on a running channel."""
    return usable(await staff_addresses(turn.tx, member.id), turn.settings.channels)


def usable(addresses: Sequence[Address], channels: Collection[str]) -> list[Address]:
    return [
        a for a in addresses if a.blocked_at is None and (not channels or a.channel in channels)
    ]


async def tell_staff(turn: Turn, members: Sequence[Staff], compose: Compose) -> list[Staff]:
    """Send what `compose` makes (in each member's language) to every chat of each member,
    after this turn commits; returns the members who have a chat to be told in."""
    reached = []
    for member in members:
        chats = await chats_of(turn, member)
        if not chats:
            continue
        reached.append(member)
        with use_language(member.language):
            reply, logged = compose()
            for chat in chats:
                turn.tell(chat, reply, logged=logged, kind=RELAY_KIND)
    return reached
