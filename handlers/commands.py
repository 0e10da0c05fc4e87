"""Participant commands (/start, /bantuan, /profil, /kabar, /berhenti, /mulai, /hapus, /bahasa,
/batal, /hubungkan), also typed as plain words (handlers/command_words.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers.checkins.start import kabar
from handlers.command_words import HELP
from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.linking.start import link
from handlers.menu import registered, show_menu
from handlers.participants.language import apply_language, open_language_question
from handlers.participants.optout import drop_sign_up, stop_messages
from handlers.participants.support import contact_line
from handlers.programs.schedule import show_schedule
from handlers.staff.claiming import holds_tries, try_code
from handlers.staff.codes import code_in
from handlers.states import current_step, enter, finish
from handlers.text import clean_line
from storage.checkins.answers import open_prompt
from storage.erasure import forget_address
from storage.models import Participant, ParticipantStatus

# Shown in Telegram's command menu, in this order.
MENU: list[tuple[str, str]] = [
    ("start", N_("Start or open the menu")),
    ("jadwal", N_("My schedule")),
    ("profil", N_("See or change my data")),
    ("kabar", N_("Tell us how you are")),
    ("bahasa", N_("Bahasa Indonesia / English")),
    ("bantuan", N_("Help")),
    ("berhenti", N_("Stop all messages")),
    ("mulai", N_("Receive messages again")),
    ("hapus", N_("Erase my data")),
    ("batal", N_("Cancel what I am doing")),
]

ALIASES = {
    "help": "bantuan",
    "schedule": "jadwal",
    "profile": "profil",
    "stop": "berhenti",
    "resume": "mulai",
    "delete": "hapus",
    "language": "bahasa",
    "lang": "bahasa",
    "cancel": "batal",
    "link": "hubungkan",
    "checkin": "kabar",
}


async def resume(turn: Turn) -> None:
    """Ask the current step's question again, or show the menu when outside any flow."""
    step = current_step(turn)
    if step is not None:
        await step.ask(turn)
    elif registered(turn.participant):
        show_menu(turn)


async def start(turn: Turn, args: str) -> None:
    one_time = code_in(args)
    if one_time is not None and turn.participant is None:
        await try_code(turn, one_time)  # a deep link with a staff invite or another one-time code
        return
    code = clean_line(args)[:64] if one_time is None else ""  # a code is never kept
    if code:
        turn.remember(start_code=code)
        if turn.participant is not None and not turn.participant.start_code:
            turn.participant.start_code = code
    participant = turn.participant
    if participant is not None and participant.status == ParticipantStatus.STOPPED:
        await enter(turn, "resume.confirm")
        return
    if registered(participant):
        finish(turn)
        show_menu(turn)
        return
    if participant is not None:
        if current_step(turn) is None:
            await enter(turn, first_missing(participant))
            return
        turn.say(_("You are in the middle of signing up. Let's continue:"))
        await resume(turn)
        return
    await enter(turn, "signup.consent")


def first_missing(participant: Participant) -> str:
    """Where a sign-up whose conversation expired picks up again."""
    if not participant.name:
        return "signup.name"
    if not participant.category:
        return "signup.category"
    if not participant.province:
        return "signup.city"
    if not participant.interests:
        return "signup.interests"
    if not participant.contact_time:
        return "signup.time"
    return "signup.summary"


async def menu(turn: Turn, args: str) -> None:
    """The main menu for a signed-up person (stopped or not); anyone else is asked their current
    question again (or the first one)."""
    if registered(turn.participant):
        finish(turn)
        show_menu(turn)
        return
    await start(turn, args)


async def cancel(turn: Turn, _args: str) -> None:
    participant = turn.participant
    if participant is not None and participant.status == ParticipantStatus.REGISTERING:
        await drop_sign_up(turn, participant)
        return
    if current_step(turn) is not None:
        finish(turn)
        turn.say(_("Cancelled."))
    else:
        turn.say(_("There is nothing to cancel."))
    if participant is None and not holds_tries(turn):  # never consented: nor this chat is kept
        await forget_address(turn.tx, turn.address.id)
        turn.erased = True
    if registered(participant):
        show_menu(turn)


async def help_(turn: Turn, _args: str) -> None:
    linking = len(turn.settings.channels) > 1  # with one channel there is nothing to link
    lines = "\n".join(
        f"<b>{word}</b> - {_(text)}" for word, text in HELP if linking or word != "HUBUNGKAN"
    )
    turn.say(
        _("Type one of these words at any time:")
        + "\n\n"
        + lines
        + "\n\n"
        + _("On Telegram they also work with a slash, e.g. /jadwal.")
        + "\n\n"
        + _(
            "If you need a person, just write your message here: I will pass it on to your caseworker."
        )
    )
    contact = await contact_line(turn)
    if contact:
        turn.say(contact)
    await resume(turn)


async def profile(turn: Turn, _args: str) -> None:
    if registered(turn.participant):
        await enter(turn, "profile.view")
    elif turn.participant is not None:
        turn.say(_("Please finish signing up first; after that you can see your data here."))
        await resume(turn)
    else:
        turn.say(_("You have not signed up yet. Type /start to begin."))


async def stop(turn: Turn, _args: str) -> None:
    participant = turn.participant
    if not registered(participant):
        turn.say(_("You are not signed up, so we will not send you any messages."))
        await resume(turn)
        return
    assert participant is not None
    finish(turn)
    await stop_messages(turn, participant)


async def restart(turn: Turn, args: str) -> None:
    participant = turn.participant
    if participant is None or participant.status == ParticipantStatus.REGISTERING:
        await start(turn, args)
        return
    if participant.status == ParticipantStatus.STOPPED:
        participant.status = ParticipantStatus.ACTIVE
        turn.say(_("Welcome back! You will receive our messages again. 😊"))
    elif await open_prompt(turn.tx, participant.id, turn.now) is not None:
        await kabar(turn)  # "MULAI" typed after a check-in prompt: its Start button, meant
        return
    else:
        turn.say(_("You are already receiving our messages."))
    await resume(turn)


async def erase(turn: Turn, _args: str) -> None:
    if turn.participant is None:
        if not holds_tries(turn):  # codes that did not work this hour are still counted
            await forget_address(turn.tx, turn.address.id)  # nor this chat, from now on
            turn.erased = True
        turn.say(_("We hold no data about you."))
        return
    await enter(turn, "erase.confirm")


async def language(turn: Turn, _args: str) -> None:
    await enter(turn, open_language_question(turn))


async def set_language(turn: Turn, code: str) -> None:
    """A language button pressed outside the language question (e.g. on the consent text)."""
    if code not in ("id", "en"):
        return
    apply_language(turn, code)
    await resume(turn)


async def schedule(turn: Turn, _args: str) -> None:
    await show_schedule(turn)


COMMANDS: dict[str, Callable[[Turn, str], Awaitable[None]]] = {
    "start": start,
    "jadwal": schedule,
    "bantuan": help_,
    "profil": profile,
    "berhenti": stop,
    "mulai": restart,
    "hapus": erase,
    "bahasa": language,
    "batal": cancel,
    "menu": menu,
    "hubungkan": link,
    "kabar": kabar,
}
