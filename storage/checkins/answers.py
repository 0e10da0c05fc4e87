"""Queries on check-ins: start, resume and finish them; who stopped answering; schedules; media."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Checkin,
    CheckinHelp,
    CheckinSchedule,
    CheckinStatus,
    OutboxKind,
    Participant,
    ScheduledMessage,
    ScheduledStatus,
)

RESUMABLE = timedelta(days=1)  # a check-in left half-way can be continued for this long
UNANSWERED_AFTER = timedelta(days=2)  # a prompt (and its nudge a day later) with no answer
NUDGE_AFTER = timedelta(days=1)  # the one nudge comes this long after an unanswered prompt


async def start_checkin(
    tx: AsyncSession, participant: Participant, channel: str, now: datetime
) -> Checkin:
    """A new check-in, linked to the latest prompt they were sent and have not answered yet."""
    checkin = Checkin(
        participant_id=participant.id,
        organisation_id=participant.organisation_id,
        started_at=now,
        status=CheckinStatus.PARTIAL,
        channel=channel,
        help_answered=False,
        note_answered=False,
        media_stored=False,
        prompt_id=await open_prompt(tx, participant.id, now),
    )
    tx.add(checkin)
    await tx.flush()
    return checkin


async def open_prompt(tx: AsyncSession, participant_id: int, now: datetime) -> int | None:
    """The latest check-in prompt sent to them in the last two days that no check-in answers."""
    answered = exists().where(Checkin.prompt_id == ScheduledMessage.id)
    query = (
        select(ScheduledMessage.id)
        .where(
            ScheduledMessage.participant_id == participant_id,
            ScheduledMessage.kind == OutboxKind.CHECKIN,
            ScheduledMessage.status == ScheduledStatus.SENT,
            ScheduledMessage.sent_at >= now - UNANSWERED_AFTER,
            ~answered,
        )
        .order_by(ScheduledMessage.sent_at.desc())
        .limit(1)
    )
    return (await tx.execute(query)).scalar_one_or_none()


async def resumable(tx: AsyncSession, participant_id: int, now: datetime) -> Checkin | None:
    """Their check-in left half-way less than a day ago, if any."""
    query = (
        select(Checkin)
        .where(
            Checkin.participant_id == participant_id,
            Checkin.status == CheckinStatus.PARTIAL,
            Checkin.started_at >= now - RESUMABLE,
        )
        .order_by(Checkin.started_at.desc())
        .limit(1)
    )
    return (await tx.execute(query)).scalar_one_or_none()


async def answered_since(tx: AsyncSession, participant_id: int, since: datetime) -> bool:
    """Did they begin a check-in (from the prompt or on their own) at or after `since`?"""
    query = select(Checkin.id).where(
        Checkin.participant_id == participant_id,
        Checkin.started_at >= since,
        Checkin.status != CheckinStatus.EXPIRED,
    )
    return (await tx.execute(query.limit(1))).first() is not None


async def set_needs(tx: AsyncSession, checkin: Checkin, needs: Sequence[str]) -> None:
    await tx.execute(delete(CheckinHelp).where(CheckinHelp.checkin_id == checkin.id))
    for need in dict.fromkeys(needs):
        tx.add(CheckinHelp(checkin_id=checkin.id, need=need))
    checkin.help_answered = True
    await tx.flush()


async def needs_of(tx: AsyncSession, checkin_id: int) -> list[str]:
    query = select(CheckinHelp.need).where(CheckinHelp.checkin_id == checkin_id)
    return list((await tx.execute(query.order_by(CheckinHelp.id))).scalars())


async def checkins_of(tx: AsyncSession, participant_id: int) -> list[Checkin]:
    """Every check-in of one person, oldest first."""
    query = select(Checkin).where(Checkin.participant_id == participant_id)
    return list((await tx.execute(query.order_by(Checkin.started_at, Checkin.id))).scalars())


async def expire_unanswered(tx: AsyncSession, now: datetime) -> int:
    """Record each prompt sent more than two days ago that nobody answered as an expired check-in
    (idempotent); returns how many were recorded."""
    answered = exists().where(Checkin.prompt_id == ScheduledMessage.id)
    query = select(ScheduledMessage).where(
        ScheduledMessage.kind == OutboxKind.CHECKIN,
        ScheduledMessage.status == ScheduledStatus.SENT,
        ScheduledMessage.sent_at < now - UNANSWERED_AFTER,
        ~answered,
    )
    added = 0
    for prompt in (await tx.execute(query)).scalars():
        assert prompt.sent_at is not None and prompt.participant_id is not None  # kind CHECKIN
        if await answered_since(tx, prompt.participant_id, prompt.sent_at):
            continue  # answered with /kabar instead of the button, before the link was made
        participant = await tx.get(Participant, prompt.participant_id)
        tx.add(
            Checkin(
                participant_id=prompt.participant_id,
                organisation_id=participant.organisation_id if participant else None,
                started_at=prompt.sent_at,
                status=CheckinStatus.EXPIRED,
                help_answered=False,
                note_answered=False,
                media_stored=False,
                prompt_id=prompt.id,
            )
        )
        added += 1
    await tx.flush()
    return added


async def unresponsive(tx: AsyncSession, participant_ids: Collection[int]) -> set[int]:
    """Those among `participant_ids` whose last two check-ins both went unanswered ("tidak
    merespons", for the digest and the card)."""
    if not participant_ids:
        return set()
    query = (
        select(Checkin.participant_id, Checkin.status)
        .where(Checkin.participant_id.in_(list(participant_ids)))
        .order_by(Checkin.participant_id, Checkin.started_at.desc(), Checkin.id.desc())
    )
    last_two: dict[int, list[str]] = {}
    for participant_id, status in (await tx.execute(query)).tuples():
        statuses = last_two.setdefault(participant_id, [])
        if len(statuses) < 2:
            statuses.append(status)
    return {
        pid
        for pid, statuses in last_two.items()
        if statuses == [CheckinStatus.EXPIRED, CheckinStatus.EXPIRED]
    }


async def schedule_days(
    tx: AsyncSession, organisation_id: int | None, program_ids: Sequence[int]
) -> list[int] | None:
    """The days a program of theirs (the first with a schedule) or their organisation set; None:
    the default."""
    if organisation_id is None and not program_ids:
        return None
    query = select(CheckinSchedule)
    rows = list((await tx.execute(query.order_by(CheckinSchedule.id))).scalars())
    for program_id in sorted(program_ids):
        for row in rows:
            if row.program_id == program_id:
                return list(row.days)
    for row in rows:
        if row.organisation_id == organisation_id and row.program_id is None:
            return list(row.days)
    return None


async def set_schedule(
    tx: AsyncSession, organisation_id: int, program_id: int | None, days: Sequence[int]
) -> None:
    query = select(CheckinSchedule).where(
        CheckinSchedule.organisation_id == organisation_id,
        CheckinSchedule.program_id.is_(None)
        if program_id is None
        else CheckinSchedule.program_id == program_id,
    )
    row = (await tx.execute(query)).scalar_one_or_none()
    if row is None:
        tx.add(CheckinSchedule(organisation_id=organisation_id, program_id=program_id, days=[]))
        await tx.flush()
        row = (await tx.execute(query)).scalar_one()
    row.days = sorted({int(day) for day in days})


async def media_to_keep(tx: AsyncSession, channel: str) -> list[Checkin]:
    """Check-ins whose voice note or photo is still only the platform's media id on `channel`
    (WhatsApp's expire): the media download calls this, stores each, then `keep_media`."""
    query = select(Checkin).where(
        Checkin.channel == channel,
        Checkin.media_ref.is_not(None),
        Checkin.media_stored.is_(False),
        Checkin.media_problem.is_(None),
    )
    return list((await tx.execute(query.order_by(Checkin.id))).scalars())


async def keep_media(tx: AsyncSession, checkin_id: int, stored_ref: str) -> None:
    """The media of a check-in is in the media store now, under `stored_ref`."""
    await tx.execute(
        update(Checkin)
        .where(Checkin.id == checkin_id)
        .values(media_ref=stored_ref, media_stored=True)
    )


async def erase_checkins(tx: AsyncSession, participant_id: int) -> None:
    """Erasure: what they typed or said goes; the answers stay, anonymous, for counting."""
    await tx.execute(
        update(Checkin)
        .where(Checkin.participant_id == participant_id)
        .values(
            free_text=None, media_ref=None, media_kind=None, media_stored=False, media_problem=None
        )
    )


async def cancel_nudges(tx: AsyncSession, participant_id: int, now: datetime) -> int:
    """They are answering: the nudge planned after a prompt they were sent is not needed."""
    result = await tx.execute(
        update(ScheduledMessage)
        .where(
            ScheduledMessage.participant_id == participant_id,
            ScheduledMessage.kind == OutboxKind.CHECKIN_NUDGE,
            ScheduledMessage.status == ScheduledStatus.PENDING,
            ScheduledMessage.due_at <= now + NUDGE_AFTER,
        )
        .values(status=ScheduledStatus.SKIPPED, error="answered")  # never revived
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CheckinSummary:
    """One person's check-ins, counted, for exports."""

    complete: int
    partial: int
    unanswered: int
    last_at: datetime | None  # the last one they answered (complete or partial)
    last_mood: int | None


async def checkin_summaries(tx: AsyncSession) -> dict[int, CheckinSummary]:
    """Every participant's check-ins, counted (one query, for the participants' export)."""
    query = select(
        Checkin.participant_id, Checkin.status, Checkin.started_at, Checkin.mood
    ).order_by(Checkin.participant_id, Checkin.started_at, Checkin.id)
    counts: dict[int, dict[str, int]] = {}
    last: dict[int, tuple[datetime, int | None]] = {}
    for participant_id, status, started_at, mood in (await tx.execute(query)).tuples():
        mine = counts.setdefault(participant_id, {})
        mine[status] = mine.get(status, 0) + 1
        if status != CheckinStatus.EXPIRED:
            last[participant_id] = (started_at, mood if mood is not None else None)
    return {
        pid: CheckinSummary(
            complete=mine.get(CheckinStatus.COMPLETE, 0),
            partial=mine.get(CheckinStatus.PARTIAL, 0),
            unanswered=mine.get(CheckinStatus.EXPIRED, 0),
            last_at=last[pid][0] if pid in last else None,
            last_mood=last[pid][1] if pid in last else None,
        )
        for pid, mine in counts.items()
    }
