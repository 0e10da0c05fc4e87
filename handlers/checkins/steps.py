"""The check-in conversation: at most six short questions, buttons first, each answer kept as
it is given, so that a check-in left half-way is not lost and continues where it stopped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from handlers.alerts.rules import rules_of
from handlers.checkins.alerts import alerts_for, raise_alerts
from handlers.checkins.questions import ACTIVITIES, CONTACT, HOUSING, MOODS, NEEDS, options, title
from handlers.flow import END, WAIT, Step, Turn
from handlers.i18n import _
from handlers.participants.support import contact_line, support
from handlers.types import Button, Incoming, Kind
from handlers.understanding.choice_step import OnChoice, choice_step
from handlers.understanding.choices import Option, normalise, normalised_set
from handlers.understanding.distress import DANGER, recognise
from handlers.understanding.multichoice import Outcome, read_ticks
from storage.checkins.answers import RESUMABLE, resumable, set_needs
from storage.checkins.media import MEDIA_WAITING
from storage.models import Checkin, CheckinStatus

log = logging.getLogger(__name__)

KEY = "checkin"  # the conversation's note of which check-in is under way
TTL = timedelta(days=1)  # as long as a check-in left half-way can be continued
NEEDS_PREFIX = "ci_help"
NEEDS_DONE = "ci_help:done"
SKIP = "ci_note:skip"
NOTE_MAX = 2000
SKIP_WORDS = (
    "lewati", "lewat", "skip", "tidak ada", "gak ada", "ga ada", "nggak ada", "tdk ada",
    "tidak", "tdk", "gak", "ga", "nggak", "no", "nothing", "sudah", "udah", "cukup", "itu saja",
    "itu aja", "tidak ada lagi", "gak ada lagi", "nope",
)  # fmt: skip
MEDIA = frozenset({Kind.VOICE, Kind.AUDIO, Kind.PHOTO, Kind.VIDEO})


def _own_words(text: str) -> str:
    """What they typed, lines kept, control characters out, at most NOTE_MAX characters."""
    kept = "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in text)
    return kept.strip()[:NOTE_MAX]


async def current(turn: Turn) -> Checkin | None:
    """The check-in under way: the one this conversation noted, or one left half-way today."""
    checkin_id = turn.data.get(KEY)
    found = await turn.tx.get(Checkin, checkin_id) if isinstance(checkin_id, int) else None
    participant = turn.participant
    if found is None and participant is not None:
        found = await resumable(turn.tx, participant.id, turn.now)
    if found is None or participant is None or found.participant_id != participant.id:
        return None
    if found.status != CheckinStatus.PARTIAL or found.started_at < turn.now - RESUMABLE:
        return None
    turn.remember(**{KEY: found.id})
    turn.checkin_id = found.id
    return found


def checkin_of_turn(turn: Turn) -> int | None:
    """The check-in this message was part of (answered, or interrupted by danger words), if any:
    a danger flag raised in it carries its answers to the caseworker."""
    noted = turn.data.get(KEY)
    return (
        turn.checkin_id
        if turn.checkin_id is not None
        else (noted if isinstance(noted, int) else None)
    )


def next_question(checkin: Checkin) -> str:
    """The first question still unanswered, or END."""
    if checkin.mood is None:
        return "checkin.mood"
    if checkin.activity is None:
        return "checkin.activity"
    if checkin.housing is None:
        return "checkin.housing"
    if not checkin.help_answered:
        return "checkin.help"
    if checkin.wants_contact is None:
        return "checkin.contact"
    if not checkin.note_answered:
        return "checkin.note"
    return END


async def _after(turn: Turn, checkin: Checkin) -> str:
    state = next_question(checkin)
    if state == END:
        await finish_checkin(turn, checkin)
    return state


async def _lost(turn: Turn) -> str:
    turn.say(_("Sorry, this check-in has ended. Type KABAR to start a new one."))
    return END


def _saver(column: str, convert: Callable[[str], object] = str) -> OnChoice:
    """An answer that fills one column of the check-in, then the next question."""

    async def save(turn: Turn, option: Option) -> str | None:
        checkin = await current(turn)
        if checkin is None:
            return await _lost(turn)
        setattr(checkin, column, convert(option.value))
        return await _after(turn, checkin)

    return save


async def _save_contact(turn: Turn, option: Option) -> str | None:
    checkin = await current(turn)
    if checkin is None:
        return await _lost(turn)
    checkin.wants_contact = option.value == "yes"
    return await _after(turn, checkin)


def _needs_prompt(chosen: list[str]) -> str:
    prompt = _('What help would you like now? Choose as many as you like, then press "Done".')
    if chosen:
        names = ", ".join(title(NEEDS, code) for code in chosen)
        prompt += "\n\n" + _("Chosen so far: {interests}.").format(interests=names)
    return prompt


def _needs_buttons(chosen: list[str]) -> tuple[Button, ...]:
    return (
        *(
            Button(f"✅ {o.title}" if o.value in chosen else o.title, o.payload)
            for o in options(NEEDS, NEEDS_PREFIX)
        ),
        Button(_("Done"), NEEDS_DONE),
    )


def _ticked(turn: Turn) -> list[str]:
    value = turn.data.get(NEEDS_PREFIX)
    return [str(code) for code in value] if isinstance(value, list) else []


async def ask_needs(turn: Turn) -> None:
    chosen = _ticked(turn)
    turn.say(_needs_prompt(chosen), _needs_buttons(chosen))


async def needs(turn: Turn, incoming: Incoming) -> str | None:
    """They ticked or unticked one, typed what they need, or are done."""
    chosen = [f"{NEEDS_PREFIX}:{code}" for code in _ticked(turn)]
    ticks = read_ticks(incoming, options(NEEDS, NEEDS_PREFIX), chosen, NEEDS_DONE)
    codes = [p.removeprefix(f"{NEEDS_PREFIX}:") for p in ticks.chosen]
    if ticks.named and "none" in [p.removeprefix(f"{NEEDS_PREFIX}:") for p in ticks.named]:
        codes = ["none"]  # "tidak perlu" typed: nothing else
    turn.remember(**{NEEDS_PREFIX: codes})
    if ticks.outcome == Outcome.STALE:
        turn.say(_("That button is no longer valid."))
        return None
    if ticks.outcome == Outcome.UNCLEAR:
        turn.say(
            _(
                "Sorry, I didn't catch that. Press the buttons, or type what you need, "
                "for example: kerja, KTP, modal usaha. If you need nothing, type: tidak perlu."
            )
        )
        return None
    if ticks.outcome == Outcome.TOGGLED:
        edit = incoming.message_ref if incoming.kind == Kind.BUTTON else None
        turn.say(_needs_prompt(codes), _needs_buttons(codes), edit_ref=edit)
        return WAIT
    if not codes:
        turn.say(_('Please choose at least one, or "No help needed".'))
        return None
    if len(codes) > 1 and "none" in codes:
        codes = [code for code in codes if code != "none"]
    checkin = await current(turn)
    if checkin is None:
        return await _lost(turn)
    await set_needs(turn.tx, checkin, codes)
    turn.forget(NEEDS_PREFIX)
    return await _after(turn, checkin)


async def ask_note(turn: Turn) -> None:
    turn.say(
        _(
            "Is there anything else you would like to tell your pendamping? Write it here or "
            "send a voice note. If not, press Skip."
        ),
        (Button(_("Skip"), SKIP),),
    )


async def note(turn: Turn, incoming: Incoming) -> str | None:
    """Their own words, a voice note or photo (with its caption), or Skip."""
    checkin = await current(turn)
    if checkin is None:
        return await _lost(turn)
    if incoming.kind == Kind.BUTTON:
        if incoming.payload != SKIP:
            turn.say(_("That button is no longer valid."))
            return None
    elif incoming.kind in MEDIA:
        checkin.media_kind = str(incoming.kind)
        checkin.media_ref = incoming.attachment.ref if incoming.attachment else None
        turn.tx.info[MEDIA_WAITING] = True
        caption = _own_words(incoming.text)
        checkin.free_text = caption or None
        risk = recognise(caption) if caption else None
        if risk in DANGER and risk is not None:
            await support(turn, risk)
    else:
        text = incoming.text
        if normalise(text) and normalise(text) not in normalised_set(SKIP_WORDS):
            checkin.free_text = _own_words(text)
    checkin.note_answered = True
    return await _after(turn, checkin)


def keeping_media(step: Step) -> Step:
    """A question answered with buttons or words that also takes a voice note or photo sent in
    between: kept on the check-in for the pendamping to open, then the question again."""
    answer_words = step.answer

    async def answer(turn: Turn, incoming: Incoming) -> str | None:
        if incoming.kind not in MEDIA:
            return await answer_words(turn, incoming)
        checkin = await current(turn)
        if checkin is None:
            return await _lost(turn)
        if checkin.media_ref is None:  # the first one; a later one is in the message log
            checkin.media_kind = str(incoming.kind)
            checkin.media_ref = incoming.attachment.ref if incoming.attachment else None
            turn.tx.info[MEDIA_WAITING] = True
        caption = _own_words(incoming.text)
        risk = recognise(caption) if caption else None
        if risk in DANGER and risk is not None:
            await support(turn, risk)
        else:
            turn.say(_("Thank you, I have kept it for your pendamping. Now, please answer:"))
        return None

    return replace(step, answer=answer, accepts=frozenset({*step.accepts, *MEDIA}))


async def finish_checkin(turn: Turn, checkin: Checkin) -> None:
    """Every question answered: thank them, and raise the flags the answers call for."""
    checkin.status = CheckinStatus.COMPLETE
    checkin.finished_at = turn.now
    turn.forget(KEY)
    alerts = alerts_for(checkin, await rules_of(turn.tx, checkin.organisation_id))
    await raise_alerts(turn.tx, checkin, turn.now, alerts)
    log.info("check-in %s complete, %d alert(s)", checkin.id, len(alerts))
    if turn.flags:  # danger was heard just now: its answer said who will call
        turn.say(_("Thank you for your answers. Take care of yourself. 🙏"))
        return
    if alerts:
        lines = [
            _(
                "Thank you for telling me. Your pendamping will contact you soon; "
                "you do not have to face this alone. 🙏"
            )
        ]
        contact = await contact_line(turn)
        if contact:
            lines.append(contact)
        turn.say("\n\n".join(lines))
        return
    turn.say(
        _(
            "Thank you! Your answers have been passed on to your pendamping. "
            "Take care, and see you next time. 🙏"
        )
    )


CHECKIN: dict[str, Step] = {
    "checkin.mood": keeping_media(
        choice_step(
            question=lambda turn: _(
                "How are you feeling these days? Choose 1 (very bad) to 5 (very good)."
            ),
            options=lambda turn: options(MOODS, "ci_mood"),
            on_choice=_saver("mood", int),
            ttl=TTL,
        )
    ),
    "checkin.activity": keeping_media(
        choice_step(
            question=lambda turn: _("What are you mainly doing now?"),
            options=lambda turn: options(ACTIVITIES, "ci_act"),
            on_choice=_saver("activity"),
            ttl=TTL,
        )
    ),
    "checkin.housing": keeping_media(
        choice_step(
            question=lambda turn: _("Do you have a safe place to live?"),
            options=lambda turn: options(HOUSING, "ci_home"),
            on_choice=_saver("housing"),
            ttl=TTL,
        )
    ),
    "checkin.help": keeping_media(Step(ask_needs, needs, ttl=TTL)),
    "checkin.contact": keeping_media(
        choice_step(
            question=lambda turn: _("Would you like your pendamping to contact you?"),
            options=lambda turn: options(CONTACT, "ci_call"),
            on_choice=_save_contact,
            ttl=TTL,
        )
    ),
    "checkin.note": Step(
        ask_note,
        note,
        accepts=frozenset({Kind.TEXT, Kind.BUTTON, *MEDIA}),
        ttl=TTL,
        keeps_text=True,
    ),
}
