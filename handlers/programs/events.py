"""Looking up what a scheduled message is about (a session or an appointment occurrence)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.i18n import _
from handlers.reminders.text import Event
from storage.models import Occurrence, ProgramSession, SessionStatus


def session_event(event: ProgramSession) -> Event:
    return Event(
        ref=f"s{event.id}",
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
        ref=f"o{occurrence.id}",
        title=title,
        starts_at=occurrence.starts_at,
        place=appointment.place,
        map_url=None,
        bring=appointment.bring,
        contact=appointment.contact,
        reporting=reporting,
    )


async def find_event(tx: AsyncSession, ref: str) -> tuple[Event, bool] | None:
    """The event behind "s12" / "o34", and whether it is still on."""
    kind, number = ref[:1], ref[1:]
    if not number.isdigit():
        return None
    if kind == "s":
        found = await tx.get(ProgramSession, int(number))
        if found is None:
            return None
        return session_event(found), found.status != SessionStatus.CANCELLED
    if kind == "o":
        occurrence = await tx.get(Occurrence, int(number))
        if occurrence is None:
            return None
        live = not occurrence.cancelled and occurrence.appointment.active
        return occurrence_event(occurrence), live
    return None
