"""The questions of an appointment being scheduled (handlers/staff/sessions/booking.py): its
kind, day, time and place, each answered by a button or typed as staff say it ("besok",
"senin", "12/12"; "9 pagi", "14.30"). What is chosen so far is kept in the staff chat's
conversation data, so it survives a restart."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.staff.commands import staff_button, staff_payload, staff_step
from handlers.staff.menu import show_staff_menu
from handlers.staff.scope import StaffView
from handlers.text import clean_line, esc, fit
from handlers.types import Button, Incoming, Kind
from handlers.understanding.choices import normalise
from handlers.understanding.dates import parse_clock, parse_day
from storage.models import Organisation
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


def cancel_button() -> Button:
    return Button(_("Cancel"), staff_payload("cmd", "batal"))


def chosen_so_far(turn: Turn) -> dict[str, Any]:
    value = turn.data.get(KEY)
    return dict(value) if isinstance(value, dict) else {}


def choose(turn: Turn, **values: Any) -> None:
    turn.remember(**{KEY: {**chosen_so_far(turn), **values}})


async def zone_of(turn: Turn, staff: StaffView) -> str:
    organisation = await turn.tx.get(Organisation, staff.organisation_id)
    assert organisation is not None
    return organisation.timezone


async def at_question(turn: Turn, staff: StaffView, step: str) -> bool:
    """A button of question `step` was pressed: true if that question is the one open now."""
    conversation = turn.conversation
    live = conversation.expires_at is None or conversation.expires_at >= turn.now
    if live and conversation.step == f"staff.{step}":
        return True
    turn.say(_("That button is no longer valid."))
    show_staff_menu(turn, staff)
    return False


async def go(turn: Turn, staff: StaffView, state: str | None) -> None:
    from handlers.staff.chat import enter_staff

    await enter_staff(turn, staff, state)


# --- kind ---------------------------------------------------------------------------------------


async def ask_kind(turn: Turn, _staff: StaffView) -> None:
    turn.say(
        _("Which appointment?"),
        (
            *(Button(_(title), staff_payload("apk", code)) for code, title in KINDS.items()),
            cancel_button(),
        ),
    )


async def answer_kind(turn: Turn, _staff: StaffView, incoming: Incoming) -> str | None:
    typed = normalise(incoming.text)
    for code, words in KIND_WORDS.items():
        if typed in words:
            choose(turn, kind=code)
            return "staff.appt_day"
    return None


async def kind_pressed(turn: Turn, staff: StaffView, code: str) -> None:
    if await at_question(turn, staff, "appt_kind"):
        if code in KINDS:
            choose(turn, kind=code)
            await go(turn, staff, "staff.appt_day")
        else:
            await go(turn, staff, None)


# --- day ----------------------------------------------------------------------------------------


async def ask_day(turn: Turn, staff: StaffView) -> None:
    zone = await zone_of(turn, staff)
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
        (*buttons, cancel_button()),
    )


async def answer_day(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    zone = await zone_of(turn, staff)
    day = parse_day(incoming.text, turn.now.astimezone(ZoneInfo(zone)).date())
    if day is None:
        turn.say(_("I did not understand that day (or it has passed)."))
        return None
    choose(turn, day=day.isoformat())
    return "staff.appt_time"


async def day_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    if not await at_question(turn, staff, "appt_day"):
        return
    try:
        day = datetime.strptime(argument, "%Y%m%d").date()
    except ValueError:
        await go(turn, staff, None)
        return
    choose(turn, day=day.isoformat())
    await go(turn, staff, "staff.appt_time")


# --- time ---------------------------------------------------------------------------------------


async def ask_time(turn: Turn, _staff: StaffView) -> None:
    buttons = tuple(
        Button(t.replace(":", ".") if turn.language == "id" else t, staff_payload("apt", t))
        for t in TIMES
    )
    turn.say(
        _("What time? Choose one, or type it, e.g. 09.00, 9 pagi or 14:30."),
        (*buttons, cancel_button()),
    )


async def _set_time(turn: Turn, staff: StaffView, clock: time) -> str | None:
    """Keeps the time if the moment it makes is still ahead; returns the next question."""
    chosen = chosen_so_far(turn)
    zone = await zone_of(turn, staff)
    try:
        day = date.fromisoformat(str(chosen.get("day")))
    except ValueError:
        return "staff.appt_day"
    moment = datetime.combine(day, clock, ZoneInfo(zone)).astimezone(UTC)
    if moment <= turn.now:
        turn.say(_("That time has already passed. Please choose a later time."))
        return None
    choose(turn, start=moment.isoformat())
    return "staff.appt_place"


async def answer_time(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    clock = parse_clock(incoming.text)
    if clock is None:
        turn.say(_("I did not understand that time."))
        return None
    return await _set_time(turn, staff, clock)


async def time_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    if not await at_question(turn, staff, "appt_time"):
        return
    clock = parse_clock(argument)
    await go(turn, staff, await _set_time(turn, staff, clock) if clock else None)


# --- place --------------------------------------------------------------------------------------


async def _default_place(turn: Turn, staff: StaffView) -> str | None:
    chosen = chosen_so_far(turn).get("place_default")
    if isinstance(chosen, str) and chosen:
        return chosen
    return await last_appointment_place(turn.tx, staff.organisation_id)


async def ask_place(turn: Turn, staff: StaffView) -> None:
    default = await _default_place(turn, staff)
    if default is None:
        turn.say(
            _("Where? Type the place, e.g. Kantor Bapas, Ruang Konseling 2."), (cancel_button(),)
        )
        return
    turn.say(
        _("Where? Type the place, or press the button for: {place}").format(place=esc(default)),
        (Button(fit(default), staff_payload("apl", "")), cancel_button()),
    )


async def answer_place(turn: Turn, _staff: StaffView, incoming: Incoming) -> str | None:
    place = clean_line(incoming.text)
    if incoming.kind != Kind.TEXT or not PLACE_MIN <= len(place) <= PLACE_MAX:
        turn.say(_("Please type the place in a few words."))
        return None
    choose(turn, place=place)
    return "staff.appt_confirm"


async def place_pressed(turn: Turn, staff: StaffView, _argument: str) -> None:
    if not await at_question(turn, staff, "appt_place"):
        return
    default = await _default_place(turn, staff)
    if default is None:
        await go(turn, staff, None)
        return
    choose(turn, place=default)
    await go(turn, staff, "staff.appt_confirm")


staff_button("apk", kind_pressed)
staff_button("apd", day_pressed)
staff_button("apt", time_pressed)
staff_button("apl", place_pressed)
staff_step("appt_kind", ask_kind, answer_kind)
staff_step("appt_day", ask_day, answer_day)
staff_step("appt_time", ask_time, answer_time)
staff_step("appt_place", ask_place, answer_place)
