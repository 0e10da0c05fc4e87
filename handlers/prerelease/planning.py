"""Once a person registered before release has consented and confirmed their data: the reminders
for what staff planned, and a word on it."""

from __future__ import annotations

from sqlalchemy import select

from handlers.flow import Turn
from handlers.i18n import _
from handlers.reminders.planning import enrol, plan_appointment, plan_session
from handlers.reminders.text import when_line
from handlers.text import esc
from storage.models import Appointment, EnrolmentStatus, Membership, Participant
from storage.programs import upcoming_enrolments, upcoming_sessions_of_program


async def plan_what_staff_planned(turn: Turn, participant: Participant) -> None:
    """Reminders for every planned seat and appointment, from now on (idempotent: nothing is
    planned twice), and the list of what is ahead. A sign-up with nothing planned gets nothing."""
    tx, now, policy = turn.tx, turn.now, turn.settings.reminders
    programs = select(Membership.program_id).where(Membership.participant_id == participant.id)
    for program_id in list((await tx.execute(programs)).scalars()):
        for event in await upcoming_sessions_of_program(tx, program_id, now):
            await enrol(tx, participant, event, now, policy, confirm=False)  # added since
    enrolments = await upcoming_enrolments(tx, participant.id, now)
    for enrolment in enrolments:
        if enrolment.status == EnrolmentStatus.ENROLLED:
            await plan_session(tx, participant, enrolment.session, now, policy, confirm=False)
    appointments = select(Appointment).where(
        Appointment.participant_id == participant.id, Appointment.active.is_(True)
    )
    for appointment in list((await tx.execute(appointments)).scalars()):
        await plan_appointment(tx, appointment, participant, now, policy, confirm=False)
    if not enrolments:
        return
    lines = []
    for enrolment in enrolments:
        waiting = enrolment.status == EnrolmentStatus.WAITLISTED
        note = " " + _("(waiting list)") if waiting else ""
        when = when_line(enrolment.session.starts_at, participant, now)
        title = esc(enrolment.session.display_title)
        lines.append(f"• <b>{title}</b>{note}\n  {when}\n  📍 {esc(enrolment.session.place)}")
    turn.say(
        _("Your caseworker has already signed you up for:")
        + "\n\n"
        + "\n\n".join(lines)
        + "\n\n"
        + _("We will remind you before each one. Type /jadwal to see your schedule.")
    )
