"""The card's "Kabar" section: a person's last check-ins and how their mood went (never shown
to a partner organisation)."""

from __future__ import annotations

from handlers.checkins.questions import ACTIVITIES, NEEDS, title
from handlers.i18n import N_, _
from handlers.staff.cards.labels import short_when
from handlers.text import esc
from storage.checkins.views import CheckinLine
from storage.models import CheckinStatus

SHOWN = 3  # check-ins shown in full
WORDS = 80  # characters of what they typed, on the card
MOOD_EMOJI = {1: "😞", 2: "🙁", 3: "😐", 4: "🙂", 5: "😄"}
STATUSES = {
    CheckinStatus.COMPLETE: N_("complete"),
    CheckinStatus.PARTIAL: N_("partial"),
    CheckinStatus.EXPIRED: N_("unanswered"),
}
HOUSING_WORDS = {
    "yes": N_("safe place: yes"),
    "no": N_("safe place: NO"),
    "unsure": N_("safe place: not sure"),
}
MEDIA = {"voice": N_("voice note"), "audio": N_("voice note"), "photo": N_("photo")}


def mood(value: int) -> str:
    """ "🙂 4" """
    return f"{MOOD_EMOJI.get(value, '?')} {value}"


def trend(moods: list[int]) -> str | None:
    """How their mood went, oldest to newest: "🙁 2 → 🙂 4, up" (None under two answers)."""
    if len(moods) < 2:
        return None
    first, last = moods[0], moods[-1]
    way = _("up") if last > first else _("down") if last < first else _("the same")
    if len(moods) == 2:
        return f"{mood(first)} → {mood(last)}, {way}"
    row = " ".join(MOOD_EMOJI.get(m, "?") for m in moods)
    return f"{row} ({mood(first)} → {mood(last)}, {way})"


def in_order(needs: list[str]) -> list[str]:
    """The needs in the order the question offers them (the database keeps no order)."""
    order = list(NEEDS)
    return sorted(needs, key=lambda need: order.index(need) if need in order else len(order))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def checkin_line(line: CheckinLine, timezone: str, language: str) -> str:
    checkin = line.checkin
    parts = [
        short_when(checkin.started_at, timezone, language),
        _(STATUSES.get(checkin.status, checkin.status)),
    ]
    if checkin.mood is not None:
        parts.append(mood(checkin.mood))
    if checkin.activity:
        parts.append(title(ACTIVITIES, checkin.activity))
    if checkin.housing in HOUSING_WORDS:
        parts.append(_(HOUSING_WORDS[checkin.housing]))
    asked = [title(NEEDS, need) for need in in_order(line.needs) if need != "none"]
    if asked:
        parts.append(_("asks for: {needs}").format(needs=", ".join(asked)))
    if checkin.wants_contact:
        parts.append(_("wants a call"))
    if checkin.media_kind in MEDIA and checkin.media_ref:
        parts.append(_(MEDIA[checkin.media_kind]))
    text = "• " + " · ".join(parts)
    if checkin.free_text:
        text += f": “{esc(_clip(checkin.free_text, WORDS))}”"
    return text


def checkins_block(lines: list[CheckinLine], timezone: str, language: str) -> str:
    """The section, from their latest check-ins, newest first."""
    heading = "<b>" + _("Check-ins (Kabar)") + "</b>"
    if not lines:
        return heading + "\n" + _("No check-ins yet.")
    moods = [line.checkin.mood for line in reversed(lines) if line.checkin.mood is not None]
    shown = [checkin_line(line, timezone, language) for line in lines[:SHOWN]]
    went = trend(moods)
    if went:
        shown.append(_("Mood: {trend}").format(trend=went))
    return heading + "\n" + "\n".join(shown)
