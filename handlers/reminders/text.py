"""What reminders, confirmations, change notices and follow-ups say, in the person's language."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.i18n import _, current_language
from handlers.programs.refs import EventRef, join_payload, rsvp_payload
from handlers.reminders.discretion import SENSITIVE, is_sensitive
from handlers.text import esc
from handlers.timefmt import format_clock, format_when, zone_abbr
from handlers.types import Button, Reply, Template
from storage.models import Participant

__all__ = ["SENSITIVE", "Event", "PlannedReminder", "when_line", "when_text"]

_PHONE = re.compile(r"(?:\+|\b)\d[\d\s.\-]{6,}\d\b|https?://\S+|\bwa\.me/\S+", re.IGNORECASE)


@dataclass(frozen=True)
class Event:
    """What a message is about: a session or one appointment occurrence, already looked up."""

    ref: EventRef
    title: str
    starts_at: datetime
    place: str
    map_url: str | None
    bring: str | None
    contact: str | None
    reporting: bool  # mandatory reporting: missing it has consequences
    seats_limited: bool = False  # the session has a capacity, so a seat is held for the person


@dataclass(frozen=True)
class PlannedReminder:
    """A reminder still ahead for the person: how long before the start it was planned, and when
    it will really go out (quiet hours may have moved it)."""

    offset_minutes: int
    due_at: datetime


def _contact_without_names(contact: str | None) -> str | None:
    """For discreet mode: keep the phone number or link of a contact such as "PK Budi 0812...",
    drop the words around it."""
    numbers = [m.group(0).strip() for m in _PHONE.finditer(contact or "")]
    kept = ", ".join(n for n in numbers if not is_sensitive(n))
    return kept or None


def _discreet(event: Event, participant: Participant) -> Event:
    """Each field that would tell a stranger about prison, probation or courts is replaced."""
    if not participant.discreet:
        return event
    return replace(
        event,
        title=_("Appointment") if is_sensitive(event.title) or event.reporting else event.title,
        place=_("the usual place (see /jadwal)") if is_sensitive(event.place) else event.place,
        map_url=None,
        bring=_("the usual things (see /jadwal)") if is_sensitive(event.bring) else event.bring,
        contact=_contact_without_names(event.contact)
        if is_sensitive(event.contact)
        else event.contact,
    )


def when_text(moment: datetime, participant: Participant, now: datetime) -> str:
    """ "tomorrow, Monday, 1 December 2026 at 09:00 WIB", in the person's zone and language,
    written to go inside a sentence ("See you tomorrow, ..."); see `when_line` for a line start."""
    zone = ZoneInfo(participant.timezone)
    when = format_when(moment, participant.timezone, current_language())
    days = (moment.astimezone(zone).date() - now.astimezone(zone).date()).days
    if days == 0:
        return _("today, {when}").format(when=when)
    if days == 1:
        return _("tomorrow, {when}").format(when=when)
    return when


def when_line(moment: datetime, participant: Participant, now: datetime) -> str:
    """`when_text` at the start of a line: "Tomorrow, Monday, ..."."""
    text = when_text(moment, participant, now)
    return text[:1].upper() + text[1:]


def rsvp_buttons(event: Event) -> tuple[Button, ...]:
    return (
        Button(_("I'll be there"), rsvp_payload(event.ref, "yes")),
        Button(_("I can't come"), rsvp_payload(event.ref, "no")),
        Button(_("Ask to reschedule"), rsvp_payload(event.ref, "later")),
    )


def _answerable(text: str, event: Event, participant: Participant, now: datetime) -> Reply:
    """A message with the RSVP buttons, and the "reminder" template that says the same where free
    text is not allowed: what, when, and quick replies sending the same payloads (in the order
    Hadir, Tidak bisa, Jadwal ulang). `event` is already concealed for a discreet person."""
    buttons = rsvp_buttons(event)
    what = esc(event.title)
    when = when_text(event.starts_at, participant, now)
    template = Template("reminder", (what, when), tuple(b.payload for b in buttons))
    return Reply(text, buttons, template=template)


def _details(event: Event, participant: Participant, now: datetime) -> list[str]:
    lines = [
        "🗓 " + when_line(event.starts_at, participant, now),
        "📍 " + esc(event.place),
    ]
    if event.map_url:
        lines.append("🗺 " + esc(event.map_url))
    if event.bring:
        lines.append("🎒 " + _("Bring: {things}").format(things=esc(event.bring)))
    return lines


def _if_you_cannot_come(event: Event) -> str:
    """What missing it costs (a held seat, a recorded report) and what to do, in one sentence
    or two, never saying "if you cannot come" twice."""
    if event.reporting:
        cost = _("If you miss it, your officer records it.")
    elif event.seats_limited:
        cost = _("Your seat is kept for you.")
    else:
        cost = ""
    if event.contact:
        action = _('If you cannot come, press "I can\'t come" or call {contact}.').format(
            contact=esc(event.contact)
        )
    elif event.seats_limited and not event.reporting:
        action = _('If you cannot come, press "I can\'t come" so someone else can have the seat.')
    else:
        action = _('If you cannot come, press "I can\'t come" and we will help find another time.')
    return f"{cost} {action}" if cost else action


def reminder(event: Event, participant: Participant, now: datetime) -> Reply:
    event = _discreet(event, participant)
    # The date line above already names the zone: "09.00", not "09.00 WIB".
    clock = format_clock(event.starts_at, participant.timezone, current_language()).removesuffix(
        " " + zone_abbr(participant.timezone)
    )
    lines = [
        "🔔 " + _("Reminder: <b>{title}</b>").format(title=esc(event.title)),
        "",
        *_details(event, participant, now),
        "",
        _("What time will you leave home to arrive before {clock}?").format(clock=clock),
        _if_you_cannot_come(event),
    ]
    return _answerable("\n".join(lines), event, participant, now)


def _lead(reminder: PlannedReminder, event: Event, participant: Participant) -> str:
    """How long before the start a reminder goes out: "the day before", "2 hours before"."""
    lead = int((event.starts_at - reminder.due_at).total_seconds() // 60)
    minutes = reminder.offset_minutes
    if abs(lead - minutes) > 1:  # moved out of quiet hours: say which day instead
        zone = ZoneInfo(participant.timezone)
        days = (
            event.starts_at.astimezone(zone).date() - reminder.due_at.astimezone(zone).date()
        ).days
        minutes = days * 24 * 60
        if minutes == 0:
            return _("on the day")
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        if days == 1:
            return _("the day before")
        if days == 7:
            return _("a week before")
        return _("{count} days before").format(count=days)
    if minutes % 60 == 0:
        hours = minutes // 60
        if hours == 1:
            return _("an hour before it starts")
        return _("{count} hours before it starts").format(count=hours)
    return _("{count} minutes before it starts").format(count=minutes)


def reminder_promise(
    event: Event, participant: Participant, ahead: list[PlannedReminder]
) -> str | None:
    """ "We will remind you the day before and 2 hours before it starts.", from the reminders
    really planned; None when none is left."""
    leads: list[str] = []
    for planned in sorted(ahead, key=lambda r: r.due_at):
        lead = _lead(planned, event, participant)
        if lead not in leads:
            leads.append(lead)
    if not leads:
        return None
    if len(leads) == 1:
        return _("We will remind you {when}.").format(when=leads[0])
    return _("We will remind you {first} and {last}.").format(
        first=", ".join(leads[:-1]), last=leads[-1]
    )


def confirmation(
    event: Event, participant: Participant, now: datetime, ahead: list[PlannedReminder]
) -> Reply:
    event = _discreet(event, participant)
    lines = [
        "✅ " + _("You are booked for <b>{title}</b>.").format(title=esc(event.title)),
        "",
        *_details(event, participant, now),
        "",
    ]
    promise = reminder_promise(event, participant, ahead)
    if promise:
        lines.append(promise)
    lines.append(_if_you_cannot_come(event))
    return _answerable("\n".join(lines), event, participant, now)


def seat_free(
    event: Event, participant: Participant, now: datetime, ahead: list[PlannedReminder]
) -> Reply:
    """A seat came free for someone on the waiting list."""
    event = _discreet(event, participant)
    lines = [
        "🎉 "
        + _("Good news: a seat is free for you at <b>{title}</b>.").format(title=esc(event.title)),
        "",
        *_details(event, participant, now),
        "",
    ]
    promise = reminder_promise(event, participant, ahead)
    if promise:
        lines.append(promise)
    lines += [_if_you_cannot_come(event), "", _("Will you come?")]
    return _answerable("\n".join(lines), event, participant, now)


def waitlisted(event: Event, participant: Participant, now: datetime) -> Reply:
    event = _discreet(event, participant)
    lines = [
        _("<b>{title}</b> is full for now.").format(title=esc(event.title)),
        "🗓 " + when_line(event.starts_at, participant, now),
        "",
        _("You are on the waiting list. We will tell you as soon as a seat is free."),
    ]
    return Reply("\n".join(lines))


def cancelled(event: Event, participant: Participant, now: datetime) -> Reply:
    event = _discreet(event, participant)
    lines = [
        "❌ " + _("<b>{title}</b> is <b>cancelled</b>:").format(title=esc(event.title)),
        "🗓 " + when_line(event.starts_at, participant, now),
        "",
        _("We are sorry for the change. We will let you know when there is a new date."),
    ]
    return Reply("\n".join(lines))


def moved(event: Event, participant: Participant, now: datetime) -> Reply:
    event = _discreet(event, participant)
    lines = [
        "🔄 " + _("<b>{title}</b> has a new time:").format(title=esc(event.title)),
        "",
        *_details(event, participant, now),
        "",
        _("Can you come at the new time?"),
    ]
    return _answerable("\n".join(lines), event, participant, now)


def follow_up(
    event: Event, participant: Participant, now: datetime, next_event: Event | None
) -> Reply:
    event = _discreet(event, participant)
    zone = ZoneInfo(participant.timezone)
    days = (now.astimezone(zone).date() - event.starts_at.astimezone(zone).date()).days
    title = esc(event.title)
    if days <= 0:
        missed = _("We did not see you today at <b>{title}</b>.").format(title=title)
    elif days == 1:
        missed = _("We did not see you yesterday at <b>{title}</b>.").format(title=title)
    else:
        missed = _("We did not see you at <b>{title}</b>.").format(title=title)
    lines = [missed + " " + _("We hope you are well. 🙏")]
    if event.reporting:
        lines.append(_("Please contact your caseworker soon to agree on a new time."))
    else:
        lines.append(_("It happens; what matters is coming back."))
    buttons: tuple[Button, ...] = ()
    if next_event is not None:
        next_event = _discreet(next_event, participant)
        lines += [
            "",
            _("The next session is {when} at {place}. Would you like to join?").format(
                when=when_text(next_event.starts_at, participant, now), place=esc(next_event.place)
            ),
        ]
        buttons = (Button(_("Join next session"), join_payload(next_event.ref)),)
    lines += ["", _("If something is in the way, your caseworker is there to help.")]
    return Reply("\n".join(lines), buttons)
