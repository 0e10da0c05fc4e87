"""A participant who writes soon after a broadcast reached them is answering it: the reply is
kept for their pendamping (their card, the digest) and they are told so, kindly, in their
language. Danger and opt-out words were heard before this (handlers/participants/free_text.py
`heard_first`), and a conversation with staff or an answer to a reminder comes first too."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.flow import Turn
from handlers.i18n import _
from handlers.participants.support import contact_line
from handlers.staff.cards.labels import short_when
from handlers.text import esc
from storage.broadcasts.replies import add_reply, latest_broadcast_to, replies_of
from storage.models import FlagReason

log = logging.getLogger(__name__)

REPLY_WINDOW = timedelta(days=3)  # free text this soon after a broadcast answers it
TEXT_MAX = 4000  # what is kept of one reply


async def broadcast_reply(turn: Turn, *, hardship: bool = False) -> bool:
    """Keep the participant's free text as an answer to the latest broadcast they got within
    the last days; False when no broadcast reached them lately (the usual handling follows)."""
    participant = turn.participant
    assert participant is not None
    broadcast_id = await latest_broadcast_to(turn.tx, participant.id, turn.now - REPLY_WINDOW)
    if broadcast_id is None:
        return False
    await add_reply(turn.tx, broadcast_id, participant.id, turn.incoming.text[:TEXT_MAX], turn.now)
    log.info("broadcast %s: a reply kept", broadcast_id)
    lines = [
        _("I am sorry to hear that. 🙏") if hardship else "",
        _("Thank you for your answer. Your pendamping will read it."),
    ]
    if hardship:  # asking for help: staff learn it as a flag too, as any such message
        turn.flag(FlagReason.HARDSHIP, urgent=False)
        contact = await contact_line(turn)
        if contact:
            lines.append(contact)
    turn.say("\n".join(line for line in lines if line))
    return True


CARD_CHARS = 160  # of a reply's text on the card


def clip(text: str, at: int) -> str:
    """One line of at most `at` characters (before escaping)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= at else flat[: at - 1].rstrip() + "…"


async def card_block(tx: AsyncSession, participant_id: int, timezone: str, language: str) -> str:
    """The card's section of their latest answers to announcements ("" when none)."""
    lines = [
        f"• {short_when(r.at, timezone, language)}: {esc(clip(r.text, CARD_CHARS))}"
        for r in await replies_of(tx, participant_id)
    ]
    if not lines:
        return ""
    return "<b>" + _("Answers to announcements") + "</b>\n" + "\n".join(lines)
