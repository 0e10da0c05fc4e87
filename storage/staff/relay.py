"""Queries on relayed messages: adding them, the open conversation, the thread a card shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    RelayDirection,
    RelayMessage,
    ScheduledMessage,
    Staff,
)


@dataclass(frozen=True)
class ThreadLine:
    """One message of a participant's thread with staff, as a card shows it."""

    id: int
    at: datetime
    direction: str  # a RelayDirection
    staff_id: int | None
    staff_name: str | None  # who wrote it (to the participant) or received it (from them)
    text: str
    status: str  # a RelayStatus
    # To the participant: its outbox row's status (pending, sent, skipped...), None otherwise.
    delivery: str | None


async def add_relay(
    tx: AsyncSession,
    *,
    participant_id: int,
    staff_id: int | None,
    direction: str,
    text: str,
    status: str,
    now: datetime,
) -> RelayMessage:
    row = RelayMessage(
        participant_id=participant_id,
        staff_id=staff_id,
        direction=direction,
        text=text,
        status=status,
        created_at=now,
    )
    tx.add(row)
    await tx.flush()
    return row


async def relay_of_outbox_row(tx: AsyncSession, outbox_id: int) -> RelayMessage | None:
    query = select(RelayMessage).where(RelayMessage.outbox_id == outbox_id)
    return (await tx.execute(query)).scalar_one_or_none()


async def outbox_row_id(tx: AsyncSession, key: str) -> int | None:
    query = select(ScheduledMessage.id).where(ScheduledMessage.key == key)
    return (await tx.execute(query)).scalar_one_or_none()


async def open_relay(tx: AsyncSession, participant_id: int, since: datetime) -> RelayMessage | None:
    """The latest message staff relayed to the participant, if it came after `since` and the
    participant has not ended the conversation since: their free text answers it."""
    query = (
        select(RelayMessage)
        .where(
            RelayMessage.participant_id == participant_id,
            RelayMessage.direction == RelayDirection.TO_PARTICIPANT,
        )
        .order_by(RelayMessage.created_at.desc(), RelayMessage.id.desc())
        .limit(1)
    )
    latest = (await tx.execute(query)).scalar_one_or_none()
    if latest is None or latest.ended_at is not None or latest.created_at < since:
        return None
    return latest


async def end_relays(tx: AsyncSession, participant_id: int, now: datetime) -> int:
    """Close the participant's conversation with staff; how many messages it ended."""
    result = await tx.execute(
        update(RelayMessage)
        .where(RelayMessage.participant_id == participant_id, RelayMessage.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def relay_thread(tx: AsyncSession, participant_id: int, limit: int) -> list[ThreadLine]:
    """The participant's last `limit` relayed messages, both ways, oldest first."""
    query = (
        select(RelayMessage, Staff.name, ScheduledMessage.status)
        .outerjoin(Staff, Staff.id == RelayMessage.staff_id)
        .outerjoin(ScheduledMessage, ScheduledMessage.id == RelayMessage.outbox_id)
        .where(RelayMessage.participant_id == participant_id)
        .order_by(RelayMessage.created_at.desc(), RelayMessage.id.desc())
        .limit(limit)
    )
    lines = [
        ThreadLine(
            row.id, row.created_at, row.direction, row.staff_id, name, row.text, row.status, sent
        )
        for row, name, sent in (await tx.execute(query)).tuples()
    ]
    return lines[::-1]


async def delete_relay_messages(tx: AsyncSession, participant_id: int) -> None:
    """Erasure: what the participant and staff wrote to each other goes with the participant."""
    await tx.execute(delete(RelayMessage).where(RelayMessage.participant_id == participant_id))
