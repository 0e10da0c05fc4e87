"""Broadcasts made straight in the database for delivery tests: a confirmed broadcast (SENDING)
and one outbox row per recipient, as composing writes them (key `broadcast:<id>:<participant>`),
and participants with one chat each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select

from storage.broadcasts.figures import Figures, figures_of
from storage.db import Database
from storage.models import (
    Address,
    Broadcast,
    BroadcastStatus,
    OutboxKind,
    Participant,
    ParticipantStatus,
    ScheduledMessage,
)


async def add_recipient(
    db: Database,
    organisation_id: int,
    name: str,
    *,
    channel: str,
    address: str,
    caseworker_id: int | None = None,
    discreet: bool = False,
    language: str = "id",
    wrote_at: datetime | None = None,
    phone: str | None = None,
) -> int:
    """A signed-up participant of the organisation with one chat (who last wrote at `wrote_at`)."""
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        person = Participant(
            status=ParticipantStatus.ACTIVE, name=name, timezone="Asia/Jakarta",
            language=language, interests=[], consent_at=now, registered_at=now,
            organisation_id=organisation_id, caseworker_id=caseworker_id, discreet=discreet,
        )  # fmt: skip
        tx.add(person)
        await tx.flush()
        tx.add(
            Address(
                participant_id=person.id, channel=channel, value=address, alias=phone,
                last_inbound_at=wrote_at,
            )
        )  # fmt: skip
        return person.id


async def add_broadcast(
    db: Database,
    organisation_id: int,
    created_by: int | None,
    participant_ids: Iterable[int],
    *,
    text: str,
    text_en: str | None = None,
    neutral_text: str | None = None,
    due: datetime | dict[int, datetime] | None = None,
) -> int:
    """A confirmed broadcast and its recipients' rows, due at `due` (now; or per participant)."""
    now = datetime.now(UTC)
    ids = list(participant_ids)
    async with db.transaction() as tx:
        broadcast = Broadcast(
            organisation_id=organisation_id, created_by=created_by,
            status=BroadcastStatus.SENDING, text=text, text_en=text_en,
            neutral_text=neutral_text, audience={"organisation_id": organisation_id},
            recipients=len(ids), left_out={}, created_at=now, confirmed_at=now, written_at=now,
        )  # fmt: skip
        tx.add(broadcast)
        await tx.flush()
        for pid in ids:
            at = due.get(pid, now) if isinstance(due, dict) else due or now
            tx.add(
                ScheduledMessage(
                    key=f"broadcast:{broadcast.id}:{pid}", kind=OutboxKind.BROADCAST,
                    participant_id=pid, broadcast_id=broadcast.id, due_at=at,
                )
            )  # fmt: skip
        return broadcast.id


async def figures(db: Database, broadcast_id: int) -> Figures:
    async with db.transaction() as tx:
        return await figures_of(tx, broadcast_id)


async def broadcast_row(db: Database, broadcast_id: int) -> Broadcast:
    async with db.transaction() as tx:
        found = await tx.get(Broadcast, broadcast_id)
        assert found is not None
        return found


async def rows_of(db: Database, broadcast_id: int) -> list[ScheduledMessage]:
    async with db.transaction() as tx:
        query = (
            select(ScheduledMessage)
            .where(ScheduledMessage.broadcast_id == broadcast_id)
            .order_by(ScheduledMessage.id)
        )
        return list((await tx.execute(query)).scalars())
