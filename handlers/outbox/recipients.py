"""Who an outbox row goes to, and how to reach them now.

A recipient is a participant today; the staff issue adds staff members. `reach()` is the one
place on the sending path that knows a recipient is a participant: everything after it works
with a `Reader` (an address, a language, a time zone, discretion).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.addresses import addresses_of
from storage.models import Address, Participant, ParticipantStatus, ScheduledMessage


@dataclass(frozen=True)
class Recipient:
    """Whom a row is for. Staff will add `staff_id` (exactly one of the two is set)."""

    participant_id: int

    @classmethod
    def of_row(cls, row: ScheduledMessage) -> Recipient:
        return cls(participant_id=row.participant_id)

    def columns(self) -> dict[str, int]:
        """The outbox row's columns that name this recipient."""
        return {"participant_id": self.participant_id}


@dataclass(frozen=True)
class Reader:
    """A recipient who can be written to now."""

    recipient: Recipient
    channel: str
    address: Address
    language: str
    timezone: str
    discreet: bool  # nothing on a lock screen may tell a stranger about prison or probation
    participant: Participant | None  # the participant behind it (None for staff, once they exist)


@dataclass(frozen=True)
class Unreachable:
    reason: str  # for the log: no names, numbers or message text


def best_address(addresses: list[Address], channels: Collection[str]) -> Address | None:
    """The reachable address on a channel we run, the most recently used first."""
    usable = [a for a in addresses if a.channel in channels and a.blocked_at is None]
    usable.sort(
        key=lambda a: (a.last_inbound_at is not None, a.last_inbound_at or a.created_at),
        reverse=True,
    )
    return usable[0] if usable else None


async def reach(
    tx: AsyncSession, recipient: Recipient, channels: Collection[str]
) -> Reader | Unreachable:
    """The recipient's best address on a running channel, if they may be written to at all."""
    # The one place that assumes a participant: staff recipients get their own branch here.
    participant = await tx.get(Participant, recipient.participant_id)
    if participant is None or participant.status != ParticipantStatus.ACTIVE:
        return Unreachable(f"participant {participant.status if participant else 'gone'}")
    address = best_address(await addresses_of(tx, participant.id), channels)
    if address is None:
        return Unreachable("no reachable address on a running channel")
    return Reader(
        recipient=recipient,
        channel=address.channel,
        address=address,
        language=participant.language,
        timezone=participant.timezone,
        discreet=participant.discreet,
        participant=participant,
    )
