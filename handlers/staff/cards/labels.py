"""Words the participant list and card show: statuses, urgencies, answers, short dates."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from handlers.i18n import N_, _
from handlers.text import fit
from handlers.timefmt import zone_abbr
from storage.models import Participant, ParticipantStatus
from storage.staff.caseload import Urgency

ROW_TITLE_MAX = 24  # a WhatsApp list row's title

STATUSES = {
    ParticipantStatus.ACTIVE: N_("active"),
    ParticipantStatus.STOPPED: N_("stopped messages"),
    ParticipantStatus.UNREACHABLE: N_("unreachable"),
    ParticipantStatus.ERASED: N_("erased"),
    ParticipantStatus.PREREGISTERED: N_("before release"),
}
# What the list says next to a person at each level (REST and ERASED say nothing more).
URGENCIES = {
    Urgency.DANGER: N_("⚠️ urgent message waiting"),
    Urgency.ANSWER: N_("can't come / asked for another date"),
    Urgency.MISSED: N_("missed a session"),
    Urgency.FLAG: N_("message waiting"),
}
ANSWERS = {
    "yes": N_("coming"),  # "Hadir", as the button they pressed said
    "no": N_("can't come"),  # "Tidak bisa"
    "reschedule": N_("asked for another date"),
}
CHANNELS = {"telegram": "Telegram", "whatsapp": "WhatsApp", "console": "Console"}
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}


def status_of(participant: Participant) -> str:
    return _(STATUSES.get(participant.status, participant.status))


def urgency_of(level: Urgency) -> str | None:
    words = URGENCIES.get(level)
    return _(words) if words else None


def answer_of(rsvp: str | None) -> str:
    return _(ANSWERS[rsvp]) if rsvp in ANSWERS else _("no answer yet")


def display_name(participant: Participant) -> str:
    if participant.status == ParticipantStatus.ERASED:
        return _("(erased)")
    return participant.name or "-"


def row_title(participant: Participant) -> str:
    """A person's row in a list: "#12 Agus Pratama", within a list row's limit."""
    return fit(f"#{participant.id} {display_name(participant)}", ROW_TITLE_MAX)


def short_when(moment: datetime, timezone: str, language: str) -> str:
    """ "Sen, 7 Des 08.30 WIB": a date on a phone-sized card."""
    local = moment.astimezone(ZoneInfo(timezone))
    clock = "HH.mm" if language == "id" else "HH:mm"
    shown = format_datetime(local, f"EEE, d MMM {clock}", locale=language)
    return f"{shown} {zone_abbr(timezone)}"
