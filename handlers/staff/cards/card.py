"""A participant's card for staff: who they are, where they stand, what is coming, how they
attended, what they asked, notes and referrals, short enough for a phone (each section capped,
"and N more"). Opening one is audited (VIEW); an id out of scope is answered like an id nobody
has. A partner organisation sees only its own programs' part, and no notes or flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from handlers.broadcasts.replies import card_block as broadcast_answers
from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.participants.labels import CATEGORIES
from handlers.programs.events import occurrence_event
from handlers.staff.audit import AuditAction, audit
from handlers.staff.cards.checkins import checkins_block
from handlers.staff.cards.labels import (
    CHANNELS,
    LANGUAGES,
    answer_of,
    display_name,
    short_when,
    status_of,
)
from handlers.staff.commands import staff_button, staff_payload
from handlers.staff.scope import Access, StaffView, access_to, participant_in_scope
from handlers.text import esc
from handlers.types import Button
from storage.checkins.answers import unresponsive
from storage.checkins.views import CheckinLine, latest_checkins
from storage.models import (
    EnrolmentStatus,
    Participant,
    ParticipantStatus,
    ReferralStatus,
    SessionStatus,
)
from storage.models.relay import RelayDirection
from storage.staff.cards import CardData, card_data, last_inbound
from storage.staff.relay import ThreadLine, relay_thread

SHOWN = 3  # lines per section before "and N more"
NOTE_CHARS = 160  # of a note's text on the card
REASON_CHARS = 100


@dataclass(frozen=True)
class CardButton:
    """A button on the card; its payload is "staff:<action>:<participant id>" (the action checks
    the id again). `act`: shown only to staff who may act on the participant."""

    title: str  # English source, translated when shown (at most 20 characters in every language)
    action: str
    act: bool = True


# What can be done from a card, in order: features add theirs here, one line each ("Kirim pesan",
# "Jadwalkan"). The card ends with "Participants" and "Menu"; WhatsApp shows up to three buttons
# as buttons, more as a list (at most ten rows).
CARD_BUTTONS: tuple[CardButton, ...] = (
    CardButton(N_("Add note"), "note"),
    CardButton(N_("Send message"), "msg"),
    CardButton(N_("Schedule"), "appt"),
    CardButton(N_("Reassign"), "ra"),
    CardButton(N_("Voice & photos"), "media"),  # of check-ins (cards/media.py)
)
NOT_FOUND = N_("There is no participant with that number that you can see.")


@dataclass(frozen=True)
class Meeting:
    """A session or an appointment's meeting, as the card lists it."""

    title: str
    starts_at: datetime
    timezone: str
    rsvp: str | None
    attendance: str | None
    reason: str | None
    days: str | None
    handled: bool
    upcoming: bool  # still ahead and still on (a seat or a planned meeting)


def _meetings(data: CardData, now: datetime) -> list[Meeting]:
    found: list[Meeting] = []
    for enrolment in data.enrolments:
        session = enrolment.session
        on = session.status != SessionStatus.CANCELLED and (
            enrolment.status != EnrolmentStatus.WITHDRAWN or enrolment.rsvp in ("no", "reschedule")
        )
        title = session.display_title
        if enrolment.status == EnrolmentStatus.WAITLISTED:
            title += " " + _("(waiting list)")
        found.append(
            Meeting(title, session.starts_at, session.timezone, enrolment.rsvp,
                    enrolment.attendance, enrolment.reschedule_reason, enrolment.reschedule_days,
                    enrolment.handled_at is not None, on and session.starts_at >= now)
        )  # fmt: skip
    for occurrence in data.occurrences:
        appointment = occurrence.appointment
        on = not occurrence.cancelled and appointment.active
        found.append(
            Meeting(occurrence_event(occurrence).title, occurrence.starts_at,
                    appointment.timezone, occurrence.rsvp, occurrence.attendance,
                    occurrence.reschedule_reason, occurrence.reschedule_days,
                    occurrence.handled_at is not None, on and occurrence.starts_at >= now)
        )  # fmt: skip
    return sorted(found, key=lambda m: m.starts_at)


def _more(lines: list[str], total: int) -> list[str]:
    if total > len(lines):
        lines.append(_("… and {count} more").format(count=total - len(lines)))
    return lines


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _profile(
    participant: Participant, data: CardData, language: str, partner: bool, silent: bool
) -> list[str]:
    category = CATEGORIES.get(participant.category or "")
    about = [
        _(category[0]) if category else None,
        esc(participant.city) if participant.city else None,
        LANGUAGES.get(participant.language, participant.language),
    ]
    status = status_of(participant)
    if participant.status != ParticipantStatus.ACTIVE:
        status = f"<b>{status.upper()}</b>"
    elif silent:  # both their last check-ins went unanswered (never told to a partner)
        status += " · <b>" + _("not responding").upper() + "</b>"
    channels = sorted({CHANNELS.get(a.channel, a.channel) for a in data.addresses})
    lines = [
        f"<b>#{participant.id} {esc(display_name(participant))}</b>",
        " · ".join(part for part in about if part),
        _("Status: {status}").format(status=status),
        _("Chats: {channels}").format(channels=", ".join(channels) or "-"),
    ]
    seen = last_inbound(data.addresses)
    if not partner:
        when = short_when(seen, participant.timezone, language) if seen else _("never")
        lines.append(_("Last wrote: {when}").format(when=when))
    lines.append(
        _("Organisation: {organisation} · caseworker: {caseworker}").format(
            organisation=esc(data.organisation or "-"), caseworker=esc(data.caseworker or "-")
        )
    )
    if data.open_flags:
        lines.append(_("⚠️ Messages waiting for staff: {count}").format(count=data.open_flags))
    return lines


def _upcoming(meetings: list[Meeting], language: str) -> list[str]:
    ahead = [m for m in meetings if m.upcoming]
    lines = [
        f"• {short_when(m.starts_at, m.timezone, language)} · {esc(m.title)} · {answer_of(m.rsvp)}"
        for m in ahead[:SHOWN]
    ]
    return _more(lines, len(ahead)) or [_("Nothing planned.")]


def _attendance(meetings: list[Meeting], language: str) -> tuple[str, list[str]]:
    marked = [m for m in meetings if m.attendance in ("attended", "absent")]
    came = sum(1 for m in marked if m.attendance == "attended")
    missed = len(marked) - came
    if not marked:
        return _("Attendance: nothing marked yet."), []
    summary = _("Attendance: came {came}, missed {missed} ({rate}%)").format(
        came=came, missed=missed, rate=round(100 * came / len(marked))
    )
    latest = list(reversed(marked))
    lines = [
        f"• {short_when(m.starts_at, m.timezone, language)} · {esc(m.title)} · "
        + (_("came") if m.attendance == "attended" else _("missed"))
        for m in latest[:SHOWN]
    ]
    return summary, _more(lines, len(latest))


def _requests(meetings: list[Meeting], language: str) -> list[str]:
    asked = sorted(
        (m for m in meetings if m.rsvp == "reschedule"), key=lambda m: m.starts_at, reverse=True
    )
    lines = []
    for m in asked[:SHOWN]:
        line = f"• {short_when(m.starts_at, m.timezone, language)} · {esc(m.title)}"
        if m.reason:
            line += f": “{esc(_clip(m.reason, REASON_CHARS))}”"
        if m.days:
            line += " " + _("(days: {days})").format(days=esc(_clip(m.days, 40)))
        line += " · " + (_("handled") if m.handled else _("not handled yet"))
        lines.append(line)
    return _more(lines, len(asked))


def _notes(data: CardData, timezone: str, language: str) -> list[str]:
    lines = []
    for note, author in data.notes:
        text = (
            _("(erased with the participant's data)")
            if note.erased
            else esc(_clip(note.text, NOTE_CHARS))
        )
        lines.append(
            f"• {short_when(note.created_at, timezone, language)} · {esc(author or '-')}: {text}"
        )
    return _more(lines, data.note_count)


REFERRAL_STATUSES = {
    ReferralStatus.ASKED: N_("asked, no answer yet"),
    ReferralStatus.ACTIVE: N_("agreed"),
    ReferralStatus.DECLINED: N_("declined"),
    ReferralStatus.WITHDRAWN: N_("withdrawn"),
}


def _referrals(data: CardData) -> list[str]:
    lines = [
        "• "
        + " · ".join(
            part
            for part in (
                esc(line.partner),
                esc(line.program) if line.program else None,
                _(REFERRAL_STATUSES.get(line.referral.status, line.referral.status)),
            )
            if part
        )
        for line in data.referrals[-SHOWN:]
    ]
    return _more(lines, len(data.referrals))


def _messages(thread: list[ThreadLine], timezone: str, language: str) -> list[str]:
    """The latest messages through the bot, both ways (never shown to a partner)."""
    lines = []
    for line in thread:
        when = short_when(line.at, timezone, language)
        if line.direction == RelayDirection.TO_PARTICIPANT:
            who = _("{name} to them").format(name=esc(line.staff_name or "-"))
        else:
            who = _("they wrote")
        lines.append(f"• {when} · {who}: {esc(_clip(line.text, NOTE_CHARS))}")
    return lines


def card_text(
    participant: Participant,
    data: CardData,
    now: datetime,
    language: str,
    partner: bool,
    thread: list[ThreadLine] | None = None,
    checkins: list[CheckinLine] | None = None,
    silent: bool = False,
) -> str:
    """`checkins`: their latest, newest first (None: not shown, as to a partner); `silent`:
    they stopped answering check-ins."""
    meetings = _meetings(data, now)
    blocks = ["\n".join(_profile(participant, data, language, partner, silent))]
    if checkins is not None and not partner:
        blocks.append(checkins_block(checkins, participant.timezone, language))
    blocks.append("<b>" + _("Coming up") + "</b>\n" + "\n".join(_upcoming(meetings, language)))
    summary, history = _attendance(meetings, language)
    blocks.append("\n".join([f"<b>{summary}</b>", *history]))
    requests = _requests(meetings, language)
    if requests:
        blocks.append("<b>" + _("Asked for another date") + "</b>\n" + "\n".join(requests))
    if not partner:
        notes = _notes(data, participant.timezone, language)
        blocks.append(
            "<b>" + _("Notes") + "</b>\n" + ("\n".join(notes) if notes else _("No notes yet."))
        )
    messages = _messages(thread or [], participant.timezone, language)
    if messages:
        blocks.append("<b>" + _("Messages through the bot") + "</b>\n" + "\n".join(messages))
    referrals = _referrals(data)
    if referrals:
        blocks.append("<b>" + _("Referrals") + "</b>\n" + "\n".join(referrals))
    return "\n\n".join(blocks)


def card_buttons(participant_id: int, access: Access) -> tuple[Button, ...]:
    shown = [b for b in CARD_BUTTONS if access >= Access.ACT or not b.act]
    return (
        *(Button(_(b.title), staff_payload(b.action, participant_id)) for b in shown),
        Button(_("Participants"), staff_payload("cmd", "peserta")),
        Button(_("Menu"), staff_payload("cmd", "menu")),
    )


async def open_card(turn: Turn, staff: StaffView, argument: str) -> None:
    """The card of the participant `argument` names (typed or from a payload), if in scope."""
    participant = await participant_in_scope(turn.tx, staff, argument)
    if participant is None:
        turn.say(_(NOT_FOUND))
        return
    access = await access_to(turn.tx, staff, participant)
    partner = participant.organisation_id != staff.organisation_id
    await audit(
        turn.tx,
        staff=staff,
        action=AuditAction.VIEW,
        channel=turn.incoming.channel,
        now=turn.now,
        participant_id=participant.id,
        detail="card",
    )
    data = await card_data(
        turn.tx, participant, organisation_id=staff.organisation_id, partner=partner, notes=SHOWN
    )
    thread = [] if partner else await relay_thread(turn.tx, participant.id, SHOWN)
    checkins, silent = None, False
    if not partner:  # two statements, whatever their history
        checkins = await latest_checkins(turn.tx, participant.id)
        silent = participant.id in await unresponsive(turn.tx, [participant.id])
    text = card_text(participant, data, turn.now, turn.language, partner, thread, checkins, silent)
    if not partner:  # what they wrote back to announcements (handlers/broadcasts/replies.py)
        answers = await broadcast_answers(
            turn.tx, participant.id, participant.timezone, turn.language
        )
        text += "\n\n" + answers if answers else ""
    turn.say(text, card_buttons(participant.id, access))


async def card_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    await open_card(turn, staff, argument)


staff_button("p", card_pressed)
