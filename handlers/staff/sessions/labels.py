"""How this package shows a session to staff: its short time, answers and seats, and finding a
session a staff member may see (their own organisation's: partners see none)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.staff.menu import show_staff_menu
from handlers.staff.scope import MAX_ID_DIGITS, StaffView
from handlers.timefmt import zone_abbr
from storage.models import ProgramSession, SessionStatus
from storage.staff.agenda import Tally, session_of_organisation

ANSWERS = {
    "yes": N_("Coming"),
    "no": N_("Can't come"),
    "reschedule": N_("Asked to reschedule"),
    None: N_("No answer yet"),
}
ATTENDANCE = {"attended": N_("came"), "absent": N_("did not come")}


def answer_name(rsvp: str | None) -> str:
    return _(ANSWERS.get(rsvp, ANSWERS[None]))


def short_when(moment: datetime, timezone: str, language: str, *, zone: bool = True) -> str:
    """ "Sen 30/11 09.00 WIB": a day and time short enough for a button (without the zone
    where the text beside it says it)."""
    local = moment.astimezone(ZoneInfo(timezone))
    clock = "HH.mm" if language == "id" else "HH:mm"
    text = format_datetime(local, f"EEE d/M {clock}", locale=language)
    return f"{text} {zone_abbr(timezone)}" if zone else text


def button_when(moment: datetime, timezone: str, language: str) -> str:
    """ "30/11 09.00": the start in a button, leaving room for a title."""
    local = moment.astimezone(ZoneInfo(timezone))
    return format_datetime(local, "d/M HH.mm" if language == "id" else "d/M HH:mm", locale=language)


def tally_line(tally: Tally, capacity: int | None) -> str:
    seats = f"{tally.seated}/{capacity}" if capacity is not None else str(tally.seated)
    parts = [
        _("Seats {seats}").format(seats=seats),
        _("Coming {n}").format(n=tally.yes),
        _("Can't come {n}").format(n=tally.no),
        _("Reschedule {n}").format(n=tally.reschedule),
        _("No answer {n}").format(n=tally.unanswered),
    ]
    if tally.waitlisted:
        parts.append(_("Waiting list {n}").format(n=tally.waitlisted))
    if tally.attended or tally.absent:
        parts.append(
            _("Came {came}, missed {missed}").format(came=tally.attended, missed=tally.absent)
        )
    return " · ".join(parts)


def cancelled_note(event: ProgramSession) -> str:
    return " · " + _("cancelled") if event.status == SessionStatus.CANCELLED else ""


async def session_in_scope(
    turn: Turn, staff: StaffView, argument: str | int
) -> ProgramSession | None:
    """The session an id typed or carried in a payload names, if it is one of the staff
    member's organisation's; None otherwise, whether or not it exists."""
    if isinstance(argument, str):
        text = argument.strip().lstrip("#")
        if not text.isdigit() or len(text) > MAX_ID_DIGITS:
            return None
        argument = int(text)
    return await session_of_organisation(turn.tx, staff.organisation_id, argument)


def no_such_session(turn: Turn, staff: StaffView) -> None:
    turn.say(_("There is no session with that number that you can see."))
    show_staff_menu(turn, staff)
