"""The message log: inbound (deduplicated) and outbound (queued, sent, failed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import JSON, Table, TextClause, bindparam, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Message, MessageStatus
from storage.types import UTCDateTime

_COLUMNS = (
    "channel, direction, kind, body, status, dedupe_key, attempts, created_at, address_id, "
    "participant_id, pending_reply"
)
_INBOUND_ROW = (
    "(:channel, 'in', :kind, :body, 'received', :dedupe_key, 0, :created_at, :address_id, "
    ":participant_id, NULL)"
)
_REPLY_ROW = (
    "(:channel, 'out', 'reply', :body_{n}, 'queued', NULL, 0, :created_at, :address_id, "
    ":participant_id, :pending_{n})"
)
_turn_statements: dict[int, TextClause] = {}


def _turn_statement(replies: int) -> TextClause:
    """INSERT of one inbound row and `replies` reply rows, built once per reply count.

    Plain SQL that SQLite and PostgreSQL both read, so SQLAlchemy compiles it once (the dialects'
    own ON CONFLICT constructs are not cacheable); this runs for every message that comes in.
    """
    statement = _turn_statements.get(replies)
    if statement is None:
        rows = ", ".join([_INBOUND_ROW, *(_REPLY_ROW.format(n=n) for n in range(replies))])
        statement = text(
            f"INSERT INTO messages ({_COLUMNS}) VALUES {rows} "
            "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, direction"
        ).bindparams(
            bindparam("created_at", type_=UTCDateTime()),
            *(bindparam(f"pending_{n}", type_=JSON()) for n in range(replies)),
        )
        _turn_statements[replies] = statement
    return statement


async def log_turn(
    tx: AsyncSession,
    *,
    channel: str,
    kind: str,
    dedupe_key: str | None,
    body: str | None,
    now: datetime,
    address_id: int | None,
    participant_id: int | None,
    inbound_participant_id: int | None,
    replies: list[tuple[str, dict[str, Any]]],
) -> tuple[int, list[int]] | None:
    """Log an inbound message and its replies (queued) in one statement; each reply is its text
    and the rest of it (handlers/types.py `reply_fields`), kept until it is sent.

    Returns the inbound message's id and the replies' ids in order, or None when the platform
    delivered this message before (its dedupe key is taken): then nothing may be kept, and the
    caller rolls back.
    """
    params: dict[str, object] = {
        "channel": channel,
        "kind": str(kind),
        "body": body,
        "dedupe_key": dedupe_key,
        "created_at": now,
        "address_id": address_id,
        "participant_id": participant_id,
    }
    for n, (body, pending) in enumerate(replies):
        params[f"body_{n}"] = body
        params[f"pending_{n}"] = pending
    if inbound_participant_id != participant_id:
        # The inbound row and the replies name different participants only when the person
        # erased their data in this turn: the inbound row then keeps no participant.
        return await _log_apart(tx, params, inbound_participant_id, replies)
    result = await tx.execute(_turn_statement(len(replies)), params)
    # Ids rise in the order of the VALUES rows on both databases; RETURNING's own order is not
    # promised, hence the sort.
    rows = sorted(result.tuples(), key=lambda row: row[0])
    if not rows or rows[0][1] != "in":
        return None
    return rows[0][0], [row[0] for row in rows[1:]]


async def _log_apart(
    tx: AsyncSession,
    params: dict[str, object],
    inbound_participant_id: int | None,
    replies: list[tuple[str, dict[str, Any]]],
) -> tuple[int, list[int]] | None:
    inbound = (
        await tx.execute(_turn_statement(0), {**params, "participant_id": inbound_participant_id})
    ).first()
    if inbound is None:
        return None
    if not replies:
        return inbound[0], []
    rows = [
        {
            "channel": params["channel"],
            "direction": "out",
            "kind": "reply",
            "body": body,
            "pending_reply": pending,
            "status": MessageStatus.QUEUED,
            "address_id": params["address_id"],
            "participant_id": params["participant_id"],
            "created_at": params["created_at"],
            "attempts": 0,
        }
        for body, pending in replies
    ]
    result = await tx.execute(
        insert(Message).returning(Message.id, sort_by_parameter_order=True), rows
    )
    return inbound[0], list(result.scalars())


async def queue_outbound_many(
    tx: AsyncSession, messages: list[dict[str, Any]], now: datetime
) -> list[int]:
    """`queue_outbound` for many (dicts of its keyword arguments but `now`), in one INSERT;
    their ids in the same order."""
    if not messages:
        return []
    common = {"direction": "out", "status": MessageStatus.QUEUED, "created_at": now, "attempts": 0}
    table = cast(Table, Message.__table__)  # Core: no ORM bookkeeping per row
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    result = await tx.execute(statement, [m | common for m in messages])
    return [int(i) for i in result.scalars()]


async def queue_outbound(
    tx: AsyncSession,
    *,
    channel: str,
    address_id: int | None,
    participant_id: int | None,
    kind: str,
    body: str | None,
    now: datetime,
) -> int:
    # A plain INSERT ... RETURNING: no unit-of-work flush (the outbox logs many at once).
    statement = (
        insert(Message)
        .values(
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
        .returning(Message.id)
    )
    return int((await tx.execute(statement)).scalar_one())


async def mark_sent(
    tx: AsyncSession, message_id: int, external_id: str | None, attempts: int, now: datetime
) -> None:
    await tx.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(status=MessageStatus.SENT, external_id=external_id, attempts=attempts, sent_at=now)
    )


async def mark_sent_many(
    tx: AsyncSession, sent: list[tuple[int, str | None, int]], now: datetime
) -> None:
    """`mark_sent` for many: (message id, the platform's id, attempts), one executemany."""
    if not sent:
        return
    table = cast(Table, Message.__table__)
    statement = (
        update(table)
        .where(table.c.id == bindparam("m_id"))
        .values(status=MessageStatus.SENT, external_id=bindparam("m_external"),
                attempts=bindparam("m_attempts"), sent_at=now)
    )  # fmt: skip
    rows = [{"m_id": i, "m_external": e, "m_attempts": a} for i, e, a in sent]
    await tx.execute(statement, rows)


async def record_results(tx: AsyncSession, results: list[dict[str, object]]) -> None:
    """Many send results at once: dicts with id, status, external_id, error, attempts, sent_at."""
    if results:
        await tx.execute(update(Message), results)


async def unsent_replies(
    tx: AsyncSession, dedupe_key: str
) -> list[tuple[int, str, dict[str, Any], datetime]]:
    """The replies to the inbound message `dedupe_key` that are logged but not sent (id, text,
    the rest of the reply, when it was logged), in order: a process stopped between its commit
    and its sends, or they are being sent right now."""
    inbound = (
        await tx.execute(
            select(Message.id, Message.address_id, Message.created_at).where(
                Message.dedupe_key == dedupe_key
            )
        )
    ).first()
    if inbound is None or inbound.address_id is None:
        return []
    query = (
        select(Message.id, Message.body, Message.pending_reply, Message.created_at)
        .where(
            Message.address_id == inbound.address_id,
            Message.direction == "out",
            Message.status == MessageStatus.QUEUED,
            Message.created_at == inbound.created_at,
            Message.id > inbound.id,
            Message.pending_reply.is_not(None),
        )
        .order_by(Message.id)
    )
    return [
        (row.id, row.body or "", row.pending_reply, row.created_at)
        for row in await tx.execute(query)
    ]


async def mark_failed(tx: AsyncSession, message_id: int, error: str, attempts: int) -> None:
    await tx.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(status=MessageStatus.FAILED, error=error[:200], attempts=attempts)
    )


async def erase_bodies(tx: AsyncSession, participant_id: int) -> None:
    """Blank the texts of a participant's messages; the rows stay for anonymous counts."""
    await tx.execute(
        update(Message)
        .where(Message.participant_id == participant_id)
        .values(body=None, address_id=None, pending_reply=None)
    )


async def count_outbound_since(
    tx: AsyncSession, participant_id: int, kind: str, since: datetime
) -> int:
    """How many messages of `kind` went out to the participant since `since`."""
    query = select(func.count(Message.id)).where(
        Message.participant_id == participant_id,
        Message.direction == "out",
        Message.kind == kind,
        Message.created_at >= since,
    )
    return int((await tx.execute(query)).scalar_one())


@dataclass(frozen=True)
class StatusApplied:
    """The outbound message a status was about, after the status was applied."""

    message_id: int
    address_id: int | None
    status: str  # as it is now
    changed: bool  # False when the status told nothing new (a late "delivered" after "read")


# How far along a message is: a status never moves it back (statuses may arrive out of order).
_PROGRESS = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENT: 1,
    MessageStatus.DELIVERED: 2,
    MessageStatus.READ: 3,
}


async def apply_status(
    tx: AsyncSession,
    channel: str,
    external_id: str,
    status: str,
    at: datetime,
    error: str | None = None,
) -> StatusApplied | None:
    """Record what the platform says became of an outbound message (sent, delivered, read,
    failed), found by the id our send got back; None if no message has that id."""
    query = (
        select(Message)
        .where(
            Message.channel == channel,
            Message.external_id == external_id,
            Message.direction == "out",
        )
        .order_by(Message.id.desc())
        .limit(1)
        .with_for_update()
    )
    message = (await tx.execute(query)).scalar_one_or_none()
    if message is None:
        return None
    before = (message.status, message.delivered_at, message.read_at, message.error)
    if status == MessageStatus.FAILED:
        if message.status not in (MessageStatus.DELIVERED, MessageStatus.READ):
            message.status = MessageStatus.FAILED
            message.error = (error or "unknown")[:200]
    elif status in _PROGRESS and message.status != MessageStatus.FAILED:
        if status in (MessageStatus.DELIVERED, MessageStatus.READ):
            message.delivered_at = message.delivered_at or at
        if status == MessageStatus.READ:
            message.read_at = message.read_at or at
        if _PROGRESS[status] > _PROGRESS.get(message.status, 0):
            message.status = status
    await tx.flush()
    after = (message.status, message.delivered_at, message.read_at, message.error)
    return StatusApplied(message.id, message.address_id, message.status, before != after)
