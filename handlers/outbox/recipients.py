"""Who an outbox row goes to, and how to reach them now.

A recipient is a participant or a staff member. `reach()` is the one place on the sending path
that tells the two apart: everything after it works with a `Reader` (an address, a language, a
time zone, discretion).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from storage.addresses import addresses_of
from storage.models import (
    Address,
    Participant,
    ParticipantStatus,
    ScheduledMessage,
    Staff,
    StaffStatus,
)
from storage.staff.accounts import staff_addresses


@dataclass(frozen=True)
class Recipient:
    """Whom a row is for: exactly one of `participant_id` and `staff_id` is set."""

    participant_id: int | None = None
    staff_id: int | None = None

    def __post_init__(self) -> None:
        if (self.participant_id is None) == (self.staff_id is None):
            raise ValueError("a recipient is a participant or a staff member: give exactly one")

    @classmethod
    def staff(cls, staff_id: int) -> Recipient:
        return cls(staff_id=staff_id)

    @classmethod
    def of_row(cls, row: ScheduledMessage) -> Recipient:
        return cls(participant_id=row.participant_id, staff_id=row.staff_id)

    def columns(self) -> dict[str, int | None]:
        """The outbox row's columns that name this recipient."""
        return {"participant_id": self.participant_id, "staff_id": self.staff_id}


@dataclass(frozen=True)
class Reader:
    """A recipient who can be written to now."""

    recipient: Recipient
    channel: str
    address: Address
    language: str
    timezone: str
    discreet: bool  # nothing on a lock screen may tell a stranger about prison or probation
    participant: Participant | None  # the participant behind it (None for staff)
    staff: Staff | None = None  # the staff member behind it (None for a participant)


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
    tx: AsyncSession,
    recipient: Recipient,
    channels: Collection[str],
    addresses: list[Address] | None = None,
) -> Reader | Unreachable:
    """The recipient's best address on a running channel, if they may be written to at all.
    `addresses`: a participant's addresses read already (the dispatcher reads a batch's at once)."""
    if recipient.staff_id is not None:
        return await _reach_staff(tx, recipient, recipient.staff_id, channels)
    assert recipient.participant_id is not None
    participant = await tx.get(Participant, recipient.participant_id)
    if participant is None or participant.status != ParticipantStatus.ACTIVE:
        return Unreachable(f"participant {participant.status if participant else 'gone'}")
    if addresses is None:
        addresses = await addresses_of(tx, participant.id)
    address = best_address(addresses, channels)
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


async def _reach_staff(
    tx: AsyncSession, recipient: Recipient, staff_id: int, channels: Collection[str]
) -> Reader | Unreachable:
    """A staff member is reached in their own staff chats, while their access lasts."""
    staff = await tx.get(Staff, staff_id)
    if staff is None or staff.status != StaffStatus.ACTIVE:
        return Unreachable(f"staff {staff.status if staff else 'gone'}")
    address = best_address(await staff_addresses(tx, staff.id), channels)
    if address is None:
        return Unreachable("no reachable staff chat on a running channel")
    return Reader(
        recipient=recipient,
        channel=address.channel,
        address=address,
        language=staff.language,
        timezone=staff.timezone,
        discreet=False,  # a staff chat is a work chat: it names the institution
        participant=None,
        staff=staff,
    )
