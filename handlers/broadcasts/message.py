"""A broadcast as one recipient sees it: in their language, and in discreet mode the neutral
version when the sender wrote one. Used by the outbox kind when it is sent and by the preview,
so that what the sender previews is exactly what arrives."""

from __future__ import annotations

from handlers.i18n import _, use_language
from handlers.reminders.discretion import is_sensitive
from handlers.text import esc
from storage.models import Broadcast


def text_for(broadcast: Broadcast, language: str, discreet: bool) -> str:
    """The words written for this recipient, as the sender typed them (not escaped)."""
    english = language == "en"
    if discreet and broadcast.neutral_text:
        if english and broadcast.neutral_text_en:
            return broadcast.neutral_text_en
        return broadcast.neutral_text
    if english and broadcast.text_en:
        return broadcast.text_en
    return broadcast.text


def broadcast_text(broadcast: Broadcast, organisation: str, language: str, discreet: bool) -> str:
    """The whole message: who it is from, then the announcement (HTML, escaped)."""
    with use_language(language):
        if discreet and is_sensitive(organisation):  # "Bapas ..." must not show on a lock screen
            head = _("📢 <b>An announcement for you</b>")
        else:
            head = _("📢 <b>An announcement from {organisation}</b>").format(
                organisation=esc(organisation)
            )
    return f"{head}\n\n{esc(text_for(broadcast, language, discreet))}"
