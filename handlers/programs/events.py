"""Looking up what a scheduled message is about (a session or an appointment occurrence)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.i18n import _
from handlers.programs.refs import EventKind, EventRef
from handlers.reminders.text import Event
from storage.models import Occurrence, ProgramSession, SessionStatus


def session_event(event: ProgramSession) -> Event:
    return Event(
        ref=EventRef.session(event.id),
        title=event.display_title,
        starts_at=event.starts_at,
        place=event.place,
        map_url=event.map_url,
        bring=event.bring,
        contact=event.contact,
        reporting=event.program.kind == "reporting",
        seats_limited=event.capacity is not None,
    )


def occurrence_event(occurrence: Occurrence) -> Event:
    appointment = occurrence.appointment
    reporting = appointment.kind == "reporting"
    if reporting:
        title = _("Reporting at {organisation}").format(organisation=appointment.organisation.name)
    elif appointment.caseworker:
        title = _("Counselling with {caseworker}").format(caseworker=appointment.caseworker)
    else:
        title = _("Counselling session")
    return Event(
        ref=EventRef.occurrence(occurrence.id),
        title=title,
        starts_at=occurrence.starts_at,
        place=appointment.place,
        map_url=None,
        bring=appointment.bring,
        contact=appointment.contact,
        reporting=reporting,
    )


async def find_event(tx: AsyncSession, ref: EventRef) -> tuple[Event, bool] | None:
    """The event behind `ref`, and whether it is still on."""
    if ref.kind == EventKind.SESSION:
        found = await tx.get(ProgramSession, ref.id)
        if found is None:
            return None
        return session_event(found), found.status != SessionStatus.CANCELLED
    occurrence = await tx.get(Occurrence, ref.id)
    if occurrence is None:
        return None
    live = not occurrence.cancelled and occurrence.appointment.active
    return occurrence_event(occurrence), live
