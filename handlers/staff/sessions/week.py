"""/sesi: the organisation's sessions from yesterday (to take attendance) to a week ahead, with
seats and answers, eight a page; /sesi <number> or a row opens one session: who is in it (names
only of those the staff member may see), their answers and attendance. Every look is audited."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.programs.admin import session_roster
from handlers.staff.audit import AuditAction, audit_turn
from handlers.staff.commands import staff_button, staff_command, staff_payload
from handlers.staff.scope import Access, StaffView, access_to
from handlers.staff.sessions.labels import (
    ATTENDANCE,
    answer_name,
    button_when,
    cancelled_note,
    no_such_session,
    session_in_scope,
    short_when,
    tally_line,
)
from handlers.staff.sessions.payloads import numbers, payload
from handlers.text import esc, fit
from handlers.timefmt import format_when
from handlers.types import Button
from storage.models import EnrolmentStatus, Organisation, ParticipantStatus, SessionStatus
from storage.staff.agenda import organisation_sessions, tallies

AHEAD = timedelta(days=7)
PAGE = 8  # with "Next page" and "Menu", a WhatsApp list's 10 rows
MAX_PAGE = 1000


def _window(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """From the start of yesterday, local time, to a week from now."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    return datetime.combine(today - timedelta(days=1), time(0), zone), now + AHEAD


async def sessions_week(turn: Turn, staff: StaffView, args: str) -> None:
    if args.strip():
        await open_session(turn, staff, args.strip())
        return
    await week_page(turn, staff, 1)


async def week_page(turn: Turn, staff: StaffView, page: int) -> None:
    organisation = await turn.tx.get(Organisation, staff.organisation_id)
    assert organisation is not None
    since, until = _window(turn.now, organisation.timezone)
    found = await organisation_sessions(turn.tx, staff.organisation_id, since, until)
    pages = max(1, (len(found) + PAGE - 1) // PAGE)
    page = min(page, pages)
    shown = found[(page - 1) * PAGE : page * PAGE]
    await audit_turn(
        turn,
        staff,
        AuditAction.VIEW,
        detail=f"sessions page={page} shown={len(shown)}",
    )
    menu = Button(_("Menu"), staff_payload("cmd", "menu"))
    if not shown:
        turn.say(_("Your organisation has no sessions from yesterday to a week ahead."), (menu,))
        return
    counts = await tallies(turn.tx, [e.id for e in shown])
    lines = [
        f"<b>#{e.id} {short_when(e.starts_at, e.timezone, turn.language)}</b> "
        f"{esc(e.display_title)}{cancelled_note(e)}\n"
        f"{tally_line(counts[e.id], e.capacity)}"
        for e in shown
    ]
    head = _("Sessions from yesterday to a week ahead (page {page} of {pages}):").format(
        page=page, pages=pages
    )
    text = head + "\n\n" + "\n\n".join(lines) + "\n\n" + _("Choose a session to open it.")
    buttons = [
        Button(
            fit(f"{button_when(e.starts_at, e.timezone, turn.language)} {e.display_title}"),
            payload("ses", e.id),
        )
        for e in shown
    ]
    if page < pages:
        buttons.append(Button(_("Next page"), payload("sesp", page + 1)))
    turn.say(text, (*buttons, menu))


async def next_page(turn: Turn, staff: StaffView, argument: str) -> None:
    found = numbers(argument, 1)
    await week_page(turn, staff, found[0] if found and 0 < found[0] <= MAX_PAGE else 1)


async def open_session(turn: Turn, staff: StaffView, argument: str) -> None:
    event = await session_in_scope(turn, staff, argument)
    if event is None:
        no_such_session(turn, staff)
        return
    tally = (await tallies(turn.tx, [event.id]))[event.id]
    lines, hidden, can_mark = [], 0, False
    for enrolment, person in await session_roster(turn.tx, event.id):
        access = await access_to(turn.tx, staff, person)
        if access < Access.READ or person.status == ParticipantStatus.ERASED:
            hidden += 1
            continue
        seated = enrolment.status == EnrolmentStatus.ENROLLED
        can_mark = can_mark or (seated and access >= Access.ACT)
        note = answer_name(enrolment.rsvp)
        if enrolment.status == EnrolmentStatus.WAITLISTED:
            note += " · " + _("waiting list")
        if enrolment.attendance in ATTENDANCE:
            note += " · " + _(ATTENDANCE[enrolment.attendance])
        lines.append(f"• #{person.id} {esc(person.name or '-')}: {note}")
        await audit_turn(
            turn,
            staff,
            AuditAction.VIEW,
            participant_id=person.id,
            detail=f"session={event.id}",
        )
    if hidden:
        lines.append(_("and {n} other(s) you cannot see").format(n=hidden))
    text = (
        f"<b>#{event.id} {esc(event.display_title)}</b>{cancelled_note(event)}\n"
        + format_when(event.starts_at, event.timezone, turn.language)
        + f"\n📍 {esc(event.place)}\n"
        + tally_line(tally, event.capacity)
        + "\n\n"
        + ("\n".join(lines) if lines else _("Nobody is enrolled yet."))
    )
    buttons = []
    started = event.starts_at <= turn.now and event.status != SessionStatus.CANCELLED
    if started and can_mark:
        buttons.append(Button(_("Take attendance"), payload("att", event.id, 1)))
    elif can_mark and event.status != SessionStatus.CANCELLED:
        text += "\n\n" + _("You can take attendance here once the session has begun.")
    buttons.append(Button(_("All sessions"), staff_payload("cmd", "sesi")))
    buttons.append(Button(_("Menu"), staff_payload("cmd", "menu")))
    turn.say(text, tuple(buttons))


async def session_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    await open_session(turn, staff, argument)


staff_command(
    "sesi", sessions_week, N_("Sessions this week: seats and answers"), title=N_("Sessions")
)
staff_button("ses", session_pressed)
staff_button("sesp", next_page)
