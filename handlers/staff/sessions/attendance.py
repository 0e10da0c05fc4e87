"""Taking attendance from the phone, one message at a time (WhatsApp cannot edit one): a page of
the people not marked yet, a person chosen then "Came" or "Did not come", or everyone not marked
yet as came in one go. Only people the staff member may act on are listed; every mark is
audited, and "did not come" plans the kind follow-up (handlers/programs/admin.py mark_many)."""

from __future__ import annotations

from handlers.flow import Turn
from handlers.i18n import _
from handlers.programs.admin import Refused, mark_many
from handlers.staff.audit import AuditAction, audit_turn
from handlers.staff.commands import staff_button
from handlers.staff.scope import Access, StaffView, access_to
from handlers.staff.sessions.labels import (
    ATTENDANCE,
    no_such_session,
    session_in_scope,
    short_when,
)
from handlers.staff.sessions.payloads import numbers, payload
from handlers.text import esc, fit
from handlers.types import Button
from storage.models import Enrolment, Participant, ParticipantStatus, ProgramSession, SessionStatus
from storage.staff.agenda import seated_roster

PEOPLE = 6  # names a page: with "All: came", "Next", "Correct a mark" and "Done": 10 rows
MAX_PAGE = 1000

Seat = tuple[Enrolment, Participant]


async def _markable(turn: Turn, staff: StaffView, event: ProgramSession) -> list[Seat]:
    """The seated people of a session the staff member may act on, in join order."""
    return [
        (enrolment, person)
        for enrolment, person in await seated_roster(turn.tx, event.id)
        if person.status != ParticipantStatus.ERASED
        and await access_to(turn.tx, staff, person) >= Access.ACT
    ]


async def _pressed(
    turn: Turn, staff: StaffView, argument: str, count: int
) -> tuple[ProgramSession, tuple[int, ...]] | None:
    """The session a button names (its first number; `count` numbers in all), if the staff
    member may see it and it has begun, with the button's numbers; else they are told why."""
    found = numbers(argument, count)
    event = await session_in_scope(turn, staff, found[0]) if found else None
    if event is None or found is None:
        no_such_session(turn, staff)
        return None
    if event.status == SessionStatus.CANCELLED or event.starts_at > turn.now:
        turn.say(
            _("You can take attendance here once the session has begun."),
            (Button(_("Back"), payload("ses", event.id)),),
        )
        return None
    return event, found


async def checklist(turn: Turn, staff: StaffView, argument: str) -> None:
    """staff:att:<session>.<page>: the people not marked yet."""
    if pressed := await _pressed(turn, staff, argument, 2):
        event, (_id, page) = pressed
        await _checklist(turn, staff, event, page, everyone=False)


async def corrections(turn: Turn, staff: StaffView, argument: str) -> None:
    """staff:attc:<session>.<page>: everyone, to correct a mark."""
    if pressed := await _pressed(turn, staff, argument, 2):
        event, (_id, page) = pressed
        await _checklist(turn, staff, event, page, everyone=True)


async def _checklist(
    turn: Turn,
    staff: StaffView,
    event: ProgramSession,
    page: int,
    *,
    everyone: bool,
    said: str = "",
) -> None:
    seats = await _markable(turn, staff, event)
    came = sum(1 for e, _p in seats if e.attendance == "attended")
    missed = sum(1 for e, _p in seats if e.attendance == "absent")
    open_ = [(e, p) for e, p in seats if e.attendance is None]
    listed = seats if everyone else open_
    pages = max(1, (len(listed) + PEOPLE - 1) // PEOPLE)
    page = min(max(page, 1), pages, MAX_PAGE)
    shown = listed[(page - 1) * PEOPLE : page * PEOPLE]
    head = (
        (said + "\n\n" if said else "")
        + _("<b>Attendance: {title}</b>, {when}").format(
            title=esc(event.display_title),
            when=short_when(event.starts_at, event.timezone, turn.language),
        )
        + "\n"
        + _("Came {came} · did not come {missed} · not marked yet {open}").format(
            came=came, missed=missed, open=len(open_)
        )
    )
    buttons = [
        Button(fit(_mark_sign(e) + (p.name or "-")), payload("atp", event.id, p.id))
        for e, p in shown
    ]
    if shown:
        ask = _("Who do you want to correct?") if everyone else _("Who did you see? Choose a name.")
        lines = [f"{_mark_sign(e)}{esc(p.name or '-')}" for e, p in shown]
        text = head + "\n\n" + ask + "\n" + "\n".join(lines)
    elif seats:
        text = head + "\n\n" + _("Everyone is marked. Thank you!")
    else:
        text = head + "\n\n" + _("Nobody in this session is yours to mark.")
    if open_ and not everyone:
        buttons.append(Button(_("All not marked: came"), payload("atall", event.id)))
    if page < pages:
        buttons.append(
            Button(_("Next page"), payload("attc" if everyone else "att", event.id, page + 1))
        )
    if not everyone and came + missed:
        buttons.append(Button(_("Correct a mark"), payload("attc", event.id, 1)))
    buttons.append(Button(_("Done"), payload("ses", event.id)))
    turn.say(text, tuple(buttons))


def _mark_sign(enrolment: Enrolment) -> str:
    return {"attended": "✅ ", "absent": "❌ "}.get(enrolment.attendance or "", "")


async def _seat(
    turn: Turn, staff: StaffView, event: ProgramSession, participant_id: int
) -> Seat | None:
    """The person's seat, if they are seated and the staff member may act on them (else the
    answer is the same as for a number nobody has)."""
    for enrolment, person in await _markable(turn, staff, event):
        if person.id == participant_id:
            return enrolment, person
    turn.say(_("There is no participant with that number that you can act on."))
    await _checklist(turn, staff, event, 1, everyone=False)
    return None


async def person_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    """staff:atp:<session>.<participant>: did they come?"""
    pressed = await _pressed(turn, staff, argument, 2)
    seat = await _seat(turn, staff, pressed[0], pressed[1][1]) if pressed else None
    if pressed is None or seat is None:
        return
    event, (enrolment, person) = pressed[0], seat
    text = _("Did <b>{name}</b> come?").format(name=esc(person.name or "-"))
    if enrolment.attendance in ATTENDANCE:
        text += " " + _("(marked now: {mark})").format(mark=_(ATTENDANCE[enrolment.attendance]))
    turn.say(
        text,
        (
            Button(_("Came"), payload("atm", event.id, person.id, 1)),
            Button(_("Did not come"), payload("atm", event.id, person.id, 0)),
            Button(_("Back"), payload("att", event.id, 1)),
        ),
    )


async def mark_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    """staff:atm:<session>.<participant>.<1 came|0 did not come>."""
    pressed = await _pressed(turn, staff, argument, 3)
    if pressed is not None and pressed[1][2] not in (0, 1):
        no_such_session(turn, staff)
        return
    seat = await _seat(turn, staff, pressed[0], pressed[1][1]) if pressed else None
    if pressed is None or seat is None:
        return
    event, attended, person = pressed[0], pressed[1][2] == 1, seat[1]
    if not await _mark(turn, staff, event, [person.id], attended):
        return
    name = esc(person.name or "-")
    said = (
        _("✅ {name}: came.").format(name=name)
        if attended
        else _(
            "❌ {name}: did not come. They will get a kind message offering the next session."
        ).format(name=name)
    )
    await _checklist(turn, staff, event, 1, everyone=False, said=said)


async def _mark(
    turn: Turn, staff: StaffView, event: ProgramSession, ids: list[int], attended: bool
) -> bool:
    try:
        await mark_many(turn.tx, event, ids, attended, turn.now, turn.settings.reminders)
    except Refused:  # the checks above make this rare: a session changed meanwhile
        turn.say(_("That could not be marked. Please open the session again."))
        return False
    for participant_id in ids:
        await audit_turn(
            turn,
            staff,
            AuditAction.ATTENDANCE,
            participant_id=participant_id,
            detail=f"session={event.id} {'attended' if attended else 'absent'}",
        )
    return True


async def all_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    """staff:atall:<session>: asks before marking everyone not marked yet as came."""
    pressed = await _pressed(turn, staff, argument, 1)
    if pressed is None:
        return
    event = pressed[0]
    open_ = [p for e, p in await _markable(turn, staff, event) if e.attendance is None]
    if not open_:
        await _checklist(turn, staff, event, 1, everyone=False)
        return
    turn.say(
        _("Mark the {n} people not marked yet as came?").format(n=len(open_)),
        (
            Button(_("Yes, all came"), payload("atally", event.id, len(open_))),
            Button(_("Back"), payload("att", event.id, 1)),
        ),
    )


async def all_confirmed(turn: Turn, staff: StaffView, argument: str) -> None:
    """staff:atally:<session>.<how many were asked about>: marks them, unless that changed."""
    pressed = await _pressed(turn, staff, argument, 2)
    if pressed is None:
        return
    event, (_id, asked) = pressed
    open_ = [p.id for e, p in await _markable(turn, staff, event) if e.attendance is None]
    if len(open_) != asked:  # someone was marked meanwhile: ask again
        await all_pressed(turn, staff, str(event.id))
        return
    if open_ and await _mark(turn, staff, event, open_, True):
        said = _("✅ {n} marked as came.").format(n=len(open_))
        await _checklist(turn, staff, event, 1, everyone=False, said=said)


staff_button("att", checklist)
staff_button("attc", corrections)
staff_button("atp", person_pressed)
staff_button("atm", mark_pressed)
staff_button("atall", all_pressed)
staff_button("atally", all_confirmed)
