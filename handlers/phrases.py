"""Finding known phrases in what people type, the way they type: slang, suffixes and one typo."""

from __future__ import annotations

from collections.abc import Iterable

from handlers.choices import normalise

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


class Phrases:
    """A set of phrases (normalised once), found anywhere in a text as whole words.

    A phrase word ending in `*` is a stem that takes any ending; words of five letters or more
    tolerate one typo ("bunuh dri" is not, "bunuhh diri" and "bunih diri" are found).
    """

    def __init__(self, phrases: Iterable[str]) -> None:
        patterns: list[list[str]] = []
        for phrase in phrases:
            words = [
                normalise(w.removesuffix("*")) + ("*" if w.endswith("*") else "")
                for w in phrase.split()
            ]
            patterns.append([w for w in words if w.strip("*")])
        self._patterns = [p for p in patterns if p]

    def find(self, words: list[str]) -> list[str] | None:
        """The first phrase found in the (normalised) words, or None."""
        for pattern in self._patterns:
            size = len(pattern)
            for start in range(len(words) - size + 1):
                if all(_word_matches(words[start + i], pattern[i]) for i in range(size)):
                    return pattern
        return None

    def in_text(self, text: str) -> bool:
        return self.find(normalise(text).split()) is not None

    def is_whole(self, text: str) -> bool:
        """True when the text is one of the phrases and nothing else (polite words aside)."""
        words = [w for w in normalise(text).split() if w not in _POLITE]
        found = self.find(words)
        return found is not None and len(found) == len(words)


# Words people add around a short request without changing it: "stop ya kak", "berhenti aja".
_POLITE = frozenset(
    normalise(w)
    for w in (
        "ya", "yah", "kak", "ka", "pak", "bu", "mas", "mbak", "bang", "min", "admin", "aja",
        "saja", "dong", "deh", "sih", "please", "tolong", "mohon", "sudah", "udah", "dulu",
    )
)  # fmt: skip
