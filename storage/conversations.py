"""Conversation state per address: the flow step it waits on and a small scratchpad.

Every inbound message reads and most write it, so it is a plain object read with the address
(`storage.addresses.lock_address`) and written back with one prebuilt statement, and only when
it changed, rather than an ORM object that the unit of work would inspect at every commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation

_TABLE: Table = Conversation.__table__  # type: ignore[assignment]
_COLUMNS = ("flow", "step", "data", "expires_at", "updated_at")


def _bind(name: str) -> Any:
    return bindparam(f"v_{name}", type_=_TABLE.c[name].type)


_UPDATE = (
    _TABLE.update()
    .where(_TABLE.c.address_id == _bind("address_id"))
    .values({name: _bind(name) for name in _COLUMNS})
)
_INSERT = _TABLE.insert().values({name: _bind(name) for name in ("address_id", *_COLUMNS)})


@dataclass
class ConversationState:
    """Where one address is in a flow. `data` is replaced, never changed in place."""

    address_id: int
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None
    stored: bool = False  # the row exists
    _as_read: tuple[Any, ...] = ()

    def __post_init__(self) -> None:
        self._as_read = self._values()

    def _values(self) -> tuple[Any, ...]:
        return (self.flow, self.step, self.data, self.expires_at)

    @property
    def changed(self) -> bool:
        return self._values() != self._as_read


async def save_conversation(tx: AsyncSession, state: ConversationState, now: datetime) -> None:
    """Write the state back if it changed (a new row the first time)."""
    if state.stored and not state.changed:
        return
    if not state.stored and not state.changed and not state.data:
        return  # nothing worth a row
    values = {
        "v_address_id": state.address_id,
        "v_flow": state.flow,
        "v_step": state.step,
        "v_data": state.data,
        "v_expires_at": state.expires_at,
        "v_updated_at": now,
    }
    await tx.execute(_UPDATE if state.stored else _INSERT, values)
    state.stored = True
    state._as_read = state._values()
