"""A message the bot started that WhatsApp refused later because the person's 24 hours had passed
(a `failed` status with 131047): its outbox row goes once more, as its approved template."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.outbox import requeue_as_template

log = logging.getLogger(__name__)


async def send_as_template(tx: AsyncSession, message_id: int, now: datetime) -> bool:
    """Make the outbox row behind this message due now, to be rendered with `template_only`;
    False if the message came from no outbox row (a reply) or was its template already."""
    row_id = await requeue_as_template(tx, message_id, now)
    if row_id is None:
        return False
    log.info("outbox row %s due again as its template (message %s)", row_id, message_id)
    return True
