"""Questions where a person ticks several options, read the same on every channel.

A pressed button or a typed number toggles one option (the number after the last option is
"Done"); typed names add what they name, or take it away after "tidak", "hapus", "bukan"...;
"selesai" or the Done button finishes. Names are matched longest first, so "konsultasi hukum"
is legal advice, not counselling as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from handlers.types import Incoming, Kind
from handlers.understanding.choices import Option, normalise, normalised_set

DONE_WORDS = (
    "selesai", "sudah", "udah", "sdh", "dah", "cukup", "sudah cukup", "cukup itu", "itu saja",
    "itu aja", "segitu saja", "beres", "lanjut", "ok", "oke", "done", "finish", "next",
)  # fmt: skip
# Said just before a name, these take it away: "tidak usah hukum", "hapus konseling".
REMOVE_WORDS = (
    "tidak", "tdk", "gak", "ga", "gk", "nggak", "ngga", "enggak", "bukan", "jangan", "hapus",
    "batal", "batalkan", "buang", "tanpa", "kecuali", "not", "without", "remove",
)  # fmt: skip
# May stand between a remove word and the name: "tidak jadi ikut konseling".
FILLER_WORDS = ("usah", "jadi", "mau", "perlu", "butuh", "pakai", "pake", "ikut", "yang", "want")


# What may stand between the numbers of several options: "1 dan 3", "nomor 2 sama 4".
NUMBER_JOINERS = ("dan", "and", "sama", "serta", "juga", "atau", "or", "nomor", "nomer", "no")


class Outcome(StrEnum):
    TOGGLED = "toggled"  # the ticks changed one at a time: show the question again
    FINISHED = "finished"  # Done, or names typed: go on with `chosen`
    UNCLEAR = "unclear"  # nothing in the answer names an option
    STALE = "stale"  # a button that is not one of this question's


@dataclass(frozen=True)
class Ticks:
    outcome: Outcome
    chosen: tuple[str, ...]  # the payloads ticked after this answer, in the order ticked
    named: tuple[str, ...] = ()  # the options typed names added (ticked before or not)


def read_ticks(
    incoming: Incoming, options: Sequence[Option], chosen: Sequence[str], done: str
) -> Ticks:
    """What an answer to a tick-several question means, given what was ticked before."""
    before = tuple(dict.fromkeys(chosen))
    payloads = [o.payload for o in options]
    if incoming.kind == Kind.BUTTON:
        if incoming.payload == done:
            return Ticks(Outcome.FINISHED, before)
        if incoming.payload in payloads:
            return Ticks(Outcome.TOGGLED, _toggle(before, incoming.payload))
        return Ticks(Outcome.STALE, before)
    if incoming.kind != Kind.TEXT:
        return Ticks(Outcome.UNCLEAR, before)
    text = normalise(incoming.text)
    words = text.split()
    if not words:
        return Ticks(Outcome.UNCLEAR, before)
    if text in normalised_set(DONE_WORDS):
        return Ticks(Outcome.FINISHED, before)
    if len(words) == 1 and text.isdigit():
        number = int(text)
        if 1 <= number <= len(options):
            return Ticks(Outcome.TOGGLED, _toggle(before, payloads[number - 1]))
        if number == len(options) + 1:  # the Done button's number
            return Ticks(Outcome.FINISHED, before)
        return Ticks(Outcome.UNCLEAR, before)
    added: list[str] = []
    removed: list[str] = []
    for start, payload in _named(words, options):
        (removed if _negated(words, start) else added).append(payload)
    if not added and not removed:
        return Ticks(Outcome.UNCLEAR, before)
    after = [p for p in before if p not in removed]
    named = [p for p in dict.fromkeys(added) if p not in removed]
    outcome = Outcome.FINISHED if named else Outcome.TOGGLED
    return Ticks(outcome, (*after, *(p for p in named if p not in after)), tuple(named))


def _toggle(chosen: tuple[str, ...], payload: str) -> tuple[str, ...]:
    return tuple(p for p in chosen if p != payload) if payload in chosen else (*chosen, payload)


@lru_cache(maxsize=256)
def _phrases(title: str, synonyms: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    found = dict.fromkeys(tuple(normalise(p).split()) for p in (title, *synonyms))
    return tuple(words for words in found if words)


def _named(words: list[str], options: Sequence[Option]) -> list[tuple[int, str]]:
    """(position, payload) of each option named in the words, longest phrases first, without
    overlaps; in an answer of numbers only, each names the option with that number."""
    spans: list[tuple[int, int, str]] = []
    for option in options:
        for phrase in _phrases(option.title, option.synonyms):
            size = len(phrase)
            for start in range(len(words) - size + 1):
                if tuple(words[start : start + size]) == phrase:
                    spans.append((start, start + size, option.payload))
    if all(word.isdigit() or word in normalised_set(NUMBER_JOINERS) for word in words):
        for position, word in enumerate(words):  # "1, 3", "nomor 1 dan 3"; not "paket 3"
            if word.isdigit() and 1 <= int(word) <= len(options):
                spans.append((position, position + 1, options[int(word) - 1].payload))
    spans.sort(key=lambda span: (span[0] - span[1], span[0]))
    taken: list[tuple[int, int, str]] = []
    for span in spans:
        if all(span[1] <= other[0] or other[1] <= span[0] for other in taken):
            taken.append(span)
    return [(start, payload) for start, _end, payload in sorted(taken)]


def _negated(words: list[str], start: int) -> bool:
    """A remove word just before position `start`, perhaps with filler words between."""
    position = start - 1
    while position >= 0 and words[position] in normalised_set(FILLER_WORDS):
        position -= 1
    return position >= 0 and words[position] in normalised_set(REMOVE_WORDS)
