"""A person's name from what they type: "Budi Santoso", "nama saya budi", "bukan, panggil saya Andi"."""

from __future__ import annotations

import re

from handlers.text import clean_line
from handlers.understanding.choices import NO_WORDS, YES_WORDS, normalise, normalised_set

NAME_MAX = 60
# What people put before their name; "bukan," first when they turn down the name we offered.
_INTRO = re.compile(
    r"^(?:(?:bukan|tidak|salah|gak|nggak|ngga|no)\b[\s,.!]*)?"
    r"(?:(?:nama\s+saya|namaku|nama\s+aku|nama\s+gue|nama\s+sy|panggil(?:\s+(?:saja|aja))?"
    r"(?:\s+(?:saya|aku))?|saya|aku|my\s+name\s+is|call\s+me|i\s+am|i'm)\b[\s:,.!-]*)?",
    re.IGNORECASE,
)


def valid_name(text: str) -> str | None:
    """The text as a name (capitalised if typed all in one case), or None if it is not one."""
    value = clean_line(text)
    letters = sum(ch.isalpha() for ch in value)
    if not 2 <= len(value) <= NAME_MAX or letters < 2 or letters < len(value) / 2:
        return None
    if value.startswith("/") or "<" in value or ">" in value or "://" in value:
        return None
    if value == value.lower() or value == value.upper():
        value = " ".join(w[:1].upper() + w[1:].lower() for w in value.split())
    return value


def name_in(text: str) -> str | None:
    """The name in a typed answer, without "nama saya" and the like; None for "ya" or "oke"
    (someone answering a question they thought they saw) and for what is not a name."""
    rest = _INTRO.sub("", clean_line(text), count=1)
    if normalise(rest) in normalised_set(YES_WORDS + NO_WORDS):
        return None
    return valid_name(rest)
