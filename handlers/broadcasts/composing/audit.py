"""The audit log's rows of broadcasts: who sent what (the broadcast's id) to how many, with the
audience's definition; and who cancelled one. Ids, codes and counts only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.staff.audit import AuditAction, audit
from handlers.staff.scope import StaffView
from storage.broadcasts.audience import Audience
from storage.models import Broadcast


def _when(broadcast: Broadcast) -> str:
    if broadcast.local_date is None or broadcast.local_time is None:
        return "now"
    return f"{broadcast.local_date.isoformat()}T{broadcast.local_time:%H:%M}local"


async def audit_send(
    tx: AsyncSession, broadcast: Broadcast, *, staff: StaffView | None, channel: str, now: datetime
) -> None:
    audience = Audience.from_json(broadcast.audience)
    left = sum(int(n) for n in broadcast.left_out.values())
    neutral = "yes" if broadcast.neutral_text else "no"
    english = "yes" if broadcast.text_en else "no"
    await audit(
        tx,
        staff=staff,
        action=AuditAction.BROADCAST,
        channel=channel,
        now=now,
        organisation_id=broadcast.organisation_id,
        detail=(
            f"broadcast={broadcast.id} send recipients={broadcast.recipients} left_out={left} "
            f"at={_when(broadcast)} english={english} neutral={neutral} "
            f"audience: {audience.summary()}"
        )[:200],
    )


async def audit_cancel(
    tx: AsyncSession, broadcast: Broadcast, *, staff: StaffView | None, channel: str, now: datetime
) -> None:
    await audit(
        tx,
        staff=staff,
        action=AuditAction.BROADCAST,
        channel=channel,
        now=now,
        organisation_id=broadcast.organisation_id,
        detail=f"broadcast={broadcast.id} cancel",
    )
