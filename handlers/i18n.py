"""Translations: the person's language lives in a ContextVar, so flows call a plain `_()`."""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("id", "en")
DOMAIN = "messages"

_language: ContextVar[str] = ContextVar("language", default="id")


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """Compile the language's .po catalog in memory, so a fresh checkout needs no build step."""
    po = LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return _gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def current_language() -> str:
    return _language.get()


@contextmanager
def use_language(language: str) -> Iterator[None]:
    token = _language.set(language if language in LANGUAGES else "id")
    try:
        yield
    finally:
        _language.reset(token)


def _(message: str) -> str:
    return translations(_language.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_language.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet (translate where it is shown)."""
    return message


def switch_language(language: str) -> None:
    """Change the language for the rest of the current `use_language` block."""
    _language.set(language if language in LANGUAGES else "id")
