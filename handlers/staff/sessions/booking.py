"""/jadwalkan <number> (or "Jadwalkan" on a participant's card, or "Offer a new time" on a
request): an appointment in five short questions: kind, day, time, place, confirm. Days and times
are typed as staff say them ("besok", "senin", "12/12"; "9 pagi", "14.30") or chosen. The
participant gets the usual confirmation and reminders (handlers/programs/appointments.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from handlers.flow import END, WAIT, Turn
from handlers.i18n import N_, _
from handlers.programs.admin import Refused
from handlers.programs.appointments import add_appointment
from handlers.staff.audit import AuditAction, audit
from handlers.staff.commands import staff_button, staff_command, staff_payload, staff_step
from handlers.staff.menu import show_staff_menu
from handlers.staff.scope import StaffView, participant_in_scope
from handlers.staff.sessions.payloads import AnswerRef
from handlers.text import clean_line, esc, fit
from handlers.timefmt import format_when
from handlers.types import Button, Incoming, Kind
from handlers.understanding.choices import normalise
from handlers.understanding.dates import parse_clock, parse_day
from storage.models import Appointment, Organisation, Participant, ParticipantStatus
from storage.staff.agenda import last_appointment_place

KEY = "appointment"  # conversation data: what has been chosen so far
KINDS = {"counselling": N_("Counselling"), "reporting": N_("Reporting (wajib lapor)")}
KIND_WORDS = {
    "counselling": ("konseling", "konsultasi", "counselling", "counseling", "1"),
    "reporting": ("wajib lapor", "lapor", "reporting", "2"),
}
DAY_CHOICES = 8  # today and the next seven days; with "Cancel", 9 rows
TIMES = ("08:00", "09:00", "10:00", "11:00", "13:00", "14:00", "15:00")
PLACE_MIN, PLACE_MAX = 3, 200
DURATION = 60  # minutes


def _cancel() -> Button:
    return Button(_("Cancel"), staff_payload("cmd", "batal"))


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
        await _go(turn, staff, "staff.appt_who")
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
        (_cancel(),),
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


def _chosen(turn: Turn) -> dict[str, Any]:
    value = turn.data.get(KEY)
    return dict(value) if isinstance(value, dict) else {}


def _choose(turn: Turn, **values: Any) -> None:
    turn.remember(**{KEY: {**_chosen(turn), **values}})


async def _zone(turn: Turn, staff: StaffView) -> str:
    organisation = await turn.tx.get(Organisation, staff.organisation_id)
    assert organisation is not None
    return organisation.timezone


async def _at(turn: Turn, staff: StaffView, step: str) -> bool:
    """A button of question `step` was pressed: true if that question is the one open now."""
    conversation = turn.conversation
    live = conversation.expires_at is None or conversation.expires_at >= turn.now
    if live and conversation.step == f"staff.{step}":
        return True
    turn.say(_("That button is no longer valid."))
    show_staff_menu(turn, staff)
    return False


async def _go(turn: Turn, staff: StaffView, state: str | None) -> None:
    from handlers.staff.chat import enter_staff

    await enter_staff(turn, staff, state)


# --- kind ---------------------------------------------------------------------------------------


async def ask_kind(turn: Turn, _staff: StaffView) -> None:
    turn.say(
        _("Which appointment?"),
        (
            *(Button(_(title), staff_payload("apk", code)) for code, title in KINDS.items()),
            _cancel(),
        ),
    )


async def answer_kind(turn: Turn, _staff: StaffView, incoming: Incoming) -> str | None:
    typed = normalise(incoming.text)
    for code, words in KIND_WORDS.items():
        if typed in words:
            _choose(turn, kind=code)
            return "staff.appt_day"
    return None


async def kind_pressed(turn: Turn, staff: StaffView, code: str) -> None:
    if await _at(turn, staff, "appt_kind"):
        if code in KINDS:
            _choose(turn, kind=code)
            await _go(turn, staff, "staff.appt_day")
        else:
            await _go(turn, staff, None)


# --- day ----------------------------------------------------------------------------------------


async def ask_day(turn: Turn, staff: StaffView) -> None:
    zone = await _zone(turn, staff)
    today = turn.now.astimezone(ZoneInfo(zone)).date()
    buttons = []
    for ahead in range(DAY_CHOICES):
        day = today + timedelta(days=ahead)
        label = format_datetime(datetime.combine(day, time(12)), "EEE d/M", locale=turn.language)
        if ahead == 0:
            label = _("Today") + f" ({label})"
        elif ahead == 1:
            label = _("Tomorrow") + f" ({label})"
        buttons.append(Button(fit(label), staff_payload("apd", day.strftime("%Y%m%d"))))
    turn.say(
        _("Which day? Choose one, or type it, e.g. besok, senin, 12/12 or 12 Desember."),
        (*buttons, _cancel()),
    )


async def answer_day(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    zone = await _zone(turn, staff)
    day = parse_day(incoming.text, turn.now.astimezone(ZoneInfo(zone)).date())
    if day is None:
        turn.say(_("I did not understand that day (or it has passed)."))
        return None
    _choose(turn, day=day.isoformat())
    return "staff.appt_time"


async def day_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    if not await _at(turn, staff, "appt_day"):
        return
    try:
        day = datetime.strptime(argument, "%Y%m%d").date()
    except ValueError:
        await _go(turn, staff, None)
        return
    _choose(turn, day=day.isoformat())
    await _go(turn, staff, "staff.appt_time")


# --- time ---------------------------------------------------------------------------------------


async def ask_time(turn: Turn, _staff: StaffView) -> None:
    buttons = tuple(
        Button(t.replace(":", ".") if turn.language == "id" else t, staff_payload("apt", t))
        for t in TIMES
    )
    turn.say(
        _("What time? Choose one, or type it, e.g. 09.00, 9 pagi or 14:30."),
        (*buttons, _cancel()),
    )


async def _set_time(turn: Turn, staff: StaffView, clock: time) -> str | None:
    """Keeps the time if the moment it makes is still ahead; returns the next question."""
    chosen = _chosen(turn)
    zone = await _zone(turn, staff)
    try:
        day = date.fromisoformat(str(chosen.get("day")))
    except ValueError:
        return "staff.appt_day"
    moment = datetime.combine(day, clock, ZoneInfo(zone)).astimezone(UTC)
    if moment <= turn.now:
        turn.say(_("That time has already passed. Please choose a later time."))
        return None
    _choose(turn, start=moment.isoformat())
    return "staff.appt_place"


async def answer_time(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    clock = parse_clock(incoming.text)
    if clock is None:
        turn.say(_("I did not understand that time."))
        return None
    return await _set_time(turn, staff, clock)


async def time_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    if not await _at(turn, staff, "appt_time"):
        return
    clock = parse_clock(argument)
    await _go(turn, staff, await _set_time(turn, staff, clock) if clock else None)


# --- place --------------------------------------------------------------------------------------


async def _default_place(turn: Turn, staff: StaffView) -> str | None:
    chosen = _chosen(turn).get("place_default")
    if isinstance(chosen, str) and chosen:
        return chosen
    return await last_appointment_place(turn.tx, staff.organisation_id)


async def ask_place(turn: Turn, staff: StaffView) -> None:
    default = await _default_place(turn, staff)
    if default is None:
        turn.say(_("Where? Type the place, e.g. Kantor Bapas, Ruang Konseling 2."), (_cancel(),))
        return
    turn.say(
        _("Where? Type the place, or press the button for: {place}").format(place=esc(default)),
        (Button(fit(default), staff_payload("apl", "")), _cancel()),
    )


async def answer_place(turn: Turn, _staff: StaffView, incoming: Incoming) -> str | None:
    place = clean_line(incoming.text)
    if incoming.kind != Kind.TEXT or not PLACE_MIN <= len(place) <= PLACE_MAX:
        turn.say(_("Please type the place in a few words."))
        return None
    _choose(turn, place=place)
    return "staff.appt_confirm"


async def place_pressed(turn: Turn, staff: StaffView, _argument: str) -> None:
    if not await _at(turn, staff, "appt_place"):
        return
    default = await _default_place(turn, staff)
    if default is None:
        await _go(turn, staff, None)
        return
    _choose(turn, place=default)
    await _go(turn, staff, "staff.appt_confirm")


# --- confirm ------------------------------------------------------------------------------------


async def ask_confirm(turn: Turn, staff: StaffView) -> None:
    chosen = _chosen(turn)
    person = await _participant(turn, staff, int(chosen.get("participant") or 0))
    if person is None:
        _no_such_participant(turn, staff)
        return
    zone = await _zone(turn, staff)
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
            _cancel(),
        ),
    )


async def answer_confirm(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    if normalise(incoming.text) in ("ya", "iya", "yes", "ok", "oke", "benar"):
        return await _book(turn, staff)
    return None


async def confirm_pressed(turn: Turn, staff: StaffView, _argument: str) -> None:
    if await _at(turn, staff, "appt_confirm"):
        await _go(turn, staff, await _book(turn, staff))


async def change_pressed(turn: Turn, staff: StaffView, _argument: str) -> None:
    if await _at(turn, staff, "appt_confirm"):
        await _go(turn, staff, "staff.appt_day")


async def _book(turn: Turn, staff: StaffView) -> str:
    """Make the appointment (the scope checked again), and deal with the request it answers."""
    from handlers.staff.sessions.answers import find_request, mark_handled

    chosen = _chosen(turn)
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
    await audit(
        turn.tx,
        staff=staff,
        action=AuditAction.APPOINTMENT,
        channel=turn.incoming.channel,
        now=turn.now,
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
)
staff_button("appt", schedule_pressed)
staff_button("apk", kind_pressed)
staff_button("apd", day_pressed)
staff_button("apt", time_pressed)
staff_button("apl", place_pressed)
staff_button("apy", confirm_pressed)
staff_button("apc", change_pressed)
staff_step("appt_who", ask_who, answer_who)
staff_step("appt_kind", ask_kind, answer_kind)
staff_step("appt_day", ask_day, answer_day)
staff_step("appt_time", ask_time, answer_time)
staff_step("appt_place", ask_place, answer_place)
staff_step("appt_confirm", ask_confirm, answer_confirm)
