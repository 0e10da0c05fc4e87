"""/jadwal: my upcoming sessions and appointments, and open sessions I can join with a button."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handlers.flow import Turn
from handlers.i18n import _
from handlers.programs.events import occurrence_event, session_event
from handlers.programs.refs import EventRef, join_payload, parse_join
from handlers.reminders.planning import enrol, reminders_ahead
from handlers.reminders.text import Event, reminder_promise, when_line
from handlers.text import esc, fit
from handlers.types import Button
from storage.models import (
    Enrolment,
    EnrolmentStatus,
    Participant,
    ParticipantStatus,
    ProgramSession,
    SessionStatus,
)
from storage.programs import open_sessions_for, upcoming_enrolments, upcoming_occurrences

# What a participant said they want (sign-up interests) -> the kinds of program that offer it.
INTEREST_PROGRAMS = {
    "job_training": "job_training",
    "counselling": "counselling",
    "legal": "legal",
    "business": "economic",
    "schooling": "schooling",
    "other": "other",
}
LOOK_AHEAD = timedelta(days=60)
OPEN_LIMIT = 5


def _line(event: Event, participant: Participant, turn: Turn, note: str = "") -> str:
    when = when_line(event.starts_at, participant, turn.now)
    return f"• <b>{esc(event.title)}</b>{note}\n  {when}\n  📍 {esc(event.place)}"


async def show_schedule(turn: Turn) -> None:
    participant = turn.participant
    if participant is None or participant.status != ParticipantStatus.ACTIVE:
        turn.say(_("Your schedule appears here once you are signed up and receiving messages."))
        return
    lines: list[str] = []
    for enrolment in await upcoming_enrolments(turn.tx, participant.id, turn.now):
        note = " " + _("(waiting list)") if enrolment.status == EnrolmentStatus.WAITLISTED else ""
        lines.append(_line(session_event(enrolment.session), participant, turn, note))
    until = turn.now + LOOK_AHEAD
    for occurrence in await upcoming_occurrences(turn.tx, participant.id, turn.now, until):
        lines.append(_line(occurrence_event(occurrence), participant, turn))
    kinds = [INTEREST_PROGRAMS[i] for i in participant.interests if i in INTEREST_PROGRAMS]
    offers = await open_sessions_for(turn.tx, participant, kinds, turn.now, OPEN_LIMIT)
    text = (
        _("Your schedule:") + "\n\n" + "\n\n".join(lines)
        if lines
        else _("You have no sessions or appointments coming up.")
    )
    if offers:
        offer_lines = [_line(session_event(s), participant, turn) for s in offers]
        text += "\n\n" + _("Open sessions you can join:") + "\n\n" + "\n\n".join(offer_lines)
    buttons = tuple(
        Button(
            fit(_("Join: {title}").format(title=s.display_title)),
            join_payload(EventRef.session(s.id)),
        )
        for s in offers
    )
    turn.say(text, buttons)


async def join(turn: Turn, ref: str) -> None:
    """They pressed "Join" on an open session, or on the next session after one they missed."""
    participant = turn.participant
    session_ref = parse_join(ref)
    event = None
    if session_ref is not None:
        event = await turn.tx.get(ProgramSession, session_ref.id)
    usable = (
        participant is not None
        and participant.status == ParticipantStatus.ACTIVE
        and event is not None
        and event.status != SessionStatus.CANCELLED
        and event.starts_at > turn.now
        and (event.open or await _in_program(turn, participant.id, event.program_id))
    )
    if not usable:
        turn.say(
            _("Sorry, that session can no longer be joined. Type /jadwal to see what is open.")
        )
        return
    assert participant is not None and event is not None
    result = await enrol(
        turn.tx, participant, event, turn.now, turn.settings.reminders, confirm=False
    )
    info = session_event(event)
    if result.enrolment.status == EnrolmentStatus.WAITLISTED:
        turn.say(
            _(
                "<b>{title}</b> is full for now; you are on the waiting list and we will tell you when a seat is free."
            ).format(title=esc(info.title))
        )
    elif not result.new:
        turn.say(_("You are already signed up for <b>{title}</b>.").format(title=esc(info.title)))
    else:
        ahead = await reminders_ahead(turn.tx, participant.id, turn.now, info.ref)
        promise = reminder_promise(info, participant, ahead)
        turn.say(
            _("✅ You are booked for <b>{title}</b>.").format(title=esc(info.title))
            + "\n\n"
            + _line(info, participant, turn)
            + ("\n\n" + promise if promise else "")
        )


async def _in_program(turn: Turn, participant_id: int, program_id: int) -> bool:
    """Someone already enrolled in a program may join its other sessions."""
    query = (
        select(Enrolment.id)
        .join(ProgramSession, ProgramSession.id == Enrolment.session_id)
        .where(Enrolment.participant_id == participant_id, ProgramSession.program_id == program_id)
        .limit(1)
    )
    return (await turn.tx.execute(query)).first() is not None
