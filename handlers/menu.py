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
    turn.say(text, menu_buttons())


def menu_buttons() -> tuple[Button, ...]:
    return (
        Button(_("My schedule"), "cmd:jadwal"),
        Button(_("My data"), "cmd:profil"),
        Button(_("Language"), "cmd:bahasa"),
        Button(_("Help"), "cmd:bantuan"),
    )
