"""A test-only outbox kind whose every message says which row it is, and rows of it written in
bulk for a few people: to see that each row went out once, and to whom, whatever sent it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update

from handlers.outbox.registry import Draft, register
from handlers.types import Reply
from storage.db import Database
from storage.models import Address, ScheduledMessage, ScheduledStatus
from tests.helpers.bulk_broadcast import seed_broadcast

NUMBERED = "numbered"  # a real package adds a member to storage.models.OutboxKind instead
NUMBER = re.compile(r"Pesan nomor (\d+)\b")


async def render_numbered(draft: Draft) -> Reply:
    return Reply(f"Pesan nomor {draft.row.id} untuk Anda.")


register(NUMBERED, render=render_numbered)


def row_of(text: str) -> int:
    """The outbox row a sent message was rendered from."""
    found = NUMBER.search(text)
    assert found is not None, "not a numbered message"
    return int(found.group(1))


async def seed_numbered(
    db: Database, channel: str, people: int, each: int, due_at: datetime
) -> dict[int, str]:
    """`people` participants reached on `channel` (they wrote to the bot just now), `each`
    numbered rows for every one of them, all due at `due_at`. Returns row id -> address."""
    seeded = await seed_broadcast(db, [channel] * people, due_at)
    async with db.transaction() as tx:
        await tx.execute(
            update(Address)
            .values(last_inbound_at=datetime.now(UTC))
            .where(Address.channel == channel)
        )
        owners = dict(
            (await tx.execute(select(Address.participant_id, Address.value))).tuples().all()
        )
        await tx.execute(  # the broadcast's own rows become the first numbered ones
            update(ScheduledMessage)
            .where(ScheduledMessage.broadcast_id == seeded.broadcast_id)
            .values(kind=NUMBERED, broadcast_id=None)
        )
        rows = [
            {
                "key": f"numbered:{participant}:{n}",
                "kind": NUMBERED,
                "participant_id": participant,
                "due_at": due_at + timedelta(microseconds=n),
                "status": ScheduledStatus.PENDING,
                "attempts": 0,
            }
            for n in range(1, each)
            for participant in owners
        ]
        if rows:
            await tx.execute(insert(ScheduledMessage), rows)
        query = select(ScheduledMessage.id, ScheduledMessage.participant_id)
        return {row_id: owners[pid] for row_id, pid in (await tx.execute(query)).tuples()}
