"""Understanding answers to a question with options: a pressed button, "2", "iya", "gak mau"."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from handlers.types import Button, Incoming, Kind


@dataclass(frozen=True)
class Option:
    payload: str
    title: str  # already translated
    synonyms: tuple[str, ...] = ()  # typed words that mean this option, any language
    emoji: tuple[str, ...] = ()  # emoji that mean this option on their own ("😊" for "good")

    @property
    def value(self) -> str:
        """The payload without its question's prefix: "morning" for "time:morning"."""
        return self.payload.partition(":")[2]


YES_WORDS = (
    "ya", "iya", "y", "yes", "yup", "ok", "oke", "okay", "okey", "sip", "siap", "boleh",
    "baik", "benar", "betul", "bener", "setuju", "mau", "bisa", "lanjut", "yoi", "👍", "✅",
)  # fmt: skip
NO_WORDS = (
    "tidak", "tdk", "gak", "ga", "gk", "nggak", "ngga", "enggak", "engga", "ndak", "nda",
    "tak", "no", "nope", "jangan", "tidak setuju", "gak setuju", "ga setuju", "nggak setuju",
    "ogah", "emoh", "belum", "salah", "bukan", "👎", "❌",
)  # fmt: skip

_KEEP_EMOJI = {"👍", "👎", "✅", "❌"}
_EMOJI_NOISE = dict.fromkeys(
    [0xFE0E, 0xFE0F, 0x200D, *range(0x1F3FB, 0x1F400)]  # variation selectors, joiner, skin tones
)


def normalise(text: str) -> str:
    """Lowercase, accents and most emoji dropped, repeated letters folded ("iyaaa" -> "iya");
    digits are kept as typed ("11" is eleven, not one)."""
    text = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for char in text:
        if char in _KEEP_EMOJI:
            kept.append(f" {char} ")
        elif unicodedata.category(char).startswith(("L", "N")):
            kept.append(char)
        elif unicodedata.category(char) == "Mn":
            continue
        else:
            kept.append(" ")
    folded = re.sub(r"([^\W\d_])\1+", r"\1", "".join(kept))
    return " ".join(folded.split())


@lru_cache(maxsize=1024)
def _phrases(title: str, synonyms: tuple[str, ...]) -> tuple[list[str], ...]:
    """An option's title and synonyms, normalised and split into words (our own words only:
    they are compared with every answer, so they are normalised once)."""
    normalised = dict.fromkeys(normalise(p) for p in (title, *synonyms))
    return tuple(phrase.split() for phrase in normalised if phrase)


@lru_cache(maxsize=64)
def normalised_set(words: tuple[str, ...]) -> frozenset[str]:
    """Our own word lists (yes words, skip words), normalised once."""
    return frozenset(normalise(word) for word in words)


def _contains(haystack: list[str], needle: list[str]) -> bool:
    size = len(needle)
    return any(haystack[i : i + size] == needle for i in range(len(haystack) - size + 1))


def pick(incoming: Incoming, options: Sequence[Option], *, numbers: bool = True) -> Option | None:
    """The option the person meant, or None if unclear. The longest matching phrase wins."""
    if incoming.kind == Kind.BUTTON:
        return next((o for o in options if o.payload == incoming.payload), None)
    if incoming.kind != Kind.TEXT:
        return None
    text = normalise(incoming.text)
    if not text:
        return _by_emoji(incoming.text, options)
    if numbers and text.isdigit():
        index = int(text) - 1
        return options[index] if 0 <= index < len(options) else None
    words = text.split()
    best: list[tuple[int, Option]] = []
    for option in options:
        lengths = [len(p) for p in _phrases(option.title, option.synonyms) if _contains(words, p)]
        if lengths:
            best.append((max(lengths), option))
    if not best:
        return _by_emoji(incoming.text, options)
    best.sort(key=lambda pair: pair[0], reverse=True)
    if len(best) > 1 and best[0][0] == best[1][0]:
        return None
    return best[0][1]


def _by_emoji(text: str, options: Sequence[Option]) -> Option | None:
    """The one option whose emoji the text holds ("😊", "🙂🙂"); None if none or several do."""
    plain = text.translate(_EMOJI_NOISE)
    found = [o for o in options if any(m in plain for m in _marks(o.emoji))]
    return found[0] if len(found) == 1 else None


@lru_cache(maxsize=256)
def _marks(emoji: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(mark for e in emoji if (mark := e.translate(_EMOJI_NOISE)))


def pick_many(incoming: Incoming, options: Sequence[Option]) -> list[Option]:
    """Every option named in a typed answer like "1, 3" or "pelatihan dan konseling"."""
    if incoming.kind != Kind.TEXT:
        return []
    text = normalise(incoming.text)
    chosen: list[Option] = []
    words = text.split()
    for word in words:
        if word.isdigit() and 0 < int(word) <= len(options):
            chosen.append(options[int(word) - 1])
    for option in options:
        if any(_contains(words, p) for p in _phrases(option.title, option.synonyms)):
            chosen.append(option)
    return list(dict.fromkeys(chosen))


def buttons(options: Sequence[Option]) -> tuple[Button, ...]:
    return tuple(Button(o.title, o.payload) for o in options)
