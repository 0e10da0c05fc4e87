"""The main menu a signed-up person sees, with their message status in view."""

from __future__ import annotations

from handlers.flow import Turn
from handlers.i18n import _
from handlers.text import esc
from handlers.types import Button
from storage.models import Participant, ParticipantStatus

REGISTERED = {ParticipantStatus.ACTIVE, ParticipantStatus.STOPPED, ParticipantStatus.UNREACHABLE}


def registered(participant: Participant | None) -> bool:
    return participant is not None and participant.status in REGISTERED


def stopped_note() -> str:
    return _("Messages from us are stopped. Type /mulai to receive them again.")


def show_menu(turn: Turn) -> None:
    participant = turn.participant
    assert participant is not None
    text = _("Hello, {name}! 👋 What can I do for you?").format(name=esc(participant.name or ""))
    if participant.status == ParticipantStatus.STOPPED:
        text += "\n\n" + stopped_note()
    turn.say(text, menu_buttons(participant))


def menu_buttons(participant: Participant) -> tuple[Button, ...]:
    """Everything the commands do, as one short list: WhatsApp shows it as a list (it has no
    command menu), Telegram as buttons. At most 10 options, titles at most 20 characters."""
    if participant.status == ParticipantStatus.STOPPED:
        messages = Button(_("Receive messages"), "cmd:mulai")
    else:
        messages = Button(_("Stop messages"), "cmd:berhenti")
    return (
        Button(_("My schedule"), "cmd:jadwal"),
        Button(_("My data"), "cmd:profil"),
        Button(_("Language"), "cmd:bahasa"),
        Button(_("Help"), "cmd:bantuan"),
        messages,
        Button(_("Erase my data"), "cmd:hapus"),
    )
