"""What the admin commands do to one-to-one appointments (counselling, mandatory reporting)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.programs.admin import Refused
from handlers.programs.values import local_label
from handlers.reminders.planning import notify_appointment_cancelled, plan_appointment
from handlers.reminders.rules import ReminderPolicy
from storage.models import Appointment, Occurrence, Participant
from storage.outbox import cancel_pending


async def add_appointment(
    tx: AsyncSession,
    appointment: Appointment,
    participant: Participant,
    now: datetime,
    policy: ReminderPolicy,
) -> int:
    """Save it and plan its occurrences and reminders; returns the occurrences planned."""
    if appointment.starts_at <= now:
        when = local_label(appointment.starts_at, appointment.timezone)
        raise Refused(f"the first appointment, {when}, is in the past")
    if appointment.until is not None and appointment.until <= appointment.starts_at:
        raise Refused("--until is before the first appointment")
    tx.add(appointment)
    await tx.flush()
    await plan_appointment(tx, appointment, participant, now, policy, confirm=True)
    query = select(func.count()).where(Occurrence.appointment_id == appointment.id)
    return int((await tx.execute(query)).scalar_one())


async def appointments_overview(
    tx: AsyncSession, participant_id: int | None, now: datetime
) -> list[tuple[Appointment, datetime | None]]:
    """Appointments with their next planned occurrence (None when there is none)."""
    upcoming = (
        select(func.min(Occurrence.starts_at))
        .where(
            Occurrence.appointment_id == Appointment.id,
            Occurrence.starts_at > now,
            Occurrence.cancelled.is_(False),
        )
        .scalar_subquery()
    )
    query = select(Appointment, upcoming).order_by(Appointment.id)
    if participant_id is not None:
        query = query.where(Appointment.participant_id == participant_id)
    return [(a, nxt) for a, nxt in (await tx.execute(query)).all()]


async def cancel_appointment(
    tx: AsyncSession, appointment_id: int, now: datetime, policy: ReminderPolicy
) -> tuple[int, int]:
    """Stop it: future occurrences cancelled, their unsent reminders too, and the participant told
    once (about the next one). Returns (occurrences cancelled, messages withdrawn)."""
    appointment = await tx.get(Appointment, appointment_id)
    if appointment is None:
        raise Refused(
            f"there is no appointment {appointment_id}; see `pendamping appointments list`"
        )
    if not appointment.active:
        raise Refused(f"appointment {appointment_id} is already cancelled")
    appointment.active = False
    query = select(Occurrence).where(
        Occurrence.appointment_id == appointment_id,
        Occurrence.starts_at > now,
        Occurrence.cancelled.is_(False),
    )
    ids = []
    for occurrence in (await tx.execute(query.order_by(Occurrence.starts_at))).scalars():
        occurrence.cancelled = True
        ids.append(occurrence.id)
    withdrawn = await cancel_pending(tx, occurrence_ids=ids)
    participant = await tx.get(Participant, appointment.participant_id)
    if ids and participant is not None:
        await notify_appointment_cancelled(tx, participant, ids[0], now, policy)
    return len(ids), withdrawn
