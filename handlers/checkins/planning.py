"""Planning check-ins as outbox rows: a prompt on each day of the schedule and, a day later, one
nudge (sent only if the prompt went unanswered). Idempotent; a changed date re-plans."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.checkins.schedule import DEFAULT_DAYS, base_date, prompt_time
from handlers.outbox.queue import OUTBOX_CHANGED, enqueue
from handlers.outbox.recipients import Recipient
from handlers.reminders.rules import ReminderPolicy
from storage.checkins.answers import NUDGE_AFTER, expire_unanswered, schedule_days
from storage.models import (
    Membership,
    OutboxKind,
    Participant,
    ParticipantStatus,
    ScheduledMessage,
    ScheduledStatus,
)

log = logging.getLogger(__name__)

KINDS = (OutboxKind.CHECKIN, OutboxKind.CHECKIN_NUDGE)


def prompt_key(participant_id: int, day: int, on: str) -> str:
    return f"{OutboxKind.CHECKIN}:p{participant_id}:d{day}:{on}"


def nudge_key(prompt: str) -> str:
    return prompt.replace(f"{OutboxKind.CHECKIN}:", f"{OutboxKind.CHECKIN_NUDGE}:", 1)


def prompt_of(nudge: str) -> str:
    return nudge.replace(f"{OutboxKind.CHECKIN_NUDGE}:", f"{OutboxKind.CHECKIN}:", 1)


async def days_for(tx: AsyncSession, participant: Participant) -> tuple[int, ...]:
    """Their program's schedule, else their organisation's, else the default."""
    query = select(Membership.program_id).where(Membership.participant_id == participant.id)
    programs = list((await tx.execute(query)).scalars())
    days = await schedule_days(tx, participant.organisation_id, programs)
    return DEFAULT_DAYS if days is None else tuple(days)


async def plan_checkins(
    tx: AsyncSession,
    participant: Participant,
    now: datetime,
    policy: ReminderPolicy,
    horizon: timedelta | None = None,
) -> int:
    """Rows for every check-in still ahead (and its nudge), or only those due within `horizon`
    (the hourly job: the rest come in a later hour); rows planned for another date are
    cancelled; none for people who are not active. Returns how many rows were new."""
    if participant.status != ParticipantStatus.ACTIVE:
        return 0
    base = base_date(participant.release_date, participant.consent_at, participant.timezone)
    if base is None:
        return 0
    planned = await _planned(tx, participant.id)
    kept = {row.key for row in planned if row.status != ScheduledStatus.CANCELLED}
    wanted: dict[str, tuple[str, datetime]] = {}
    for day in await days_for(tx, participant):
        at = prompt_time(base, day, participant.timezone, participant.contact_time, policy.quiet)
        key = prompt_key(participant.id, day, base.isoformat())
        if at >= now:
            wanted[key] = (OutboxKind.CHECKIN, at)
        elif key not in kept or at + NUDGE_AFTER < now:
            continue
        # The nudge a day later, also once its prompt has gone out (the planner runs every hour
        # in between; the nudge itself goes only if the prompt was sent and is still unanswered).
        wanted[nudge_key(key)] = (OutboxKind.CHECKIN_NUDGE, at + NUDGE_AFTER)
    pending = [row for row in planned if row.status == ScheduledStatus.PENDING]
    for row in pending:
        if row.due_at <= now:
            continue  # due already: the dispatcher is about to send it
        if row.key not in wanted:
            row.status = ScheduledStatus.CANCELLED  # another date or schedule now
            row.error = "re-planned"
            tx.info[OUTBOX_CHANGED] = True
        elif row.due_at != wanted[row.key][1]:
            row.due_at = wanted[row.key][1]  # another time of day
            tx.info[OUTBOX_CHANGED] = True
    # Sent, skipped... rows stay as they are; cancelled ones come back if their date does again.
    until = now + horizon if horizon is not None else None
    added = 0
    for key, (kind, at) in wanted.items():
        if key in kept or (until is not None and at > until):
            continue
        added += await enqueue(
            tx, kind=kind, recipient=Recipient(participant.id), key=key, due_at=at
        )
    return added


async def _planned(tx: AsyncSession, participant_id: int) -> list[ScheduledMessage]:
    """Their check-in rows, whatever their status."""
    query = select(ScheduledMessage).where(
        ScheduledMessage.participant_id == participant_id,
        ScheduledMessage.kind.in_([str(kind) for kind in KINDS]),
    )
    return list((await tx.execute(query)).scalars())


PLAN_BATCH = 200  # participants planned per transaction by the planner job
# How far ahead the hourly job writes rows: a year of check-ins for thousands of people at once
# would hold the machine for minutes; an hourly job needs only the next few days.
HORIZON = timedelta(days=3)


async def plan_checkins_after(
    tx: AsyncSession, now: datetime, policy: ReminderPolicy, after: int, limit: int = PLAN_BATCH
) -> tuple[int, int | None]:
    """One batch of the planner job: the active participants with an id above `after`. Returns
    the rows added and the last id planned (None when nobody was left)."""
    query = (
        select(Participant)
        .where(Participant.status == ParticipantStatus.ACTIVE, Participant.id > after)
        .order_by(Participant.id)
        .limit(limit)
    )
    people = list((await tx.execute(query)).scalars())
    added = 0
    for participant in people:
        added += await plan_checkins(tx, participant, now, policy, HORIZON)
    return added, people[-1].id if people else None


async def plan_all_checkins(tx: AsyncSession, now: datetime, policy: ReminderPolicy) -> int:
    """The planner job in one transaction (the command line, tests): check-ins for every active
    participant, and unanswered prompts recorded as expired check-ins (for "tidak merespons").
    The running bot does the same a batch per transaction (bot/outbox/scheduler.py)."""
    added, after = 0, 0
    while True:
        more, last = await plan_checkins_after(tx, now, policy, after)
        if last is None:
            break
        added, after = added + more, last
    expired = await expire_unanswered(tx, now)
    if expired:
        log.info("%d check-in prompt(s) went unanswered", expired)
    return added
