"""Small text helpers: escaping person-typed text and fitting button titles."""

from __future__ import annotations

import html
import re

BUTTON_TITLE_MAX = 20


def esc(text: str) -> str:
    """Escape text a person typed before it goes into an HTML reply."""
    return html.escape(text, quote=False)


def fit(title: str, limit: int = BUTTON_TITLE_MAX) -> str:
    """Shorten a dynamic button title (a city name) to the platforms' limit."""
    title = title.replace("Kabupaten ", "Kab. ")
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def clean_line(text: str) -> str:
    """One line, single spaces, no control characters."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def strip_tags(text: str) -> str:
    """Plain text from our small HTML subset (for the console and the message log)."""
    return html.unescape(re.sub(r"</?(b|i|u|s|code|pre|a)( [^>]*)?>", "", text))
