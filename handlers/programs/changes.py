"""What staff do to sessions (add, cancel, move, take attendance) and how participants hear of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.programs.refs import EventRef
from handlers.reminders.planning import enrol, follow_up_absence, notify_change, plan_session
from handlers.reminders.rules import ReminderPolicy
from storage.models import (
    Enrolment,
    EnrolmentStatus,
    Membership,
    OutboxKind,
    Participant,
    Program,
    ProgramSession,
    SessionStatus,
)
from storage.outbox import cancel_pending
from storage.programs import (
    enrolment_of,
    enrolments_of_session,
    first_waitlisted,
    members_of_program,
    upcoming_sessions_of_program,
)
from storage.upsert import insert_ignore


class ChangeError(ValueError):
    """A change staff asked for that cannot be made; the message says why."""


async def add_session(
    tx: AsyncSession, event: ProgramSession, now: datetime, policy: ReminderPolicy
) -> int:
    """Save a new session and enrol the program's members in it; returns how many were enrolled."""
    if event.ends_at <= event.starts_at:
        raise ChangeError("the session must end after it starts")
    tx.add(event)
    await tx.flush()
    await tx.refresh(event, ["program"])
    count = 0
    for participant_id in await members_of_program(tx, event.program_id):
        participant = await tx.get(Participant, participant_id)
        if participant is not None and event.starts_at > now:
            await enrol(tx, participant, event, now, policy, confirm=False)
            count += 1
    return count


async def enrol_in_program(
    tx: AsyncSession,
    participant: Participant,
    program: Program,
    now: datetime,
    policy: ReminderPolicy,
) -> int:
    """Membership in the whole program: every upcoming session, and those added later.

    Only the next session gets a confirmation message, so nobody receives ten at once.
    """
    await tx.execute(
        insert_ignore(tx, Membership).values(
            participant_id=participant.id, program_id=program.id, created_at=now
        )
    )
    sessions = await upcoming_sessions_of_program(tx, program.id, now)
    for index, event in enumerate(sessions):
        await enrol(tx, participant, event, now, policy, confirm=index == 0)
    return len(sessions)


@dataclass(frozen=True)
class Changed:
    notified: int  # participants who will be told
    reminders_cancelled: int


async def cancel_session(
    tx: AsyncSession, event: ProgramSession, now: datetime, policy: ReminderPolicy
) -> Changed:
    if event.status == SessionStatus.CANCELLED:
        raise ChangeError(f"session {event.id} is already cancelled")
    event.status = SessionStatus.CANCELLED
    cancelled = await cancel_pending(tx, session_id=event.id)
    notified = 0
    for enrolment in await enrolments_of_session(tx, event.id):
        participant = await tx.get(Participant, enrolment.participant_id)
        if participant is not None:
            notified += await notify_change(
                tx, participant, event, OutboxKind.CANCELLED, now, policy
            )
    return Changed(notified, cancelled)


async def move_session(
    tx: AsyncSession,
    event: ProgramSession,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    policy: ReminderPolicy,
    *,
    place: str | None = None,
) -> Changed:
    """New time (and maybe place): old reminders go, new ones are planned, everyone is told once."""
    if event.status == SessionStatus.CANCELLED:
        raise ChangeError(f"session {event.id} is cancelled; add a new session instead")
    if ends_at <= starts_at:
        raise ChangeError("the session must end after it starts")
    if starts_at <= now:
        raise ChangeError("the new start time is in the past")
    cancelled = await cancel_pending(tx, session_id=event.id)
    event.starts_at, event.ends_at = starts_at, ends_at
    if place:
        event.place = place
    event.status = SessionStatus.MOVED
    notified = 0
    for enrolment in await enrolments_of_session(tx, event.id):
        participant = await tx.get(Participant, enrolment.participant_id)
        if participant is None:
            continue
        notified += await notify_change(tx, participant, event, OutboxKind.MOVED, now, policy)
        if enrolment.status == EnrolmentStatus.ENROLLED:
            await plan_session(tx, participant, event, now, policy, confirm=False)
    return Changed(notified, cancelled)


async def mark_attendance(
    tx: AsyncSession,
    event: ProgramSession,
    participant: Participant,
    attended: bool,
    now: datetime,
    policy: ReminderPolicy,
) -> Enrolment:
    """Record attendance; a missed session earns one kind follow-up offering the next one."""
    enrolment = await enrolment_of(tx, participant.id, event.id)
    if enrolment is None:
        raise ChangeError(f"participant {participant.id} is not enrolled in session {event.id}")
    enrolment.attendance = "attended" if attended else "absent"
    enrolment.attendance_at = now
    if not attended:
        await follow_up_absence(tx, participant, now, policy, EventRef.session(event.id))
    return enrolment


async def withdraw(
    tx: AsyncSession, enrolment: Enrolment, now: datetime, policy: ReminderPolicy
) -> Enrolment | None:
    """Free a seat; the first on the waitlist moves up (and is told). Returns the promoted one."""
    was_seated = enrolment.status == EnrolmentStatus.ENROLLED
    enrolment.status = EnrolmentStatus.WITHDRAWN
    await cancel_pending(
        tx, session_id=enrolment.session_id, participant_id=enrolment.participant_id
    )
    if not was_seated:
        return None
    waiting = await first_waitlisted(tx, enrolment.session_id)
    if waiting is None:
        return None
    waiting.status = EnrolmentStatus.ENROLLED
    participant = await tx.get(Participant, waiting.participant_id)
    event = await tx.get(ProgramSession, waiting.session_id)
    if participant is not None and event is not None:
        await plan_session(tx, participant, event, now, policy, confirm=True, seat_freed=True)
    return waiting
