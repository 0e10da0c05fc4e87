"""Answers to reminders: "Hadir", "Tidak bisa", "Minta jadwal ulang" (with reason and days)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.flow import END, WAIT, Step, Turn
from handlers.i18n import N_, _
from handlers.outbox.registry import answerable_kinds
from handlers.programs.changes import withdraw
from handlers.programs.events import find_event, session_event
from handlers.programs.refs import EventKind, EventRef, parse_rsvp, rsvp_payload
from handlers.reminders.planning import enrol
from handlers.reminders.text import when_text
from handlers.text import clean_line, esc
from handlers.types import Button, Incoming, Kind
from handlers.understanding.choices import Option, normalise, pick
from handlers.understanding.distress import recognise
from handlers.understanding.multichoice import Outcome, read_ticks
from handlers.understanding.plans import looks_like_a_plan
from storage.models import (
    Enrolment,
    EnrolmentStatus,
    FlagReason,
    Occurrence,
    ParticipantStatus,
    ProgramSession,
)
from storage.outbox import cancel_pending, last_sent_about_event
from storage.programs import enrolment_of

DAYS = [
    ("mon", N_("Monday"), ("senin",)),
    ("tue", N_("Tuesday"), ("selasa",)),
    ("wed", N_("Wednesday"), ("rabu",)),
    ("thu", N_("Thursday"), ("kamis",)),
    ("fri", N_("Friday"), ("jumat", "jum'at")),
    ("sat", N_("Saturday"), ("sabtu",)),
    ("sun", N_("Sunday"), ("minggu", "ahad")),
]
REASON_MAX = 500


async def own_answer_row(
    tx: AsyncSession, participant_id: int, ref: EventRef
) -> Enrolment | Occurrence | None:
    """The participant's own enrolment or appointment occurrence behind a button; never someone else's."""
    if ref.kind == EventKind.SESSION:
        return await enrolment_of(tx, participant_id, ref.id)
    occurrence = await tx.get(Occurrence, ref.id)
    if occurrence is not None and occurrence.appointment.participant_id == participant_id:
        return occurrence
    return None


# Someone who stopped our messages may still answer a reminder they already have.
ANSWERING = (ParticipantStatus.ACTIVE, ParticipantStatus.STOPPED)


async def answer(turn: Turn, payload: str) -> str | None:
    """A reply button on a reminder was pressed: rsvp:<ref>:<yes|no|later>. Returns a state to enter."""
    parsed = parse_rsvp(payload)
    participant = turn.participant
    row = None
    if parsed is not None and participant is not None and participant.status in ANSWERING:
        row = await own_answer_row(turn.tx, participant.id, parsed[0])
    found = await find_event(turn.tx, parsed[0]) if parsed is not None and row is not None else None
    if parsed is None or row is None or found is None:
        turn.say(_("That button is no longer valid."))
        return None
    ref, choice = parsed
    event, live = found
    if not live or event.starts_at <= turn.now:
        turn.say(_("That session is no longer ahead, so there is nothing to answer. Thank you!"))
        return None
    assert participant is not None
    row.rsvp = {"yes": "yes", "no": "no", "later": "reschedule"}[choice]
    row.rsvp_at = turn.now
    if choice == "yes":
        if isinstance(row, Enrolment) and row.status == EnrolmentStatus.WITHDRAWN:
            await _come_after_all(turn, row)
            return None
        if isinstance(row, Enrolment) and row.status == EnrolmentStatus.WAITLISTED:
            _still_waiting(turn, event.title)
            return None
        turn.say(
            _("Thank you! See you {when}. 👍").format(
                when=when_text(event.starts_at, participant, turn.now)
            )
        )
        return None
    await _give_up_place(turn, row, participant.id)
    if choice == "no":
        turn.say(
            _(
                "Thank you for telling us. Your caseworker will see your answer. Would you like another date?"
            ),
            (Button(_("Ask to reschedule"), rsvp_payload(ref, "later")),),
        )
        return None
    turn.remember(rsvp_ref=str(ref), rsvp_days=[])
    return "rsvp.reason"


CANT_WORDS = ("tidak bisa", "gak bisa", "ga bisa", "nggak bisa", "tdk bisa", "berhalangan",
              "tidak hadir", "can't come", "cannot come", "izin")  # fmt: skip
COME_WORDS = (
    "hadir",
    "datang",
    "bisa",
    "insya allah",
    "insyaallah",
    "siap",
    "iya",
    "ya",
    "ok",
    "oke",
)
LATER_WORDS = ("jadwal ulang", "ganti jadwal", "pindah jadwal", "reschedule", "hari lain")
REPLY_WINDOW = timedelta(hours=36)
NOTE_WORDS = 6  # a typed answer longer than this says more than yes or no: staff read it


async def typed_reply(turn: Turn) -> str | None:
    """A message typed soon after a reminder may answer it: "hadir", "tidak bisa", or a plan
    ("jam 7 saya berangkat"). Returns the state to enter (END if none), or None when the message
    is not an answer to a recent reminder (then it is something else, for staff to read)."""
    participant = turn.participant
    if participant is None or turn.incoming.kind != Kind.TEXT:
        return None
    since = turn.now - REPLY_WINDOW
    row = await last_sent_about_event(turn.tx, participant.id, since, turn.now, answerable_kinds())
    ref = EventRef.of_row(row) if row is not None else None
    if ref is None:
        return None
    answered = await own_answer_row(turn.tx, participant.id, ref)
    if answered is None or answered.rsvp in ("no", "reschedule"):
        return None  # nothing left to answer: they already said they cannot come
    text = turn.incoming.text
    worry = recognise(text) is not None  # more than an answer: someone needs to read it
    choice = pick(
        turn.incoming,
        [
            Option("later", "", LATER_WORDS),
            Option("no", "", CANT_WORDS),
            Option("yes", "", COME_WORDS),
        ],
        numbers=False,
    )
    if choice is not None and not (worry and choice.payload == "yes"):
        if worry or len(normalise(text).split()) > NOTE_WORDS:
            turn.flag(FlagReason.HARDSHIP if worry else FlagReason.RSVP_NOTE)
        return await answer(turn, rsvp_payload(ref, choice.payload)) or END
    found = await find_event(turn.tx, ref)
    if found is None or not looks_like_a_plan(text):
        return None
    if isinstance(answered, Enrolment) and answered.status == EnrolmentStatus.WAITLISTED:
        _still_waiting(turn, found[0].title)  # a plan, but no seat to plan for yet
    else:
        turn.say(
            _("Thank you, noted. See you {when}! 👍").format(
                when=when_text(found[0].starts_at, participant, turn.now)
            )
        )
    if worry:
        turn.flag(FlagReason.HARDSHIP)
        turn.say(_("I have also passed your message on to your caseworker."))
    return END


async def _come_after_all(turn: Turn, row: Enrolment) -> None:
    """They said they could not come, then pressed "Hadir": a seat again if one is free."""
    participant, event = turn.participant, await turn.tx.get(ProgramSession, row.session_id)
    assert participant is not None and event is not None
    result = await enrol(
        turn.tx, participant, event, turn.now, turn.settings.reminders, confirm=False
    )
    if result.enrolment.status == EnrolmentStatus.WAITLISTED:
        _still_waiting(turn, session_event(event).title)
    else:
        turn.say(
            _("Thank you! See you {when}. 👍").format(
                when=when_text(event.starts_at, participant, turn.now)
            )
        )


def _still_waiting(turn: Turn, title: str) -> None:
    """They want to come, but every seat is taken: their yes is kept, and no seat is promised."""
    turn.say(
        _(
            "Thank you, we have noted that you want to come. <b>{title}</b> is full for now: "
            "you are on the waiting list, and we will tell you as soon as a seat is free."
        ).format(title=esc(title))
    )


async def _give_up_place(turn: Turn, row: Enrolment | Occurrence, participant_id: int) -> None:
    """They cannot come: no more reminders, and a session seat goes to the first one waiting."""
    if isinstance(row, Enrolment):
        await withdraw(turn.tx, row, turn.now, turn.settings.reminders)
    else:
        await cancel_pending(turn.tx, occurrence_ids=[row.id], participant_id=participant_id)


async def ask_reason(turn: Turn) -> None:
    turn.say(
        _('What makes it hard to come? A few words are enough (or press "Skip").'),
        (Button(_("Skip"), "reason:skip"),),
    )


async def reason(turn: Turn, incoming: Incoming) -> str | None:
    """They said why they cannot come (or skipped)."""
    if incoming.payload == "reason:skip" or normalise(incoming.text) in ("lewati", "skip"):
        turn.remember(rsvp_reason=None)
        return "rsvp.days"
    if incoming.kind != Kind.TEXT:
        return None
    turn.remember(rsvp_reason=clean_line(incoming.text)[:REASON_MAX])
    return "rsvp.days"


def _day_options() -> list[Option]:
    return [Option(f"day:{code}", _(title), words) for code, title, words in DAYS]


async def ask_days(turn: Turn) -> None:
    chosen = set(turn.data.get("rsvp_days", []))
    turn.say(
        _('Which days suit you best? Choose one or more, then press "Done".'),
        (
            *(
                Button(f"✅ {o.title}" if o.payload[4:] in chosen else o.title, o.payload)
                for o in _day_options()
            ),
            Button(_("Done"), "day:done"),
        ),
        edit_ref=turn.incoming.message_ref if turn.incoming.kind == Kind.BUTTON else None,
    )


async def days(turn: Turn, incoming: Incoming) -> str | None:
    """They ticked days (pressed or typed, added to the ticked ones), then Done."""
    chosen = [f"day:{code}" for code in turn.data.get("rsvp_days", [])]
    ticks = read_ticks(incoming, _day_options(), chosen, "day:done")
    picked = [p.removeprefix("day:") for p in ticks.chosen]
    if ticks.outcome == Outcome.FINISHED:
        return await _save(turn, picked)
    if ticks.outcome == Outcome.TOGGLED:
        turn.remember(rsvp_days=picked)
        await ask_days(turn)
        return WAIT
    if ticks.outcome == Outcome.UNCLEAR:
        turn.say(_("Please choose with the buttons, or type for example: senin, rabu."))
    return None


async def _save(turn: Turn, chosen: list[str]) -> str:
    participant = turn.participant
    ref = EventRef.parse(str(turn.data.get("rsvp_ref", "")))  # kept in the conversation as text
    row = await own_answer_row(turn.tx, participant.id, ref) if participant and ref else None
    if row is not None:
        row.reschedule_reason = turn.data.get("rsvp_reason")
        order = [c for c, _t, _w in DAYS]
        row.reschedule_days = ",".join(sorted(set(chosen), key=order.index)) or None
    turn.forget("rsvp_ref", "rsvp_reason", "rsvp_days")
    turn.say(_("Thank you. Your caseworker will contact you to agree on a new date. 🙏"))
    return END


RSVP: dict[str, Step] = {
    "rsvp.reason": Step(ask_reason, reason, keeps_text=True),
    "rsvp.days": Step(ask_days, days),
}
