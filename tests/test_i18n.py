"""Catalogs: every message translated to Indonesian, catalogs compile, titles and payloads fit."""

from __future__ import annotations

import ast
import io
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from handlers.i18n import LANGUAGES, LOCALES, translations, use_language
from handlers.participants.labels import CATEGORIES, CONTACT_TIMES, INTERESTS, options
from handlers.text import BUTTON_TITLE_MAX

ROOT = Path(__file__).resolve().parent.parent


def catalog(language: str):  # type: ignore[no-untyped-def]
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def source_messages() -> set[str]:
    """Every string literal passed to _() or N_() in the code, found by reading the source."""
    found: set[str] = set()
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    assert len(found) > 200, "the scan missed the code's messages"  # 245 when this was written
    return found


def test_every_message_in_the_code_has_an_indonesian_translation() -> None:
    translated = {m.id: m.string for m in catalog("id") if m.id and m.string and not m.fuzzy}
    missing = sorted(source_messages() - set(translated))
    assert missing == [], "run the translation workflow in the README; untranslated: " + repr(
        missing
    )


def test_no_fuzzy_or_obsolete_indonesian_entries() -> None:
    cat = catalog("id")
    assert [m.id for m in cat if m.fuzzy and m.id] == []
    assert cat.plural_forms == "nplurals=1; plural=0;"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_compiles(language: str) -> None:
    cat = catalog(language)
    buffer = io.BytesIO()
    write_mo(buffer, cat)
    assert buffer.getvalue()
    # placeholders survive translation: "{name}" in the source is "{name}" in the translation
    for message in cat:
        if message.id and message.string:
            for token in (
                "{name}",
                "{place}",
                "{owner}",
                "{zone}",
                "{clock}",
                "{command}",
                "{interests}",
            ):
                assert (token in message.id) == (token in message.string), (language, message.id)


@pytest.mark.parametrize("language", LANGUAGES)
def test_pybabel_compile_succeeds(language: str, tmp_path: Path) -> None:
    po = LOCALES / language / "LC_MESSAGES" / "messages.po"
    mo = tmp_path / "messages.mo"
    command = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "compile",
        "-i",
        str(po),
        "-o",
        str(mo),
    ]
    result = subprocess.run([*command, "-l", language], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert mo.stat().st_size > 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_fixed_button_titles_fit_whatsapp_limit(language: str) -> None:
    with use_language(language):
        for table, prefix in ((CATEGORIES, "cat"), (INTERESTS, "int"), (CONTACT_TIMES, "time")):
            for option in options(table, prefix):
                title = f"✅ {option.title}" if prefix == "int" else option.title
                assert len(title) <= BUTTON_TITLE_MAX, (language, title)
                assert len(option.payload.encode()) <= 64


def test_indonesian_is_the_default() -> None:
    assert translations("id").gettext("Cancel") == "Batal"
    assert translations("en").gettext("Cancel") == "Cancel"


@pytest.mark.parametrize("language", LANGUAGES)
def test_discreet_mode_and_day_buttons_fit_whatsapp_limit(language: str) -> None:
    from handlers.i18n import _
    from handlers.reminders.rsvp import DAYS

    titles = ["Yes, turn it on", "No need", "Yes, turn it off", "No, keep it on"]
    titles += [title for _code, title, _words in DAYS]
    with use_language(language):
        for title in titles:
            assert 0 < len(_(title)) <= BUTTON_TITLE_MAX, (language, _(title))
