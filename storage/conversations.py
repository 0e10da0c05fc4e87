"""Conversation state per address: the flow step it waits on and a small scratchpad."""

from __future__ import annotations

from storage.models import Address, Conversation


def conversation_of(address: Address) -> Conversation:
    """The address's conversation (loaded with it), created empty if it has none."""
    if address.conversation is None:
        address.conversation = Conversation(address_id=address.id, flow=None, step=None, data={})
    return address.conversation
