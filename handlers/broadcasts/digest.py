"""The digest's section of answers to broadcasts: what participants wrote back, one line each,
told once (handlers/digest/sections.py finds this module by itself)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.broadcasts.replies import clip
from handlers.digest.sections import DigestScope, Item, first_name, section
from handlers.i18n import N_, _
from handlers.text import esc
from storage.broadcasts.replies import replies_since

CLIP = 80  # characters of a reply shown in the digest: the card has more


@section("broadcast_replies", 30, N_("Answers to announcements"))
async def broadcast_replies(tx: AsyncSession, scope: DigestScope) -> list[Item]:
    items = []
    for person, reply in await replies_since(tx, scope.people, scope.since):
        who = f"#{person.id} {esc(first_name(person.name))}"
        items.append(
            Item(
                key=f"bcreply:{reply.broadcast_id}:{person.id}:{reply.at.timestamp():.0f}",
                line=_("{who}: “{words}”").format(who=who, words=esc(clip(reply.text, CLIP))),
                participant_id=person.id,
                first_name=first_name(person.name),
                caseworker_id=person.caseworker_id,
            )
        )
    return items
