"""Stopping and resuming messages by typed word ("stop", "jangan kirim lagi", "mulai"), as by command."""

from __future__ import annotations

from handlers.flow import END, Step, Turn
from handlers.i18n import _
from handlers.menu import stopped_note
from handlers.prerelease.enrolment import was_preregistered
from handlers.types import Button, Incoming
from handlers.understanding.choices import NO_WORDS, YES_WORDS, Option, pick
from handlers.understanding.phrases import Phrases
from storage.erasure import delete_unregistered, return_to_preregistered
from storage.models import Participant, ParticipantStatus
from storage.staff.relay import end_relays

# The whole message is one of these (polite words aside): "stop", "berhenti aja kak".
_STOP_ALONE = Phrases(
    (
        "stop", "setop", "stop pesan", "berhenti", "keluar", "unsubscribe", "unsub", "cukup",
        "sudah cukup", "udah cukup", "udahan", "berhenti langganan", "keluar dari sini",
        "tidak mau lagi", "gak mau lagi", "ga mau lagi", "nggak mau lagi", "quit", "opt out",
        "hapus saya dari daftar",
    )
)  # fmt: skip
# Anywhere in a message: "tolong jangan kirim pesan lagi ke nomor ini".
_STOP_ANYWHERE = Phrases(
    (
        "jangan kirim*", "jgn kirim*", "stop kirim*", "berhenti kirim*", "berhenti mengirim*",
        "tidak usah kirim*", "gak usah kirim*", "ga usah kirim*", "nggak usah kirim*",
        "jangan ganggu", "jangan hubungi", "jangan chat", "jangan sms", "jangan wa",
        "tidak mau terima pesan", "gak mau terima pesan", "ga mau terima pesan",
        "tidak mau menerima pesan", "berhenti berlangganan", "unsubscribe", "stop messages",
        "stop sending", "don't send", "dont send", "do not send",
    )
)  # fmt: skip
_START_ALONE = Phrases(("mulai", "mulai lagi", "start", "aktifkan", "kirim lagi", "lanjut lagi"))


def wants_to_stop(text: str) -> bool:
    return _STOP_ALONE.is_whole(text) or _STOP_ANYWHERE.in_text(text)


def wants_to_start(text: str) -> bool:
    return _START_ALONE.is_whole(text)


async def ask_stop(turn: Turn) -> None:
    if turn.participant is not None and turn.participant.status == ParticipantStatus.REGISTERING:
        text = _("Do you want to stop signing up? What you have filled in will be deleted.")
    else:
        text = _(
            "Do you want us to stop sending you messages (reminders too)? "
            "You can start again at any time with /mulai."
        )
    turn.say(text, (Button(_("Yes, stop"), "optout:yes"), Button(_("No, carry on"), "optout:no")))


async def stop_answer(turn: Turn, incoming: Incoming) -> str | None:
    """They confirmed that messages should stop, or changed their mind."""
    choice = pick(
        incoming,
        [
            Option("optout:yes", _("Yes, stop"), (*YES_WORDS, "stop", "berhenti")),
            Option("optout:no", _("No, carry on"), (*NO_WORDS, "lanjut", "batal")),
        ],
    )
    if choice is None:
        turn.say(_('Please press "Yes, stop" or "No, carry on".'))
        return None
    if choice.payload == "optout:no":
        turn.say(_("All right, nothing changes. 😊"))
        return END
    participant = turn.participant
    if participant is not None and participant.status == ParticipantStatus.REGISTERING:
        await drop_sign_up(turn, participant)
    elif participant is not None:
        await stop_messages(turn, participant)
    return END


async def stop_messages(turn: Turn, participant: Participant) -> None:
    """No more messages from us (reminders and staff's included); the data stays, /mulai undoes
    it. A conversation with staff ends too: later free text is no reply to it."""
    participant.status = ParticipantStatus.STOPPED
    await end_relays(turn.tx, participant.id, turn.now)
    turn.say(
        _(
            "Done: we will not send you any more messages. Your data stays as it is. "
            "Type /mulai whenever you want to hear from us again."
        )
    )


async def drop_sign_up(turn: Turn, participant: Participant) -> None:
    """A sign-up given up before it was confirmed: what was filled in, and the chat, are deleted
    (for someone registered before release, staff's record stays: handlers/prerelease/)."""
    if await was_preregistered(turn.tx, participant):
        await return_to_preregistered(turn.tx, participant)
    else:
        await delete_unregistered(turn.tx, participant)
    turn.participant = None
    turn.erased = True
    turn.say(
        _(
            "Sign-up cancelled, and what you had filled in has been deleted. "
            "Type /start whenever you want to begin again."
        )
    )


async def ask_resume(turn: Turn) -> None:
    turn.say(
        _("Messages from us are stopped for now. Do you want to receive them again?"),
        (Button(_("Yes, send again"), "resume:yes"), Button(_("Not now"), "resume:no")),
    )


async def resume_answer(turn: Turn, incoming: Incoming) -> str | None:
    """They chose whether messages should start again."""
    choice = pick(
        incoming,
        [
            Option("resume:yes", _("Yes, send again"), (*YES_WORDS, "mulai", "start")),
            Option("resume:no", _("Not now"), (*NO_WORDS, "nanti", "nanti saja")),
        ],
    )
    if choice is None:
        turn.say(_('Please press "Yes, send again" or "Not now".'))
        return None
    participant = turn.participant
    if choice.payload == "resume:no" or participant is None:
        turn.say(stopped_note())
        return END
    participant.status = ParticipantStatus.ACTIVE
    turn.say(_("Welcome back! You will receive our messages again. 😊"))
    return END


OPTOUT: dict[str, Step] = {
    "optout.confirm": Step(ask_stop, stop_answer),
    "resume.confirm": Step(ask_resume, resume_answer),
}
