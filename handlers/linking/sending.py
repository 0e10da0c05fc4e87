"""Finding the participant a phone number signed up with, and sending them a code on the chat
they used before. What the person who typed the number sees never depends on either."""

from __future__ import annotations

import logging
from datetime import timedelta

from handlers.flow import Turn
from handlers.i18n import _, use_language
from handlers.linking.codes import new_code, remember_code
from handlers.menu import REGISTERED
from handlers.outbox.recipients import best_address
from handlers.types import Reply, Template
from handlers.understanding.phones import normalise_phone
from storage.addresses import addresses_of
from storage.messages import count_outbound_since
from storage.models import Address, Participant
from storage.participants import participants_with_phone

log = logging.getLogger(__name__)

# Channels whose address is the person's phone number (a Telegram chat id is digits too, but
# not a phone number).
PHONE_CHANNELS = frozenset({"whatsapp"})
HIDDEN_CODE = "••••••"  # what the message log keeps instead of a code
CODE_KIND = "link_code"  # the message log's kind for a code sent
# At most this many codes go to one participant an hour, however many chats ask: with 5 tries
# each, guessing a code would take years, and the owner is not flooded with codes.
CODES_PER_HOUR = 3


def own_phone(address: Address) -> str | None:
    """The phone number this chat itself comes from, when the channel tells it."""
    if address.channel not in PHONE_CHANNELS:
        return None
    for value in (address.value, getattr(address, "alias", None)):
        if isinstance(value, str) and value.isdigit():
            number = normalise_phone("+" + value)
            if number is not None:
                return number
    return None


async def signed_up_with(turn: Turn, phone: str) -> Participant | None:
    """The signed-up participant (not this chat's own) who gave this number, the latest first."""
    own = turn.participant.id if turn.participant is not None else None
    found = [
        p
        for p in await participants_with_phone(turn.tx, phone)
        if p.status in REGISTERED and p.id != own
    ]
    found.sort(key=lambda p: (p.registered_at is not None, p.registered_at), reverse=True)
    return found[0] if found else None


async def send_code(turn: Turn, participant: Participant | None) -> None:
    """Make a code and send it to the participant's other chat (the one they used last); with no
    participant, no reachable chat, or too many codes this hour, a decoy is kept instead, so
    nothing tells the cases apart."""
    code = new_code()
    other = None
    if participant is not None and await _too_many(turn, participant):
        participant = None
    if participant is not None:
        addresses = [
            a for a in await addresses_of(turn.tx, participant.id) if a.id != turn.address.id
        ]
        running = turn.settings.channels or {a.channel for a in addresses}
        other = best_address(addresses, running)
    if participant is None or other is None:
        remember_code(turn, new_code(), None)
        log.info("link code not sent address=%s", turn.address.id)
        return
    with use_language(participant.language):
        text = _(
            "Your code to link another chat: <b>{code}</b>\n\n"
            "It works for 10 minutes. If you did not ask for it, do not give it to anyone and "
            "ignore this message."
        )
        reply = Reply(
            text.format(code=code),
            template=Template("link_code", (code,)),
            language=participant.language,
        )
        turn.tell(other, reply, logged=text.format(code=HIDDEN_CODE), kind=CODE_KIND)
    remember_code(turn, code, participant.id)
    log.info("link code sent participant=%s to address=%s", participant.id, other.id)


async def _too_many(turn: Turn, participant: Participant) -> bool:
    since = turn.now - timedelta(hours=1)
    sent = await count_outbound_since(turn.tx, participant.id, CODE_KIND, since)
    if sent >= CODES_PER_HOUR:
        log.info("link code withheld participant=%s: %d this hour", participant.id, sent)
        return True
    return False
