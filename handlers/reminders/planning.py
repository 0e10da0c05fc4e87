"""Planning reminders as outbox rows: on enrolment, on changes, after a missed session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.outbox.queue import enqueue
from handlers.outbox.recipients import Recipient
from handlers.programs.recurrence import occurrences
from handlers.programs.refs import EventRef, about_column
from handlers.reminders.rules import ReminderPolicy, next_allowed, offsets_for, planned_reminders
from handlers.reminders.text import PlannedReminder
from storage.models import (
    Appointment,
    Enrolment,
    EnrolmentStatus,
    Occurrence,
    OutboxKind,
    Participant,
    ParticipantStatus,
    ProgramSession,
    ScheduledMessage,
    ScheduledStatus,
)
from storage.programs import active_appointments, enrolment_of, seats_taken
from storage.upsert import insert_ignore


def consented(participant: Participant) -> bool:
    """Someone staff registered before release has a seat but no messages planned: those are
    planned once they claim their code and consent (handlers/prerelease/planning.py)."""
    return participant.status != ParticipantStatus.PREREGISTERED


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


async def _soon(
    tx: AsyncSession,
    participant: Participant,
    key: str,
    kind: OutboxKind,
    now: datetime,
    policy: ReminderPolicy,
    about: EventRef,
    event_at: datetime | None = None,
) -> bool:
    """A row that goes out now, or when the person's quiet hours end."""
    if not consented(participant):
        return False
    return await enqueue(
        tx,
        kind=kind,
        recipient=Recipient(participant.id),
        key=key,
        due_at=next_allowed(now, participant.timezone, policy.quiet),
        about=about,
        event_at=event_at,
    )


async def plan_session(
    tx: AsyncSession,
    participant: Participant,
    event: ProgramSession,
    now: datetime,
    policy: ReminderPolicy,
    *,
    confirm: bool,
    seat_freed: bool = False,
) -> int:
    """Rows for a confirmation (if asked) and each reminder still ahead; returns how many were new.

    `seat_freed`: the person moves up from the waiting list, so the confirmation says a seat came
    free (each time it happens)."""
    added = 0
    epoch = _epoch(event.starts_at)
    ref = EventRef.session(event.id)
    if confirm and event.starts_at > now:
        if seat_freed:
            key, kind = f"seat:{ref}:p{participant.id}:{epoch}:{_epoch(now)}", OutboxKind.SEAT
        else:
            key, kind = f"confirm:{ref}:p{participant.id}:{epoch}", OutboxKind.CONFIRMATION
        added += await _soon(tx, participant, key, kind, now, policy, ref, event.starts_at)
    offsets = offsets_for(event.reminder_offsets, event.program.reminder_offsets)
    key = f"remind:{ref}:p{participant.id}:{{offset}}:{epoch}"
    return added + await _reminders(
        tx, participant, key, event.starts_at, offsets, now, policy, ref
    )


async def _reminders(
    tx: AsyncSession,
    participant: Participant,
    key: str,
    starts_at: datetime,
    offsets: tuple[int, ...],
    now: datetime,
    policy: ReminderPolicy,
    about: EventRef,
) -> int:
    """A row per offset still ahead; `key` has an {offset} slot. Returns how many were new."""
    added = 0
    if not consented(participant):
        return added
    for offset, at in planned_reminders(starts_at, offsets, participant.timezone, policy.quiet):
        if at < now:
            continue  # its moment is gone (enrolled late); the confirmation covers it
        added += await enqueue(
            tx,
            kind=OutboxKind.REMINDER,
            recipient=Recipient(participant.id),
            key=key.format(offset=offset),
            due_at=at,
            about=about,
            event_at=starts_at,
            offset_minutes=offset,
        )
    return added


async def reminders_ahead(
    tx: AsyncSession, participant_id: int, now: datetime, about: EventRef
) -> list[PlannedReminder]:
    """The reminders about one session or occurrence still waiting to go out to the person."""
    query = select(ScheduledMessage.offset_minutes, ScheduledMessage.due_at).where(
        ScheduledMessage.participant_id == participant_id,
        ScheduledMessage.kind == OutboxKind.REMINDER,
        ScheduledMessage.status == ScheduledStatus.PENDING,
        ScheduledMessage.due_at > now,
        about_column(about) == about.id,
    )
    return [
        PlannedReminder(offset, due_at)
        for offset, due_at in (await tx.execute(query)).all()
        if offset is not None
    ]


@dataclass(frozen=True)
class Enrolled:
    enrolment: Enrolment
    new: bool  # False when they were already in


async def enrol(
    tx: AsyncSession,
    participant: Participant,
    event: ProgramSession,
    now: datetime,
    policy: ReminderPolicy,
    *,
    confirm: bool,
) -> Enrolled:
    """A seat if one is free, else the waitlist; idempotent."""
    existing = await enrolment_of(tx, participant.id, event.id)
    if existing is not None and existing.status != EnrolmentStatus.WITHDRAWN:
        return Enrolled(existing, new=False)
    full = event.capacity is not None and await seats_taken(tx, event.id) >= event.capacity
    status = EnrolmentStatus.WAITLISTED if full else EnrolmentStatus.ENROLLED
    if existing is None:
        existing = Enrolment(
            participant_id=participant.id, session_id=event.id, status=status, created_at=now
        )
        tx.add(existing)
        await tx.flush()
    else:
        existing.status = status
    if status == EnrolmentStatus.ENROLLED:
        await plan_session(tx, participant, event, now, policy, confirm=confirm)
    elif confirm:
        ref = EventRef.session(event.id)
        key = f"waitlisted:{ref}:p{participant.id}"
        await _soon(tx, participant, key, OutboxKind.WAITLISTED, now, policy, ref, event.starts_at)
    return Enrolled(existing, new=True)


async def notify_change(
    tx: AsyncSession,
    participant: Participant,
    event: ProgramSession,
    kind: OutboxKind,
    now: datetime,
    policy: ReminderPolicy,
) -> bool:
    """Tell one enrolled person that their session was cancelled or moved (once per change)."""
    # each move is news; a cancel happens once
    suffix = f":{_epoch(now)}" if kind == OutboxKind.MOVED else ""
    ref = EventRef.session(event.id)
    key = f"{kind}:{ref}:p{participant.id}{suffix}"
    # When it is about: a typed "hadir" after a change notice answers it (handlers/reminders/kinds.py).
    return await _soon(tx, participant, key, kind, now, policy, ref, event.starts_at)


async def notify_appointment_cancelled(
    tx: AsyncSession,
    participant: Participant,
    occurrence_id: int,
    now: datetime,
    policy: ReminderPolicy,
) -> bool:
    """Tell the participant their appointments from this occurrence on will not take place."""
    ref = EventRef.occurrence(occurrence_id)
    key = f"{OutboxKind.CANCELLED}:{ref}:p{participant.id}"
    return await _soon(tx, participant, key, OutboxKind.CANCELLED, now, policy, ref)


async def follow_up_absence(
    tx: AsyncSession,
    participant: Participant,
    now: datetime,
    policy: ReminderPolicy,
    missed: EventRef,
) -> bool:
    """One kind message to someone who missed a session or appointment."""
    key = f"{OutboxKind.FOLLOWUP}:{missed}:p{participant.id}"
    return await _soon(tx, participant, key, OutboxKind.FOLLOWUP, now, policy, missed)


async def plan_appointment(
    tx: AsyncSession,
    appointment: Appointment,
    participant: Participant,
    now: datetime,
    policy: ReminderPolicy,
    *,
    confirm: bool,
) -> int:
    """Occurrences within the planning horizon, and their reminders; idempotent."""
    window_end = now + policy.horizon
    starts = occurrences(
        appointment.starts_at,
        appointment.timezone,
        appointment.recurrence,
        appointment.until,
        now,
        window_end,
    )
    added = 0
    for index, start in enumerate(starts):
        await tx.execute(
            insert_ignore(tx, Occurrence).values(
                appointment_id=appointment.id, starts_at=start, cancelled=False
            )
        )
        occurrence = await _occurrence(tx, appointment.id, start)
        if occurrence.cancelled:
            continue
        ref = EventRef.occurrence(occurrence.id)
        if confirm and index == 0:
            added += await _soon(
                tx, participant, f"confirm:{ref}", OutboxKind.CONFIRMATION, now, policy, ref, start
            )
        key = f"remind:{ref}:{{offset}}"
        added += await _reminders(
            tx, participant, key, start, offsets_for(None, None), now, policy, ref
        )
    return added


async def plan_all_appointments(tx: AsyncSession, now: datetime, policy: ReminderPolicy) -> int:
    """The daily planner: extend every active appointment's occurrences up to the horizon."""
    added = 0
    for appointment in await active_appointments(tx):
        participant = await tx.get(Participant, appointment.participant_id)
        if participant is None:
            continue
        added += await plan_appointment(tx, appointment, participant, now, policy, confirm=False)
    return added


async def _occurrence(tx: AsyncSession, appointment_id: int, start: datetime) -> Occurrence:
    query = select(Occurrence).where(
        Occurrence.appointment_id == appointment_id, Occurrence.starts_at == start
    )
    return (await tx.execute(query)).scalar_one()
