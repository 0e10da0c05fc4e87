"""The message log: inbound (deduplicated) and outbound (queued, sent, failed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Message, MessageStatus
from storage.upsert import insert_ignore


async def record_inbound(
    session: AsyncSession, *, channel: str, kind: str, dedupe_key: str | None, now: datetime
) -> int | None:
    """Log an inbound message; None when the platform delivered this one before."""
    values = dict(
        channel=channel,
        direction="in",
        kind=kind,
        status=MessageStatus.RECEIVED,
        dedupe_key=dedupe_key,
        created_at=now,
        attempts=0,
    )
    result = await session.execute(
        insert_ignore(session, Message).values(**values).returning(Message.id)
    )
    return result.scalar_one_or_none()


async def attach_inbound(
    session: AsyncSession,
    message_id: int,
    *,
    address_id: int | None,
    participant_id: int | None,
    body: str | None,
) -> None:
    await session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(address_id=address_id, participant_id=participant_id, body=body)
    )


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


async def messages_of(session: AsyncSession, participant_id: int) -> list[Message]:
    query = select(Message).where(Message.participant_id == participant_id).order_by(Message.id)
    return list((await session.execute(query)).scalars())
