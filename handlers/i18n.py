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

LANGUAGES = ("id", "en")
DOMAIN = "messages"


def _locales_folder() -> Path:
    """The catalogs: inside the package when installed from a wheel (`pip install .`), else the
    repository's top-level `locales/` (a checkout, or `pip install -e .`)."""
    here = Path(__file__).resolve().parent
    packaged = here / "locales"  # pyproject.toml maps the repository's locales/ here in a wheel
    in_checkout = (here.parent / "pyproject.toml").is_file()
    return here.parent / "locales" if in_checkout and not packaged.is_dir() else packaged


LOCALES = _locales_folder()


class CatalogMissing(RuntimeError):
    """A language's .po catalog is not where it should be; the message says what to do."""


def catalog_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def check_catalogs() -> None:
    """Raise CatalogMissing unless every language's catalog is installed (checked at start-up, so
    that a broken install refuses to start instead of quietly speaking English to everyone)."""
    for language in LANGUAGES:
        _check(catalog_path(language))


def _check(po: Path) -> None:
    if not po.is_file():
        raise CatalogMissing(
            f"the translation catalog {po} is missing, so the bot cannot speak to participants "
            "in their language. Reinstall pendamping from a complete copy of the repository "
            "(`pip install .` ships locales/ inside the package), or restore locales/ in the "
            "checkout (`git checkout -- locales`)."
        )


_language: ContextVar[str] = ContextVar("language", default="id")


@cache
def translations(language: str) -> _gettext.NullTranslations:
    """Compile the language's .po catalog in memory, so a fresh checkout needs no build step."""
    po = catalog_path(language)
    _check(po)
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
