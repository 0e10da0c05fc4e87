"""The outbox kinds about a session or an appointment: confirmations, reminders, change notices,
follow-ups. Registered with handlers/outbox/registry.py when this module is imported."""

from __future__ import annotations

from handlers.outbox.registry import Draft, Skip, register
from handlers.programs.events import find_event, session_event
from handlers.programs.refs import EventKind, EventRef
from handlers.reminders import text
from handlers.reminders.planning import reminders_ahead
from handlers.types import Reply
from storage.models import OutboxKind, Participant, ProgramSession, ScheduledStatus
from storage.programs import next_session_of_program


async def _about(
    draft: Draft, *, even_if_off: bool = False
) -> tuple[text.Event, Participant] | Skip:
    """The event the row is about (still on, unless `even_if_off`) and the participant it is for."""
    participant = draft.reader.participant
    ref = EventRef.of_row(draft.row)
    if participant is None or ref is None:
        return Skip(ScheduledStatus.FAILED, "an event message needs a participant and an event")
    found = await find_event(draft.tx, ref)
    if found is None:
        return Skip(ScheduledStatus.SKIPPED, "event gone")
    event, live = found
    if not live and not even_if_off:
        return Skip(ScheduledStatus.CANCELLED, "event cancelled")
    return event, participant


async def _booked(draft: Draft) -> Reply | Skip:
    about = await _about(draft)
    if isinstance(about, Skip):
        return about
    event, participant = about
    ahead = await reminders_ahead(draft.tx, participant.id, draft.now, event.ref)
    render = text.seat_free if draft.row.kind == OutboxKind.SEAT else text.confirmation
    return render(event, participant, draft.now, ahead)


async def _reminder(draft: Draft) -> Reply | Skip:
    about = await _about(draft)
    return about if isinstance(about, Skip) else text.reminder(*about, draft.now)


async def _waitlisted(draft: Draft) -> Reply | Skip:
    about = await _about(draft)
    return about if isinstance(about, Skip) else text.waitlisted(*about, draft.now)


async def _cancelled(draft: Draft) -> Reply | Skip:
    about = await _about(draft, even_if_off=True)
    return about if isinstance(about, Skip) else text.cancelled(*about, draft.now)


async def _moved(draft: Draft) -> Reply | Skip:
    about = await _about(draft)
    return about if isinstance(about, Skip) else text.moved(*about, draft.now)


async def _follow_up(draft: Draft) -> Reply | Skip:
    about = await _about(draft)
    if isinstance(about, Skip):
        return about
    event, participant = about
    following = None
    if event.ref.kind == EventKind.SESSION:
        missed = await draft.tx.get(ProgramSession, event.ref.id)
        if missed is not None:
            upcoming = await next_session_of_program(draft.tx, missed.program_id, draft.now)
            following = session_event(upcoming) if upcoming is not None else None
    return text.follow_up(event, participant, draft.now, following)


# timed: pointless once the event has begun; answerable: a typed "hadir" soon after answers it.
register(OutboxKind.CONFIRMATION, render=_booked, timed=True, answerable=True)
register(OutboxKind.SEAT, render=_booked, timed=True, answerable=True)
register(OutboxKind.WAITLISTED, render=_waitlisted, timed=True)
register(OutboxKind.REMINDER, render=_reminder, timed=True, answerable=True)
register(OutboxKind.CANCELLED, render=_cancelled)
register(OutboxKind.MOVED, render=_moved, answerable=True)
register(OutboxKind.FOLLOWUP, render=_follow_up)
