"""`GET /healthz`: the database answers a real query and the outbox keeps up.

200 with a small JSON body when healthy; 503 with the reason when the database cannot be reached
or the oldest due-but-unsent outbox row has waited longer than the allowed lag (the dispatcher is
stuck, or the channel refuses everything). A load balancer or uptime monitor polls it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from storage.db import Database
from storage.models import ScheduledMessage, ScheduledStatus

log = logging.getLogger(__name__)

UNSENT = (ScheduledStatus.PENDING, ScheduledStatus.CLAIMED)  # due, and not handed to a platform


@dataclass(frozen=True)
class OutboxLag:
    due: int  # rows due now and not sent yet
    oldest_due_age: timedelta  # how long the oldest of them has waited (zero when none)


async def outbox_lag(tx: AsyncSession, now: datetime) -> OutboxLag:
    """One query on the (status, due_at) index."""
    query = select(func.count(), func.min(ScheduledMessage.due_at)).where(
        ScheduledMessage.status.in_(UNSENT), ScheduledMessage.due_at <= now
    )
    count, oldest = (await tx.execute(query)).one()  # MIN keeps the column's type: aware UTC
    return OutboxLag(int(count), now - oldest if oldest is not None else timedelta(0))


async def read_outbox_lag(db: Database) -> OutboxLag:
    async with db.transaction() as tx:
        return await outbox_lag(tx, datetime.now(UTC))


def health_route(db: Database, max_lag: timedelta) -> Route:
    async def healthz(_request: Request) -> Response:
        try:
            lag = await read_outbox_lag(db)
        except Exception as error:  # whatever the driver raises, the database is not answering
            log.warning("health check: the database did not answer (%s)", type(error).__name__)
            return JSONResponse(
                {"status": "failing", "reason": "the database does not answer"}, status_code=503
            )
        age = round(lag.oldest_due_age.total_seconds())
        body: dict[str, object] = {
            "status": "ok",
            "database": "ok",
            "outbox_due": lag.due,
            "outbox_oldest_due_seconds": age,
        }
        if lag.oldest_due_age > max_lag:
            limit = round(max_lag.total_seconds())
            reason = f"the oldest due outbox message has waited {age} s (limit {limit} s)"
            log.warning("health check: %s", reason)
            return JSONResponse(body | {"status": "failing", "reason": reason}, status_code=503)
        return JSONResponse(body)

    return Route("/healthz", healthz, methods=["GET"])
