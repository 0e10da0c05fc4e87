"""What reminders, confirmations, change notices and follow-ups say, in the person's language."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.i18n import _, current_language
from handlers.text import esc
from handlers.timefmt import format_clock, format_when
from handlers.types import Button, Reply
from storage.models import Participant

# Words that must never show on a lock screen for someone who asked for discretion.
SENSITIVE = re.compile(
    r"bapas|lapas|rutan|lpka|wajib\s*lapor|pemasyarakatan|narapidana|\bnapi\b|warga\s*binaan|"
    r"polres|polsek|polda|kepolisian|penjara|tahanan|probation|prison|parole|inmate",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Event:
    """What a message is about: a session or one appointment occurrence, already looked up."""

    ref: str  # "s12" or "o34": used in button payloads
    title: str
    starts_at: datetime
    place: str
    map_url: str | None
    bring: str | None
    contact: str | None
    reporting: bool  # mandatory reporting: missing it has consequences


def is_sensitive(text: str | None) -> bool:
    return bool(text) and SENSITIVE.search(text or "") is not None


def _discreet(event: Event, participant: Participant) -> Event:
    if not participant.discreet:
        return event
    return Event(
        ref=event.ref,
        title=_("Appointment") if is_sensitive(event.title) or event.reporting else event.title,
        starts_at=event.starts_at,
        place=_("the usual place (see /jadwal)") if is_sensitive(event.place) else event.place,
        map_url=event.map_url,
        bring=None if is_sensitive(event.bring) else event.bring,
        contact=None if is_sensitive(event.contact) else event.contact,
        reporting=event.reporting,
    )


def when_text(moment: datetime, participant: Participant, now: datetime) -> str:
    """ "Tomorrow, Monday, 1 December 2026 at 09:00 WIB", in the person's zone and language."""
    zone = ZoneInfo(participant.timezone)
    when = format_when(moment, participant.timezone, current_language())
    days = (moment.astimezone(zone).date() - now.astimezone(zone).date()).days
    if days == 0:
        return _("Today, {when}").format(when=when)
    if days == 1:
        return _("Tomorrow, {when}").format(when=when)
    return when


def rsvp_buttons(event: Event) -> tuple[Button, ...]:
    return (
        Button(_("I'll be there"), f"rsvp:{event.ref}:yes"),
        Button(_("I can't come"), f"rsvp:{event.ref}:no"),
        Button(_("Ask to reschedule"), f"rsvp:{event.ref}:later"),
    )


def _details(event: Event, participant: Participant, now: datetime) -> list[str]:
    lines = [
        "🗓 " + when_text(event.starts_at, participant, now),
        "📍 " + esc(event.place),
    ]
    if event.map_url and not participant.discreet:
        lines.append("🗺 " + esc(event.map_url))
    if event.bring:
        lines.append("🎒 " + _("Bring: {things}").format(things=esc(event.bring)))
    return lines


def _if_you_cannot_come(event: Event) -> str:
    if event.contact:
        return _('If you cannot come, press "I can\'t come" or call {contact}.').format(
            contact=esc(event.contact)
        )
    return _('If you cannot come, press "I can\'t come" so we can help you find another time.')


def reminder(event: Event, participant: Participant, now: datetime) -> Reply:
    event = _discreet(event, participant)
    clock = format_clock(event.starts_at, participant.timezone, current_language())
    lines = [
        "🔔 " + _("Reminder: <b>{title}</b>").format(title=esc(event.title)),
        "",
        *_details(event, participant, now),
        "",
        _("Plan it now: what time will you leave home to arrive before {clock}?").format(
            clock=clock
        ),
    ]
    if event.reporting and not participant.discreet:
        lines.append(
            _(
                "A missed report is recorded by your officer, so please let us know if you cannot come."
            )
        )
    elif not event.reporting:
        lines.append(
            _("Your seat is kept for you; if you cannot come, tell us so someone else can use it.")
        )
    lines += [_if_you_cannot_come(event), "", _("Will you come?")]
    return Reply("\n".join(lines), rsvp_buttons(event))


def confirmation(event: Event, participant: Participant, now: datetime) -> Reply:
    event = _discreet(event, participant)
    lines = [
        "✅ " + _("You are booked for <b>{title}</b>.").format(title=esc(event.title)),
        "",
        *_details(event, participant, now),
        "",
        _("We will remind you the day before and on the day."),
        _if_you_cannot_come(event),
    ]
    return Reply("\n".join(lines), rsvp_buttons(event))


def waitlisted(event: Event, participant: Participant, now: datetime) -> Reply:
    event = _discreet(event, participant)
    return Reply(
        _(
            "<b>{title}</b> on {when} is full for now. You are on the waiting list, and we will "
            "tell you as soon as a seat is free."
        ).format(title=esc(event.title), when=when_text(event.starts_at, participant, now))
    )


def cancelled(event: Event, participant: Participant, now: datetime) -> Reply:
    event = _discreet(event, participant)
    text = _(
        "❌ <b>{title}</b> on {when} has been <b>cancelled</b>. We are sorry for the change. "
        "We will let you know when there is a new date."
    ).format(title=esc(event.title), when=when_text(event.starts_at, participant, now))
    return Reply(text)


def moved(event: Event, participant: Participant, now: datetime) -> Reply:
    event = _discreet(event, participant)
    lines = [
        "🔄 " + _("<b>{title}</b> has a new time:").format(title=esc(event.title)),
        "",
        *_details(event, participant, now),
        "",
        _("Can you come at the new time?"),
    ]
    return Reply("\n".join(lines), rsvp_buttons(event))


def follow_up(
    event: Event, participant: Participant, now: datetime, next_event: Event | None
) -> Reply:
    event = _discreet(event, participant)
    lines = [
        _("We missed you today at <b>{title}</b>. We hope you are well. 🙏").format(
            title=esc(event.title)
        ),
        _("It happens; what matters is coming back."),
    ]
    buttons: tuple[Button, ...] = ()
    if next_event is not None:
        next_event = _discreet(next_event, participant)
        lines += [
            "",
            _("The next session is {when} at {place}. Would you like to join?").format(
                when=when_text(next_event.starts_at, participant, now), place=esc(next_event.place)
            ),
        ]
        buttons = (Button(_("Join next session"), f"join:{next_event.ref}"),)
    lines += ["", _("If something is in the way, your caseworker is there to help.")]
    return Reply("\n".join(lines), buttons)
