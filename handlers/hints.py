"""Kind replies to things a step cannot use: stickers, photos, voice notes, unknown commands."""

from __future__ import annotations

from handlers.i18n import _
from handlers.types import Kind

TEXT_MAX = 1000  # longer answers to a question are surely not an answer


def media_hint(kind: Kind) -> str:
    if kind == Kind.STICKER:
        return _("Nice sticker! 😊 But I can only read typed text and buttons.")
    if kind in (Kind.VOICE, Kind.AUDIO):
        return _("Sorry, I can't listen to voice messages yet. Please type your answer.")
    if kind in (Kind.PHOTO, Kind.VIDEO, Kind.DOCUMENT):
        return _("Thank you, but I can't open photos or files yet. Please answer in text.")
    if kind == Kind.LOCATION:
        return _("Thank you! But I need the name of the place, typed out.")
    if kind == Kind.CONTACT:
        return _("Thank you, but I don't need a contact right now.")
    if kind == Kind.BUTTON:
        return _("That button is no longer valid.")
    return _("Sorry, I can't read this kind of message.")


def unknown_command_hint(command: str) -> str:
    return _("I don't know the command /{command}. Type /bantuan to see what I can do.").format(
        command=command[:32]
    )


def empty_hint() -> str:
    return _("Your message is empty. Please type your answer.")


def too_long_hint() -> str:
    return _("That message is too long for me. Please answer briefly.")
