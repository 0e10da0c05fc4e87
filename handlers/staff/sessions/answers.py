"""/jadwalulang: the "Tidak bisa" answers and reschedule requests nobody has dealt with yet, of
the people the staff member acts on (a caseworker's own, all the organisation's for an admin),
longest waiting first. One opens with the reason and the days the person gave; staff move them
to another session of the same program (the person gets the usual confirmation), offer a new
appointment time (handlers/staff/sessions/booking.py), or mark it handled. Each is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement

from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.programs.changes import withdraw
from handlers.programs.events import occurrence_event, session_event
from handlers.reminders.planning import enrol
from handlers.reminders.rsvp import DAYS
from handlers.staff.audit import AuditAction, audit_turn
from handlers.staff.commands import staff_button, staff_command, staff_payload
from handlers.staff.menu import show_staff_menu
from handlers.staff.scope import StaffView, participant_in_scope, visible
from handlers.staff.sessions.labels import answer_name, short_when
from handlers.staff.sessions.payloads import AnswerKind, AnswerRef, numbers, payload
from handlers.text import esc, fit
from handlers.timefmt import format_when
from handlers.types import Button
from storage.models import (
    Enrolment,
    EnrolmentStatus,
    Occurrence,
    Participant,
    ParticipantStatus,
    ProgramSession,
    SessionStatus,
)
from storage.programs import OPEN_ANSWERS
from storage.staff.agenda import open_answers, other_sessions_of_program, tallies

PAGE = 8  # with "Next page" and "Menu", a WhatsApp list's 10 rows
MAX_PAGE = 1000
MOVE_CHOICES = 8  # sessions offered to move to; with "Back", 9 rows


def acted_on(staff: StaffView) -> ColumnElement[bool]:
    """The participants whose answers a staff member deals with: those they may act on."""
    own = visible(staff) & (Participant.organisation_id == staff.organisation_id)
    own = own & (Participant.status != ParticipantStatus.ERASED)
    return own if staff.is_admin else own & (Participant.caseworker_id == staff.staff_id)


@dataclass(frozen=True)
class Request:
    """One open answer the staff member may act on, with what it is about."""

    ref: AnswerRef
    row: Enrolment | Occurrence
    participant: Participant
    title: str
    starts_at: datetime
    timezone: str


def _describe(row: Enrolment | Occurrence) -> tuple[str, datetime, str]:
    if isinstance(row, Enrolment):
        return session_event(row.session).title, row.session.starts_at, row.session.timezone
    return occurrence_event(row).title, row.starts_at, row.appointment.timezone


async def find_request(turn: Turn, staff: StaffView, text: str) -> Request | None:
    """The open answer a payload names, if its participant is one the staff member may act on
    (None otherwise: unknown, out of scope, or dealt with already)."""
    ref = AnswerRef.parse(text.strip())
    if ref is None:
        return None
    row: Enrolment | Occurrence | None
    if ref.kind == AnswerKind.ENROLMENT:
        row = await turn.tx.get(Enrolment, ref.id)
        participant_id = row.participant_id if row is not None else None
    else:
        row = await turn.tx.get(Occurrence, ref.id)
        participant_id = row.appointment.participant_id if row is not None else None
    if row is None or participant_id is None or row.rsvp not in OPEN_ANSWERS:
        return None
    if row.handled_at is not None:
        return None
    person = await participant_in_scope(turn.tx, staff, participant_id, act=True)
    if person is None or person.status == ParticipantStatus.ERASED:
        return None
    return Request(ref, row, person, *_describe(row))


def _no_such_request(turn: Turn, staff: StaffView) -> None:
    show_staff_menu(
        turn, staff, _("There is no open request with that number that you can act on.")
    )


async def requests(turn: Turn, staff: StaffView, _args: str) -> None:
    await requests_page(turn, staff, 1)


async def requests_page(turn: Turn, staff: StaffView, page: int, said: str = "") -> None:
    found = await open_answers(turn.tx, acted_on(staff))
    pages = max(1, (len(found) + PAGE - 1) // PAGE)
    page = min(page, pages)
    shown = found[(page - 1) * PAGE : page * PAGE]
    await audit_turn(
        turn,
        staff,
        AuditAction.SEARCH,
        detail=f"open answers page={page} shown={len(shown)}",
    )
    menu = Button(_("Menu"), staff_payload("cmd", "menu"))
    prefix = said + "\n\n" if said else ""
    if not shown:
        turn.say(prefix + _("No open requests: everyone's answers have been dealt with."), (menu,))
        return
    lines, buttons = [], []
    for answer in shown:
        ref = AnswerRef(
            AnswerKind.ENROLMENT if isinstance(answer.row, Enrolment) else AnswerKind.OCCURRENCE,
            answer.row.id,
        )
        title, starts_at, zone = _describe(answer.row)
        when = short_when(starts_at, zone, turn.language)
        name = answer.participant.name or "-"
        lines.append(
            f"• <b>{esc(name)}</b>: {answer_name(answer.row.rsvp)}\n  {esc(title)}, {when}"
        )
        buttons.append(Button(fit(name), staff_payload("rq", str(ref))))
    text = (
        prefix
        + _("Open requests (page {page} of {pages}), longest waiting first:").format(
            page=page, pages=pages
        )
        + "\n\n"
        + "\n".join(lines)
    )
    if page < pages:
        buttons.append(Button(_("Next page"), payload("rqp", page + 1)))
    turn.say(text, (*buttons, menu))


async def next_page(turn: Turn, staff: StaffView, argument: str) -> None:
    found = numbers(argument, 1)
    await requests_page(turn, staff, found[0] if found and 0 < found[0] <= MAX_PAGE else 1)


def _days(codes: str | None) -> str:
    names = {code: _(title) for code, title, _words in DAYS}
    return ", ".join(names[c] for c in (codes or "").split(",") if c in names)


async def open_request(turn: Turn, staff: StaffView, argument: str) -> None:
    """staff:rq:<e12|o34>: one request, its reason and days, and what can be done."""
    request = await find_request(turn, staff, argument)
    if request is None:
        _no_such_request(turn, staff)
        return
    row, person = request.row, request.participant
    await audit_turn(
        turn,
        staff,
        AuditAction.VIEW,
        participant_id=person.id,
        detail=f"answer={request.ref}",
    )
    lines = [
        f"<b>#{person.id} {esc(person.name or '-')}</b>: {answer_name(row.rsvp)}",
        f"{esc(request.title)}, {format_when(request.starts_at, request.timezone, turn.language)}",
    ]
    if row.rsvp_at is not None:
        lines.append(
            _("Answered: {when}").format(
                when=short_when(row.rsvp_at, request.timezone, turn.language)
            )
        )
    if row.reschedule_reason:
        lines.append(_("Reason: {reason}").format(reason=esc(row.reschedule_reason)))
    if days := _days(row.reschedule_days):
        lines.append(_("Days that suit them: {days}").format(days=days))
    buttons = []
    if isinstance(row, Enrolment):
        buttons.append(Button(_("Move to a session"), staff_payload("rqm", str(request.ref))))
    buttons += [
        Button(_("Offer a new time"), staff_payload("rqo", str(request.ref))),
        Button(_("Mark as handled"), staff_payload("rqh", str(request.ref))),
        Button(_("Back"), payload("rqp", 1)),
    ]
    turn.say("\n".join(lines), tuple(buttons))


async def move_choices(turn: Turn, staff: StaffView, argument: str) -> None:
    """staff:rqm:e<enrolment>: the program's next sessions to move the person to."""
    request = await find_request(turn, staff, argument)
    if request is None or not isinstance(request.row, Enrolment):
        _no_such_request(turn, staff)
        return
    event = request.row.session
    found = await other_sessions_of_program(
        turn.tx, event.program_id, event.id, turn.now, MOVE_CHOICES
    )
    back = Button(_("Back"), staff_payload("rq", str(request.ref)))
    if not found:
        turn.say(
            _("{program} has no other session ahead. You can offer a new time instead.").format(
                program=esc(event.program.name)
            ),
            (Button(_("Offer a new time"), staff_payload("rqo", str(request.ref))), back),
        )
        return
    counts = await tallies(turn.tx, [e.id for e in found])
    lines, buttons = [], []
    for other in found:
        when = short_when(other.starts_at, other.timezone, turn.language)
        free = (
            _("{n} seat(s) free").format(n=max(0, other.capacity - counts[other.id].seated))
            if other.capacity is not None
            else _("no seat limit")
        )
        lines.append(f"• {when}, {esc(other.place)} ({free})")
        buttons.append(
            Button(
                fit(short_when(other.starts_at, other.timezone, turn.language, zone=False)),
                payload("rqmv", request.row.id, other.id),
            )
        )
    text = (
        _("Move <b>{name}</b> to which session of {program}?").format(
            name=esc(request.participant.name or "-"), program=esc(event.program.name)
        )
        + "\n\n"
        + "\n".join(lines)
    )
    turn.say(text, (*buttons, back))


async def move(turn: Turn, staff: StaffView, argument: str) -> None:
    """staff:rqmv:<enrolment>.<session>: the person gets a seat there (or the waiting list)
    and the usual confirmation; their answer is dealt with."""
    found = numbers(argument, 2)
    request = await find_request(turn, staff, f"e{found[0]}") if found else None
    if found is None or request is None or not isinstance(request.row, Enrolment):
        _no_such_request(turn, staff)
        return
    old = request.row
    target = await turn.tx.get(ProgramSession, found[1])
    usable = (
        target is not None
        and target.id != old.session_id
        and target.program_id == old.session.program_id
        and target.status != SessionStatus.CANCELLED
        and target.starts_at > turn.now
    )
    if not usable or target is None:
        turn.say(_("That session can no longer be chosen."))
        await move_choices(turn, staff, str(request.ref))
        return
    policy = turn.settings.reminders
    if old.status != EnrolmentStatus.WITHDRAWN:
        await withdraw(turn.tx, old, turn.now, policy)
    person = request.participant
    result = await enrol(turn.tx, person, target, turn.now, policy, confirm=True)
    await mark_handled(turn, staff, request, f"moved session={target.id}")
    when = format_when(target.starts_at, target.timezone, turn.language)
    name, title = esc(person.name or "-"), esc(session_event(target).title)
    if result.enrolment.status == EnrolmentStatus.WAITLISTED:
        said = _(
            "{title}, {when} is full: {name} is on its waiting list and will be told when a seat is free."
        ).format(title=title, when=when, name=name)
    elif not result.new:
        said = _("{name} already has a place in {title}, {when}.").format(
            name=name, title=title, when=when
        )
    else:
        said = _("Done: {name} moves to {title}, {when}. They will get a confirmation.").format(
            name=name, title=title, when=when
        )
    await requests_page(turn, staff, 1, said=said)


async def mark_handled(turn: Turn, staff: StaffView, request: Request, how: str) -> None:
    """The answer leaves the open requests (and the digest); audited with how it was dealt with."""
    request.row.handled_at = turn.now
    request.row.handled_by = staff.staff_id
    await audit_turn(
        turn,
        staff,
        AuditAction.HANDLED,
        participant_id=request.participant.id,
        detail=f"answer={request.ref} {how}",
    )


async def handled_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    """staff:rqh:<e12|o34>: dealt with, nothing to change."""
    request = await find_request(turn, staff, argument)
    if request is None:
        _no_such_request(turn, staff)
        return
    await mark_handled(turn, staff, request, "done")
    said = _("Marked as handled: {name}.").format(name=esc(request.participant.name or "-"))
    await requests_page(turn, staff, 1, said=said)


async def offer_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    """staff:rqo:<e12|o34>: schedule an appointment for the person; the request is handled
    when it is made."""
    from handlers.staff.sessions.booking import start_booking

    request = await find_request(turn, staff, argument)
    if request is None:
        _no_such_request(turn, staff)
        return
    appointment = request.row.appointment if isinstance(request.row, Occurrence) else None
    await start_booking(
        turn,
        staff,
        request.participant,
        answer=request.ref,
        kind=appointment.kind if appointment is not None else None,
        place=appointment.place if appointment is not None else None,
    )


staff_command(
    "jadwalulang",
    requests,
    N_("Reschedule requests and 'can't come' answers"),
    title=N_("Reschedule requests"),
)
staff_button("rq", open_request)
staff_button("rqp", next_page)
staff_button("rqm", move_choices)
staff_button("rqmv", move)
staff_button("rqh", handled_pressed)
staff_button("rqo", offer_pressed)
