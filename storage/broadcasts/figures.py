"""A broadcast's figures, counted from its outbox rows and their messages: what the sender sees
while it runs, at the end, and in the list of past broadcasts. Every recipient is in exactly one
of waiting, sent, failed, skipped or cancelled, so the figures add up to the recipients."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Address, Message, ScheduledMessage, ScheduledStatus

WAITING = (ScheduledStatus.PENDING, ScheduledStatus.CLAIMED, ScheduledStatus.SENDING)


@dataclass(frozen=True)
class Figures:
    recipients: int  # outbox rows written
    waiting: int  # not sent yet (due later, or being sent now)
    sent: int  # a platform accepted it
    delivered: int  # of those sent, reached the phone (WhatsApp says so; Telegram does not)
    read: int  # of those sent, opened (WhatsApp, where read receipts are on)
    unreachable: int  # of those failed: blocked the bot or the chat is gone (now unreachable)
    failed: dict[str, int] = field(default_factory=dict)  # by reason (platform's error)
    skipped: dict[str, int] = field(default_factory=dict)  # by reason (stopped, erased, ...)
    cancelled: int = 0  # not sent because the broadcast was cancelled
    interrupted: int = 0  # the bot stopped mid-send: may have arrived, never sent again

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def finished(self) -> bool:
        return self.waiting == 0

    def adds_up(self) -> bool:
        return self.recipients == (
            self.waiting
            + self.sent
            + self.failed_total
            + self.skipped_total
            + self.cancelled
            + self.interrupted
        )


async def figures_of(tx: AsyncSession, broadcast_id: int) -> Figures:
    """Two grouped queries, whatever the audience's size."""
    rows = (
        await tx.execute(
            select(ScheduledMessage.status, ScheduledMessage.error, func.count())
            .where(ScheduledMessage.broadcast_id == broadcast_id)
            .group_by(ScheduledMessage.status, ScheduledMessage.error)
        )
    ).all()
    by_status: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for status, error, count in rows:
        by_status[status] += count
        if status == ScheduledStatus.FAILED:
            failed[error or "unknown"] += count
        elif status == ScheduledStatus.SKIPPED:
            skipped[error or "unknown"] += count
    delivered, read, unreachable = (
        await tx.execute(
            select(
                func.count(Message.delivered_at),
                func.count(Message.read_at),
                func.count(
                    case((ScheduledMessage.status == ScheduledStatus.FAILED, Address.blocked_at))
                ),
            )
            .select_from(ScheduledMessage)
            .join(Message, Message.id == ScheduledMessage.message_id)
            .outerjoin(Address, Address.id == Message.address_id)
            .where(ScheduledMessage.broadcast_id == broadcast_id)
        )
    ).one()
    return Figures(
        recipients=sum(by_status.values()),
        waiting=sum(by_status[s] for s in WAITING),
        sent=by_status[ScheduledStatus.SENT],
        # A "read" status may come without a "delivered" one: read implies delivered.
        delivered=max(delivered, read),
        read=read,
        unreachable=unreachable,
        failed=dict(failed),
        skipped=dict(skipped),
        cancelled=by_status[ScheduledStatus.CANCELLED],
        interrupted=by_status[ScheduledStatus.INTERRUPTED],
    )
