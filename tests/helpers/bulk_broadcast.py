"""A confirmed broadcast written straight into the database: the broadcast row, its recipients
(active participants with one address each) and one outbox row per recipient, in bulk.

For the outbox's lane tests and bench/broadcast.py; composing a broadcast is handlers/broadcasts'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert

from storage.db import Database
from storage.models import (
    Address,
    Broadcast,
    BroadcastStatus,
    Organisation,
    OutboxKind,
    Participant,
    ScheduledMessage,
    ScheduledStatus,
)

TEXT = "Pelatihan las batch baru dibuka Senin depan. Daftar di kantor kami."
CHUNK = 2_000  # rows per INSERT


@dataclass(frozen=True)
class Seeded:
    broadcast_id: int
    addresses: dict[str, list[str]]  # by channel, in the order their rows fall due


def address_value(channel: str, n: int) -> str:
    """The n-th recipient's address on `channel`: a Telegram chat id or a WhatsApp number."""
    return str(5_000_000 + n) if channel == "telegram" else f"62812{n:08d}"


async def seed_broadcast(
    db: Database,
    channels: Sequence[str],
    due_at: datetime,
    *,
    text: str = TEXT,
    organisation: str = "Bapas Kelas I Semarang",
    start: int = 0,
) -> Seeded:
    """One recipient per entry of `channels` (their channel), their outbox rows due at `due_at`
    in that order. `start` numbers the addresses (to seed a second broadcast to other people)."""
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        org_id = (
            await tx.execute(
                insert(Organisation).returning(Organisation.id),
                [{"name": f"{organisation} {start}", "kind": "bapas", "timezone": "Asia/Jakarta"}],
            )
        ).scalar_one()
        broadcast_id = (
            await tx.execute(
                insert(Broadcast).returning(Broadcast.id),
                [
                    {
                        "organisation_id": org_id,
                        "status": BroadcastStatus.SENDING,
                        "text": text,
                        "audience": {"organisation_id": org_id},
                        "recipients": len(channels),
                        "left_out": {},
                        "confirmed_at": now,
                        "written_at": now,  # its rows are written below, in bulk
                    }
                ],
            )
        ).scalar_one()
    addresses: dict[str, list[str]] = {}
    for first in range(0, len(channels), CHUNK):
        part = channels[first : first + CHUNK]
        numbers = range(start + first, start + first + len(part))
        async with db.transaction() as tx:
            people = [
                {
                    "status": "active",
                    "name": f"Peserta {n}",
                    "timezone": "Asia/Jakarta",
                    "language": "id",
                    "interests": [],
                    "organisation_id": org_id,
                }
                for n in numbers
            ]
            ids = list(
                (await tx.execute(insert(Participant).returning(Participant.id), people)).scalars()
            )
            values = [address_value(c, n) for c, n in zip(part, numbers, strict=True)]
            await tx.execute(
                insert(Address),
                [
                    # WhatsApp: they wrote recently, so the free text goes (no template needed)
                    {"participant_id": pid, "channel": c, "value": v, "last_inbound_at": now}
                    for pid, c, v in zip(ids, part, values, strict=True)
                ],
            )
            await tx.execute(
                insert(ScheduledMessage),
                [
                    {
                        "key": f"broadcast:{broadcast_id}:{pid}",
                        "kind": OutboxKind.BROADCAST,
                        "participant_id": pid,
                        "broadcast_id": broadcast_id,
                        "due_at": due_at,
                        "status": ScheduledStatus.PENDING,
                        "attempts": 0,
                    }
                    for pid in ids
                ],
            )
            for c, v in zip(part, values, strict=True):
                addresses.setdefault(c, []).append(v)
    return Seeded(broadcast_id, addresses)
