"""The message log: inbound (deduplicated) and outbound (queued, sent, failed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Message, MessageStatus
from storage.types import UTCDateTime

# Plain SQL both databases read, compiled once: this runs for every message that comes in.
_RECORD_INBOUND = text(
    "INSERT INTO messages (channel, direction, kind, body, status, dedupe_key, attempts, "
    "created_at, address_id, participant_id) VALUES (:channel, 'in', :kind, :body, 'received', "
    ":dedupe_key, 0, :created_at, :address_id, :participant_id) "
    "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
).bindparams(bindparam("created_at", type_=UTCDateTime()))


async def record_inbound(
    session: AsyncSession,
    *,
    channel: str,
    kind: str,
    dedupe_key: str | None,
    now: datetime,
    address_id: int | None,
    participant_id: int | None,
    body: str | None,
) -> int | None:
    """Log an inbound message; None when the platform delivered this one before."""
    result = await session.execute(
        _RECORD_INBOUND,
        {
            "channel": channel,
            "kind": str(kind),
            "body": body,
            "dedupe_key": dedupe_key,
            "created_at": now,
            "address_id": address_id,
            "participant_id": participant_id,
        },
    )
    return result.scalar_one_or_none()


async def queue_replies(
    session: AsyncSession,
    *,
    channel: str,
    address_id: int | None,
    participant_id: int | None,
    bodies: list[str],
    now: datetime,
) -> list[int]:
    """Log replies as queued, in one statement; their ids in the same order."""
    if not bodies:
        return []
    rows = [
        {
            "channel": channel,
            "direction": "out",
            "kind": "reply",
            "body": body,
            "status": MessageStatus.QUEUED,
            "address_id": address_id,
            "participant_id": participant_id,
            "created_at": now,
            "attempts": 0,
        }
        for body in bodies
    ]
    result = await session.execute(
        insert(Message).returning(Message.id, sort_by_parameter_order=True), rows
    )
    return list(result.scalars())


async def queue_outbound(
    session: AsyncSession,
    *,
    channel: str,
    address_id: int | None,
    participant_id: int | None,
    kind: str,
    body: str,
    now: datetime,
) -> int:
    message = Message(
        channel=channel,
        direction="out",
        kind=kind,
        body=body,
        status=MessageStatus.QUEUED,
        address_id=address_id,
        participant_id=participant_id,
        created_at=now,
        attempts=0,
    )
    session.add(message)
    await session.flush()
    return message.id


async def mark_sent(
    session: AsyncSession, message_id: int, external_id: str | None, attempts: int, now: datetime
) -> None:
    await session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(status=MessageStatus.SENT, external_id=external_id, attempts=attempts, sent_at=now)
    )


async def record_results(session: AsyncSession, results: list[dict[str, object]]) -> None:
    """Many send results at once: dicts with id, status, external_id, error, attempts, sent_at."""
    if results:
        await session.execute(update(Message), results)


async def mark_failed(session: AsyncSession, message_id: int, error: str, attempts: int) -> None:
    await session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(status=MessageStatus.FAILED, error=error[:200], attempts=attempts)
    )


async def erase_bodies(session: AsyncSession, participant_id: int) -> None:
    """Blank the texts of a participant's messages; the rows stay for anonymous counts."""
    await session.execute(
        update(Message)
        .where(Message.participant_id == participant_id)
        .values(body=None, address_id=None)
    )
