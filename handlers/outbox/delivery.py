"""Turning claimed outbox rows into replies for the dispatcher, and recording how sending went.

What a kind says is not known here: each kind's package registered a render function
(handlers/outbox/registry.py).
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.i18n import _, use_language
from handlers.outbox.reachability import mark_unreachable
from handlers.outbox.recipients import Reader, Recipient, Unreachable, reach
from handlers.outbox.registry import Draft, Skip, spec_of
from handlers.outbox.reopen import open_payload
from handlers.reminders.discretion import guard
from handlers.reminders.rules import ReminderPolicy, too_late
from handlers.text import esc
from handlers.types import Reply, Template
from storage.addresses import addresses_of_many
from storage.messages import mark_failed, mark_sent, mark_sent_many, queue_outbound_many
from storage.models import (
    Address,
    Broadcast,
    Organisation,
    OutboxKind,
    Participant,
    ScheduledMessage,
    ScheduledStatus,
)
from storage.outbox import rows_by_id, settle, settle_sent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    row_id: int
    recipient: Recipient
    channel: str
    address: str
    reply: Reply
    message_id: int  # the queued row in the message log


async def prepare(
    tx: AsyncSession,
    row_ids: list[int],
    now: datetime,
    policy: ReminderPolicy,
    channels: Collection[str],
) -> list[Delivery]:
    """Render the claimed rows; rows that must not go out are settled as skipped or cancelled.

    The rendered messages are logged (queued) together, in one INSERT; a person's second row in
    one batch waits for their first to be logged, as a kind may count what they were sent.
    """
    deliveries: list[Delivery] = []
    rendered: list[Rendered] = []
    rows = await rows_by_id(tx, row_ids)
    addresses, _kept = await _read_ahead(tx, rows)
    waiting: set[Recipient] = set()  # whose messages are rendered but not logged yet
    for row in rows:
        if Recipient.of_row(row) in waiting:
            deliveries += await _log_queued(tx, rendered, now)
            rendered, waiting = [], set()
        known = addresses.get(row.participant_id) if row.participant_id is not None else None
        outcome = await _prepare_one(tx, row, now, policy, channels, known)
        if isinstance(outcome, Rendered):
            rendered.append(outcome)
            waiting.add(outcome.reader.recipient)
        else:
            await settle(tx, row.id, outcome.status, now, error=outcome.reason)
            log.info("outbox row %s %s: %s", row.id, outcome.status, outcome.reason)
    return deliveries + await _log_queued(tx, rendered, now)


@dataclass(frozen=True)
class Rendered:
    row: ScheduledMessage
    reader: Reader
    reply: Reply


async def _log_queued(tx: AsyncSession, rendered: list[Rendered], now: datetime) -> list[Delivery]:
    """The rendered messages in the message log as queued; their deliveries."""
    message_ids = await queue_outbound_many(
        tx,
        [
            {
                "channel": r.reader.channel,
                "address_id": r.reader.address.id,
                "participant_id": r.reader.recipient.participant_id,
                "kind": r.row.kind,
                # A message to staff shows participants' data, which a participant's erasure
                # could not find in the log: its text is not kept (the row can render it again).
                "body": r.reply.text if r.reader.staff is None else None,
            }
            for r in rendered
        ],
        now,
    )
    return [
        Delivery(r.row.id, r.reader.recipient, r.reader.channel, r.reader.address.value, r.reply, m)
        for r, m in zip(rendered, message_ids, strict=True)
    ]


async def _prepare_one(
    tx: AsyncSession,
    row: ScheduledMessage,
    now: datetime,
    policy: ReminderPolicy,
    channels: Collection[str],
    addresses: list[Address] | None = None,
) -> Rendered | Skip:
    spec = spec_of(row.kind)
    if spec is None:  # a row written by a newer version, or a package that was removed
        return Skip(ScheduledStatus.FAILED, f"no package registered the kind {row.kind!r}")
    reader = await reach(tx, Recipient.of_row(row), channels, addresses)
    if isinstance(reader, Unreachable):
        return Skip(ScheduledStatus.SKIPPED, reader.reason)
    if spec.timed and too_late(now, row.due_at, row.event_at, policy.grace):
        return Skip(ScheduledStatus.SKIPPED, "too late")
    with use_language(reader.language):
        reply = await spec.render(Draft(tx, row, reader, now))
        if isinstance(reply, Skip):
            return reply
        reply = replace(
            reply, language=reader.language, template=reply.template or update_template(row, reader)
        )
    if reader.discreet:
        reply = guard(reply, row.kind)
    if row.template_only:  # its free text was refused once (handlers/outbox/fallback.py)
        reply = replace(reply, template_only=True)
    if row.kind == OutboxKind.BROADCAST:  # one of many: it may go at a mass-messaging rate
        reply = replace(reply, bulk=True)
    return Rendered(row, reader, reply)


async def _read_ahead(
    tx: AsyncSession, rows: list[ScheduledMessage]
) -> tuple[dict[int, list[Address]], list[object]]:
    """What rendering a batch reads row by row, read in a few queries: the participants and
    their addresses, and the broadcasts the rows belong to with their organisations. The
    objects returned must be kept while the batch renders: the session holds its objects only
    weakly, and `tx.get` then finds them without a query."""
    participant_ids = {r.participant_id for r in rows if r.participant_id is not None}
    broadcast_ids = {r.broadcast_id for r in rows if r.broadcast_id is not None}
    kept: list[object] = []
    if participant_ids:
        query = select(Participant).where(Participant.id.in_(participant_ids))
        kept.extend((await tx.execute(query)).scalars())
    if broadcast_ids:
        broadcasts = list(
            (await tx.execute(select(Broadcast).where(Broadcast.id.in_(broadcast_ids)))).scalars()
        )
        organisation_ids = {b.organisation_id for b in broadcasts}
        organisations = select(Organisation).where(Organisation.id.in_(organisation_ids))
        kept.extend([*broadcasts, *(await tx.execute(organisations)).scalars()])
    return await addresses_of_many(tx, participant_ids), kept


def update_template(row: ScheduledMessage, reader: Reader) -> Template:
    """How a message without a template of its own is announced where free text is not allowed:
    "Hello <first name>, there is a new message for you", with a button that opens it."""
    if reader.participant is not None:
        name = reader.participant.name
    else:
        name = reader.staff.name if reader.staff is not None else None
    first = (name or "").split()[0] if (name or "").split() else ""
    return Template("update", (esc(first) if first else _("friend"),), (open_payload(row.id),))


async def complete(
    tx: AsyncSession,
    delivery: Delivery,
    now: datetime,
    *,
    ok: bool,
    external_id: str | None,
    error: str | None,
    unreachable: bool,
    attempts: int,
) -> None:
    """Record the platform's answer on both the outbox row and the message log."""
    if ok:
        await mark_sent(tx, delivery.message_id, external_id, attempts, now)
        await settle(tx, delivery.row_id, ScheduledStatus.SENT, now, message_id=delivery.message_id)
        return
    await mark_failed(tx, delivery.message_id, error or "unknown", attempts)
    await settle(
        tx,
        delivery.row_id,
        ScheduledStatus.FAILED,
        now,
        error=error,
        message_id=delivery.message_id,
    )
    if unreachable:
        await mark_unreachable(tx, delivery.channel, delivery.address, now)


@dataclass(frozen=True)
class Outcome:
    """How sending one delivery went (the platform's answer)."""

    delivery: Delivery
    ok: bool
    external_id: str | None = None
    error: str | None = None
    unreachable: bool = False
    attempts: int = 1


async def complete_all(tx: AsyncSession, outcomes: list[Outcome], now: datetime) -> None:
    """`complete` for many: the messages that went out are recorded in two statements in all;
    the others one by one (they may mark an address unreachable)."""
    sent = [o for o in outcomes if o.ok]
    await mark_sent_many(
        tx, [(o.delivery.message_id, o.external_id, o.attempts) for o in sent], now
    )
    await settle_sent(tx, [(o.delivery.row_id, o.delivery.message_id) for o in sent], now)
    for o in outcomes:
        if not o.ok:
            await complete(
                tx, o.delivery, now, ok=False, external_id=o.external_id, error=o.error,
                unreachable=o.unreachable, attempts=o.attempts,
            )  # fmt: skip
