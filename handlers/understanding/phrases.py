"""Finding known phrases in what people type, the way they type: slang, suffixes and one typo."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from handlers.understanding.choices import normalise

# Words shorter than this must match exactly: "mati" must not match "mata" or "pati".
FUZZY_MIN = 5


def _close(word: str, target: str) -> bool:
    """True when `word` is `target` with at most one letter added, dropped, changed or swapped."""
    if word == target:
        return True
    if len(target) < FUZZY_MIN or abs(len(word) - len(target)) > 1 or word[0] != target[0]:
        return False
    if len(word) == len(target):
        diffs = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        first, *rest = diffs
        return (
            len(diffs) == 2
            and rest[0] == first + 1
            and word[first] == target[first + 1]
            and word[first + 1] == target[first]
        )
    short, long_ = (word, target) if len(word) < len(target) else (target, word)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def _word_matches(word: str, pattern: str) -> bool:
    if pattern.endswith("*"):  # a stem: "dipukul*" is "dipukul", "dipukuli", "dipukulin"...
        stem = pattern[:-1]
        return word.startswith(stem) or _close(word[: len(stem)], stem)
    return _close(word, pattern)


@lru_cache(maxsize=4096)
def _keys(word: str) -> frozenset[str]:
    """The word and, when long enough for a typo, every form with one letter dropped: two words
    within one edit of each other always share one of these keys (the "symmetric delete" trick),
    so candidates are found by dictionary look-ups instead of comparing with every phrase."""
    if len(word) < FUZZY_MIN - 1:
        return frozenset((word,))
    return frozenset({word} | {word[:i] + word[i + 1 :] for i in range(len(word))})


class Phrases:
    """A set of phrases (normalised once), found anywhere in a text as whole words.

    A phrase word ending in `*` is a stem that takes any ending; words of five letters or more
    tolerate one typo ("bunuh dri" is not, "bunuhh diri" and "bunih diri" are found).
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        self._patterns: list[list[str]] = []
        self._by_key: dict[str, list[int]] = {}
        self._stem_lengths: set[int] = set()
        for phrase in phrases:
            words = [
                normalise(w.removesuffix("*")) + ("*" if w.endswith("*") else "")
                for w in phrase.split()
            ]
            pattern = [w for w in words if w.strip("*")]
            if not pattern:
                continue
            index = len(self._patterns)
            self._patterns.append(pattern)
            first = pattern[0].removesuffix("*")
            if pattern[0].endswith("*"):
                self._stem_lengths.add(len(first))
            for key in _keys(first):
                self._by_key.setdefault(key, []).append(index)

    def _candidates(self, word: str) -> set[int]:
        keys = set(_keys(word))
        for length in self._stem_lengths:
            if length < len(word):
                keys |= _keys(word[:length])
        found: set[int] = set()
        for key in keys:
            found.update(self._by_key.get(key, ()))
        return found

    def _found_at(self, words: list[str], start: int) -> list[list[str]]:
        patterns = (self._patterns[i] for i in sorted(self._candidates(words[start])))
        return [
            pattern
            for pattern in patterns
            if start + len(pattern) <= len(words)
            and all(_word_matches(words[start + i], w) for i, w in enumerate(pattern))
        ]

    def find(self, words: list[str]) -> list[str] | None:
        """The phrase found first in the (normalised) words, or None."""
        for start in range(len(words)):
            found = self._found_at(words, start)
            if found:
                return found[0]
        return None

    def in_text(self, text: str) -> bool:
        return self.find(normalise(text).split()) is not None

    def is_whole(self, text: str) -> bool:
        """True when the text is one of the phrases and nothing else (polite words aside)."""
        words = [w for w in normalise(text).split() if w not in _POLITE]
        return bool(words) and any(len(p) == len(words) for p in self._found_at(words, 0))


# Words people add around a short request without changing it: "stop ya kak", "berhenti aja".
_POLITE = frozenset(
    normalise(w)
    for w in (
        "ya", "yah", "kak", "ka", "pak", "bu", "mas", "mbak", "bang", "min", "admin", "aja",
        "saja", "dong", "deh", "sih", "please", "tolong", "mohon", "sudah", "udah", "dulu",
    )
)  # fmt: skip
