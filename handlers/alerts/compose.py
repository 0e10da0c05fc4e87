"""The text of an alert: who, what happened, and for a check-in every answer it gave."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.checkins.questions import ACTIVITIES, CONTACT, HOUSING, MOODS, NEEDS, title
from handlers.i18n import N_, _
from handlers.text import esc
from handlers.timefmt import format_when
from storage.checkins.answers import needs_of
from storage.models import Checkin, Flag, FlagReason, Message, Participant

WORDS_MAX = 600  # of their words in an alert; the card and the message log keep all of it

WHAT = {
    FlagReason.SELF_HARM: N_("⚠️ Danger: wrote about wanting to die or to hurt themselves."),
    FlagReason.VIOLENCE: N_("⚠️ Danger: wrote about violence or threats."),
    FlagReason.ARREST: N_("⚠️ Danger: wrote about being arrested or held by the police."),
    FlagReason.RELAPSE: N_("⚠️ Danger: wrote about using drugs or drinking again."),
    FlagReason.LOW_MOOD: N_("Check-in: feels very bad (mood 1 of 5)."),
    FlagReason.NO_HOME: N_("Check-in: has no safe place to live."),
    FlagReason.WANTS_CONTACT: N_("Check-in: asks you to contact them."),
}
MEDIA = {
    "voice": N_("voice note"),
    "audio": N_("voice note"),
    "photo": N_("photo"),
    "video": N_("video"),
}


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= WORDS_MAX else text[: WORDS_MAX - 1] + "…"


async def alert_text(tx: AsyncSession, flags: Sequence[Flag], timezone: str, language: str) -> str:
    """`flags` raised by one message, in the reader's language (the caller sets it) and zone."""
    lead = flags[0]
    participant = await tx.get(Participant, lead.participant_id)
    name = participant.name if participant is not None and participant.name else "-"
    lines = [_("🚨 <b>Alert: {name} (#{id})</b>").format(name=esc(name), id=lead.participant_id)]
    lines.extend(
        _(WHAT[flag.reason]) if flag.reason in WHAT else _("Passed on a message for you.")
        for flag in flags
    )
    checkin_id = next((flag.checkin_id for flag in flags if flag.checkin_id is not None), None)
    checkin = await tx.get(Checkin, checkin_id) if checkin_id is not None else None
    message_id = next((flag.message_id for flag in flags if flag.message_id is not None), None)
    message = await tx.get(Message, message_id) if message_id is not None else None
    words = message.body if message is not None and message.body else None
    if words and (checkin is None or (checkin.free_text or "").strip() != words.strip()):
        lines.append(_("Their message: “{words}”").format(words=esc(_clip(words))))
    if checkin is not None:
        lines.append("")
        lines.extend(await _answers(tx, checkin, timezone, language))
    lines.append("")
    lines.append(
        _("Received {when}.").format(when=format_when(lead.created_at, timezone, language))
    )
    return "\n".join(lines)


async def alert_summary(tx: AsyncSession, flags: Sequence[Flag]) -> tuple[str, str]:
    """Who and what, each on one line, for the alert template (its parameters allow no line
    breaks): "Yusuf (#12)" and "Check-in: feels very bad (mood 1 of 5). ..." in the reader's
    language (the caller sets it)."""
    lead = flags[0]
    participant = await tx.get(Participant, lead.participant_id)
    name = participant.name if participant is not None and participant.name else "-"
    who = _("{name} (#{id})").format(name=esc(name), id=lead.participant_id)
    what = " ".join(
        _(WHAT[flag.reason]) if flag.reason in WHAT else _("Passed on a message for you.")
        for flag in flags
    )
    return who, what


async def _answers(tx: AsyncSession, checkin: Checkin, timezone: str, language: str) -> list[str]:
    when = checkin.finished_at or checkin.started_at
    needs = [title(NEEDS, need) for need in await needs_of(tx, checkin.id)]
    contact = None if checkin.wants_contact is None else ("yes" if checkin.wants_contact else "no")
    lines = [
        _("<b>Check-in of {when}</b>").format(when=format_when(when, timezone, language)),
        _("Mood: {answer}").format(
            answer=title(MOODS, str(checkin.mood) if checkin.mood is not None else None)
        ),
        _("Activity: {answer}").format(answer=title(ACTIVITIES, checkin.activity)),
        _("Safe place to live: {answer}").format(answer=title(HOUSING, checkin.housing)),
        _("Help wanted: {answer}").format(answer=", ".join(needs) if needs else "-"),
        _("Wants to be contacted: {answer}").format(answer=title(CONTACT, contact)),
    ]
    if checkin.free_text:
        lines.append(_("Their words: “{words}”").format(words=esc(_clip(checkin.free_text))))
    if checkin.media_kind:
        kind = MEDIA.get(checkin.media_kind)
        lines.append(
            _("Sent a {kind}: open it from their card.").format(
                kind=_(kind) if kind else esc(checkin.media_kind)
            )
        )
    return lines
