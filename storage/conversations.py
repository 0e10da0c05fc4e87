"""Conversation state per address: the flow step it waits on and a small scratchpad."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation


async def conversation_of(session: AsyncSession, address_id: int) -> Conversation:
    """The address's conversation, created empty if it has none (the address row is locked already)."""
    found = await session.get(Conversation, address_id)
    if found is not None:
        return found
    conversation = Conversation(address_id=address_id, flow=None, step=None, data={})
    session.add(conversation)
    await session.flush()
    return conversation
