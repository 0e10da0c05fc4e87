"""What a participant types freely is heard: danger, opt-out, a new number, an answer, a message.

Nothing typed freely is answered with a canned "noted": the bot acts on what it understands and
passes everything else on to staff, saying so.
"""

from __future__ import annotations

from handlers.broadcasts.reading import asks_to_read, read_teasers
from handlers.broadcasts.replies import broadcast_reply
from handlers.flow import Step, Turn
from handlers.i18n import _
from handlers.menu import show_menu, stopped_note
from handlers.participants.number_change import new_number_in, offer_number
from handlers.participants.optout import wants_to_start, wants_to_stop
from handlers.participants.support import passed_on, support
from handlers.partners.consent import typed_consent
from handlers.relay.conversation import relay_danger, relay_reply
from handlers.reminders import rsvp
from handlers.states import enter, finish
from handlers.understanding.choices import normalise
from handlers.understanding.distress import DANGER, Risk, recognise
from handlers.understanding.phrases import Phrases
from storage.erasure import forget_address
from storage.models import FlagReason, ParticipantStatus

_GREETING = Phrases(
    (
        "halo", "hallo", "helo", "hai", "hi", "hello", "hey", "pagi", "selamat pagi", "siang",
        "selamat siang", "sore", "selamat sore", "malam", "selamat malam", "assalamualaikum",
        "salam", "permisi", "p", "tes", "test", "ping", "menu", "kak", "min", "admin",
    )
)  # fmt: skip
_THANKS = Phrases(
    (
        "terima kasih", "terimakasih", "makasih", "makasi", "trims", "thanks", "thank you",
        "tq", "thx", "ok", "oke", "okay", "okey", "sip", "siap", "baik", "mantap", "👍",
    )
)  # fmt: skip


async def heard_first(turn: Turn, step: Step | None) -> bool:
    """Danger and opt-out words are heard at any question; True when the message was handled."""
    text = turn.incoming.text
    risk = recognise(text)
    if risk in DANGER:
        assert risk is not None
        await support(turn, risk)
        await relay_danger(turn)  # in a conversation with staff: it reaches them as well
        # A step that keeps free text (a reason for not coming) still takes it.
        return step is None or not step.keeps_text
    if risk == Risk.HARDSHIP and step is not None and step.keeps_text and turn.participant:
        turn.flag(FlagReason.HARDSHIP)
    if turn.state == "optout.confirm":
        return False
    stopping = wants_to_stop(text) if step is None else _stops_mid_question(text)
    if not stopping:
        return False
    participant = turn.participant
    if participant is None:  # never consented: as a refusal, not even this chat is kept
        finish(turn)
        await forget_address(turn.tx, turn.address.id)
        turn.erased = True
        turn.say(_("All right. We have stored nothing about you and will not write to you."))
        return True
    if participant.status == ParticipantStatus.STOPPED:
        turn.say(stopped_note())
        return True
    await enter(turn, "optout.confirm")
    return True


def _stops_mid_question(text: str) -> bool:
    """Inside a question only unmistakable opt-outs count: "cukup" may mean "that's all"."""
    words = normalise(text).split()
    if words in (["stop"], ["berhenti"], ["unsubscribe"]):
        return True
    return len(words) > 1 and words[-1] != "cukup" and wants_to_stop(text)


async def free_text(turn: Turn) -> None:
    """A signed-up participant wrote while no question was open."""
    participant = turn.participant
    assert participant is not None
    text = turn.incoming.text
    words = normalise(text)
    stopped = participant.status == ParticipantStatus.STOPPED
    if wants_to_start(text) and stopped:
        await enter(turn, "resume.confirm")
        return
    number = new_number_in(text)
    if number is not None:
        await enter(turn, offer_number(turn, number))
        return
    if await typed_consent(turn):  # "setuju" / "gak mau" to a partner seeing their data
        return
    if not stopped:
        answered = await rsvp.typed_reply(turn)
        if answered is not None:
            await enter(turn, answered)
            return
        if await relay_reply(turn):  # a conversation with staff is open: to them
            return
        if asks_to_read(text):  # BACA: the announcements that came as a teaser
            await read_teasers(turn)
            return
    if not words or _GREETING.is_whole(text):
        show_menu(turn)
        return
    if _THANKS.is_whole(text):
        turn.say(_("You're welcome! 😊") + ("\n\n" + stopped_note() if stopped else ""))
        return
    hardship = recognise(text) == Risk.HARDSHIP
    if not stopped and await broadcast_reply(turn, hardship=hardship):  # an answer to one
        return
    await passed_on(
        turn, FlagReason.HARDSHIP if hardship else FlagReason.MESSAGE, hardship=hardship
    )
    if stopped:
        turn.say(stopped_note())
