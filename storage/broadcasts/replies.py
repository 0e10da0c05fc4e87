"""A broadcast's rows as its recipient lived them: the announcements they were sent (as a teaser
or in full) and what they wrote back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    BroadcastReply,
    OutboxKind,
    Participant,
    ScheduledMessage,
    ScheduledStatus,
)
from storage.staff.digest_queries import Person

LOOK_BACK = 20  # a participant's latest broadcast rows looked at for unopened teasers


async def unopened_teasers(
    tx: AsyncSession, participant_id: int, limit: int
) -> list[ScheduledMessage]:
    """Announcements sent to the participant as a teaser whose full text they have not seen
    yet, the most recent first (handlers/broadcasts/kinds.py marks `teaser` and `opened`)."""
    rows = (
        await tx.execute(
            select(ScheduledMessage)
            .where(
                ScheduledMessage.participant_id == participant_id,
                ScheduledMessage.kind == OutboxKind.BROADCAST,
                ScheduledMessage.status == ScheduledStatus.SENT,
            )
            .order_by(ScheduledMessage.broadcast_id.desc())  # the newest announcement first
            .limit(LOOK_BACK)
        )
    ).scalars()
    teasers = [r for r in rows if (r.data or {}).get("teaser") and not (r.data or {}).get("opened")]
    return teasers[:limit]


async def latest_broadcast_to(tx: AsyncSession, participant_id: int, since: datetime) -> int | None:
    """The broadcast most recently sent to the participant since `since`, if any."""
    return (
        await tx.execute(
            select(ScheduledMessage.broadcast_id)
            .where(
                ScheduledMessage.participant_id == participant_id,
                ScheduledMessage.kind == OutboxKind.BROADCAST,
                ScheduledMessage.status == ScheduledStatus.SENT,
                ScheduledMessage.sent_at >= since,
            )
            .order_by(ScheduledMessage.sent_at.desc(), ScheduledMessage.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def add_reply(
    tx: AsyncSession, broadcast_id: int, participant_id: int, text: str, now: datetime
) -> BroadcastReply:
    reply = BroadcastReply(
        broadcast_id=broadcast_id, participant_id=participant_id, text=text, created_at=now
    )
    tx.add(reply)
    await tx.flush()
    return reply


@dataclass(frozen=True)
class ReplyLine:
    participant_id: int
    broadcast_id: int
    text: str
    at: datetime


async def replies_of(tx: AsyncSession, participant_id: int, limit: int = 3) -> list[ReplyLine]:
    """The participant's latest replies to broadcasts, the most recent first (their card)."""
    rows = (
        await tx.execute(
            select(BroadcastReply)
            .where(BroadcastReply.participant_id == participant_id)
            .order_by(BroadcastReply.created_at.desc(), BroadcastReply.id.desc())
            .limit(limit)
        )
    ).scalars()
    return [ReplyLine(r.participant_id, r.broadcast_id, r.text, r.created_at) for r in rows]


async def replies_since(
    tx: AsyncSession, people: ColumnElement[bool], since: datetime
) -> list[tuple[Person, ReplyLine]]:
    """Replies since `since` of the participants `people` selects (a WHERE clause on
    Participant: a digest's scope), oldest first."""
    rows = (
        await tx.execute(
            select(
                BroadcastReply,
                Participant.id.label("pid"),
                Participant.name.label("pname"),
                Participant.caseworker_id.label("cwid"),
            )
            .join(Participant, Participant.id == BroadcastReply.participant_id)
            .where(people, BroadcastReply.created_at >= since)
            .order_by(BroadcastReply.created_at, BroadcastReply.id)
        )
    ).all()
    return [
        (
            Person(row.pid, row.pname, row.cwid),
            ReplyLine(row.pid, row[0].broadcast_id, row[0].text, row[0].created_at),
        )
        for row in rows
    ]


async def delete_replies(tx: AsyncSession, participant_id: int) -> None:
    """Erasure: what the participant wrote back to broadcasts."""
    await tx.execute(delete(BroadcastReply).where(BroadcastReply.participant_id == participant_id))
