"""/jadwalkan <number> (or "Jadwalkan" on a participant's card, or "Offer a new time" on a
request): an appointment in five short questions: kind, day, time, place
(handlers/staff/sessions/booking_questions.py), then confirm. The participant gets the usual
confirmation and reminders (handlers/programs/appointments.py)."""

from __future__ import annotations

from datetime import datetime

from handlers.flow import END, WAIT, Turn
from handlers.i18n import N_, _
from handlers.programs.admin import Refused
from handlers.programs.appointments import add_appointment
from handlers.staff.audit import AuditAction, audit_turn
from handlers.staff.commands import staff_button, staff_command, staff_payload, staff_step
from handlers.staff.menu import show_staff_menu
from handlers.staff.scope import StaffView, participant_in_scope
from handlers.staff.sessions.booking_questions import (
    KEY,
    KINDS,
    at_question,
    cancel_button,
    chosen_so_far,
    go,
    zone_of,
)
from handlers.staff.sessions.payloads import AnswerRef
from handlers.text import esc
from handlers.timefmt import format_when
from handlers.types import Button, Incoming
from handlers.understanding.choices import normalise
from storage.models import Appointment, Organisation, Participant, ParticipantStatus

DURATION = 60  # minutes


async def start_booking(
    turn: Turn,
    staff: StaffView,
    participant: Participant,
    *,
    answer: AnswerRef | None = None,
    kind: str | None = None,
    place: str | None = None,
) -> None:
    """Begin the questions for `participant` (already checked: the staff member acts on them)."""
    from handlers.staff.chat import enter_staff

    turn.remember(
        **{
            KEY: {
                "participant": participant.id,
                "answer": str(answer) if answer else None,
                "kind": kind if kind in KINDS else None,
                "place_default": place,
            }
        }
    )
    await enter_staff(turn, staff, "staff.appt_day" if kind in KINDS else "staff.appt_kind")


async def _participant(turn: Turn, staff: StaffView, argument: str | int) -> Participant | None:
    person = await participant_in_scope(turn.tx, staff, argument, act=True)
    if person is None or person.status == ParticipantStatus.ERASED:
        return None
    return person


def _no_such_participant(turn: Turn, staff: StaffView) -> None:
    show_staff_menu(turn, staff, _("There is no participant with that number that you can act on."))


async def schedule_command(turn: Turn, staff: StaffView, args: str) -> None:
    if not args.strip():
        await go(turn, staff, "staff.appt_who")
        return
    person = await _participant(turn, staff, args.strip())
    if person is None:
        _no_such_participant(turn, staff)
        return
    await start_booking(turn, staff, person)


async def ask_who(turn: Turn, _staff: StaffView) -> None:
    turn.say(
        _(
            "Who is the appointment for? Type their number (it is in /peserta), "
            'or press "Schedule" on their card.'
        ),
        (cancel_button(),),
    )


async def answer_who(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    person = await _participant(turn, staff, incoming.text)
    if person is None:
        turn.say(_("There is no participant with that number that you can act on."))
        return None
    await start_booking(turn, staff, person)
    return WAIT


async def schedule_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    """staff:appt:<participant>: the card's "Schedule" button."""
    person = await _participant(turn, staff, argument)
    if person is None:
        _no_such_participant(turn, staff)
        return
    await start_booking(turn, staff, person)


# --- confirm ------------------------------------------------------------------------------------


async def ask_confirm(turn: Turn, staff: StaffView) -> None:
    chosen = chosen_so_far(turn)
    person = await _participant(turn, staff, int(chosen.get("participant") or 0))
    if person is None:
        _no_such_participant(turn, staff)
        return
    zone = await zone_of(turn, staff)
    start = datetime.fromisoformat(str(chosen["start"]))
    turn.say(
        _("Schedule <b>{kind}</b> for <b>{name}</b>, {when}, at {place}?").format(
            kind=_(KINDS[str(chosen["kind"])]),
            name=esc(person.name or "-"),
            when=format_when(start, zone, turn.language),
            place=esc(str(chosen["place"])),
        )
        + "\n\n"
        + _("They will get a confirmation and reminders."),
        (
            Button(_("Yes, schedule it"), staff_payload("apy", "")),
            Button(_("Change the day"), staff_payload("apc", "")),
            cancel_button(),
        ),
    )


async def answer_confirm(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    if normalise(incoming.text) in ("ya", "iya", "yes", "ok", "oke", "benar"):
        return await _book(turn, staff)
    return None


async def confirm_pressed(turn: Turn, staff: StaffView, _argument: str) -> None:
    if await at_question(turn, staff, "appt_confirm"):
        await go(turn, staff, await _book(turn, staff))


async def change_pressed(turn: Turn, staff: StaffView, _argument: str) -> None:
    if await at_question(turn, staff, "appt_confirm"):
        await go(turn, staff, "staff.appt_day")


async def _book(turn: Turn, staff: StaffView) -> str:
    """Make the appointment (the scope checked again), and deal with the request it answers."""
    from handlers.staff.sessions.answers import find_request, mark_handled

    chosen = chosen_so_far(turn)
    person = await _participant(turn, staff, int(chosen.get("participant") or 0))
    organisation = await turn.tx.get(Organisation, staff.organisation_id)
    if person is None or organisation is None:
        _no_such_participant(turn, staff)
        return END
    appointment = Appointment(
        participant_id=person.id,
        organisation_id=organisation.id,
        kind=str(chosen["kind"]),
        caseworker=staff.name,
        starts_at=datetime.fromisoformat(str(chosen["start"])),
        duration_minutes=DURATION,
        timezone=organisation.timezone,
        place=str(chosen["place"]),
        contact=organisation.contact,
        active=True,
        created_at=turn.now,
    )
    try:
        await add_appointment(turn.tx, appointment, person, turn.now, turn.settings.reminders)
    except Refused:
        turn.say(_("That time has already passed. Please choose a later time."))
        return "staff.appt_day"
    await audit_turn(
        turn,
        staff,
        AuditAction.APPOINTMENT,
        participant_id=person.id,
        detail=f"appointment={appointment.id} kind={appointment.kind}",
    )
    if chosen.get("answer") and (request := await find_request(turn, staff, chosen["answer"])):
        await mark_handled(turn, staff, request, f"appointment={appointment.id}")
    when = format_when(appointment.starts_at, appointment.timezone, turn.language)
    text = _("Done: {kind} for {name}, {when}. They will get a confirmation and reminders.").format(
        kind=_(KINDS[appointment.kind]), name=esc(person.name or "-"), when=when
    )
    if person.status != ParticipantStatus.ACTIVE:
        text += "\n\n" + _(
            "They are not receiving messages from the bot now: please tell them yourself."
        )
    show_staff_menu(turn, staff, text)
    return END


staff_command(
    "jadwalkan",
    schedule_command,
    N_("Schedule an appointment for a participant"),
    title=N_("Schedule"),
    in_menu=False,
)
staff_button("appt", schedule_pressed)
staff_button("apy", confirm_pressed)
staff_button("apc", change_pressed)
staff_step("appt_who", ask_who, answer_who)
staff_step("appt_confirm", ask_confirm, answer_confirm)
