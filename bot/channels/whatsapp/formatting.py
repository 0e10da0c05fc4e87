"""A reply's small HTML subset as WhatsApp markup (`*bold*`, `_italic_`), and long texts split at
WhatsApp's limits on a paragraph, sentence or word boundary.

Person-typed text reaches us HTML-escaped (handlers/text.py `esc`); once unescaped, any `*`, `_`,
`~` or backtick in it is joined to its neighbours with WORD JOINERs (U+2060, invisible): WhatsApp
only formats between markers that stand at a word's edge, so a joined marker can neither open nor
close bold, italic, strike-through or monospace, and a name like `*Budi_` shows as typed.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

JOINER = "\u2060"  # WORD JOINER: zero width, keeps a marker glued to the characters around it
_LITERAL_MARKERS = re.compile(r"[*_~`]")
_TOKEN = re.compile(r"<(/?)([a-zA-Z]+)((?:\s[^<>]*)?)>")
_HREF = re.compile(r"""href\s*=\s*["']([^"']*)["']""")
# Our tags and what WhatsApp writes instead (<u> has no WhatsApp form: its text stays plain).
_MARKERS = {"b": "*", "strong": "*", "i": "_", "em": "_", "s": "~", "code": "`", "pre": "```"}
_KNOWN = {*_MARKERS, "u", "a"}


# WhatsApp has no command menu and shows "/jadwal" as plain text: the words people type there.
# (A typed "/jadwal" still works; the word is what a WhatsApp user expects to read.)
_COMMAND_WORDS = {
    "start": "MENU", "jadwal": "JADWAL", "bantuan": "BANTUAN", "profil": "PROFIL",
    "hapus": "HAPUS", "mulai": "MULAI", "berhenti": "BERHENTI", "bahasa": "BAHASA",
    "batal": "BATAL", "hubungkan": "HUBUNGKAN",
}  # fmt: skip
_COMMAND = re.compile(r"(?<![\w/])/(" + "|".join(_COMMAND_WORDS) + r")\b")


def command_words(text: str) -> str:
    """Mentions of our slash commands ("ketik /jadwal") as WhatsApp users type them ("JADWAL")."""
    return _COMMAND.sub(lambda match: _COMMAND_WORDS[match.group(1)], text)


def neutralise(text: str) -> str:
    """Plain text (a person's name) that shows as typed: its markers cannot format anything."""
    return _LITERAL_MARKERS.sub(lambda m: f"{JOINER}{m.group(0)}{JOINER}", text)


def to_whatsapp(text: str) -> str:
    """Our HTML subset (<b>, <i>, <s>, <code>, <pre>, <u>, <a href>) as WhatsApp markup.

    Unknown tags are shown as text (they were typed, and should have been escaped); a span left
    open is closed at the end; whitespace at a span's edges moves outside its markers, where
    WhatsApp needs it."""
    out: list[str] = []
    stack: list[tuple[str, int, str]] = []  # (tag, where its text starts in out, link target)
    position = 0
    for match in _TOKEN.finditer(text):
        closing, tag, attributes = match.group(1) == "/", match.group(2).lower(), match.group(3)
        if tag not in _KNOWN:
            continue
        out.append(neutralise(html.unescape(text[position : match.start()])))
        position = match.end()
        if not closing:
            link = _HREF.search(attributes or "")
            stack.append((tag, len(out), link.group(1) if link else ""))
        elif any(open_tag == tag for open_tag, _start, _href in stack):
            while stack:
                open_tag, start, href = stack.pop()
                _close(out, open_tag, start, href)
                if open_tag == tag:
                    break
    out.append(neutralise(html.unescape(text[position:])))
    while stack:
        _close(out, *stack.pop())
    return "".join(out)


def _close(out: list[str], tag: str, start: int, href: str) -> None:
    """Wrap out[start:] in the tag's markers (or, for a link, add its address after the text)."""
    inner = "".join(out[start:])
    del out[start:]
    if tag == "a":
        shown = inner.strip()
        out.append(inner if not href or href == shown else f"{inner} ({href})")
        return
    marker = _MARKERS.get(tag)
    stripped = inner.strip()
    if marker is None or not stripped:
        out.append(inner)
        return
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    out.append(f"{lead}{marker}{stripped}{marker}{trail}")


def visible_length(text: str) -> int:
    """Characters WhatsApp will count for a piece of our HTML."""
    return len(to_whatsapp(text))


# ---- splitting -----------------------------------------------------------------------------
_SENTENCE_END = re.compile(r"(?<=[.!?…:;])[ \t]+|\n")


def split_html(text: str, limit: int, measure: Callable[[str], int] = visible_length) -> list[str]:
    """Pieces of `text`, each at most `limit` once rendered, cut on a paragraph, else a sentence,
    else a word boundary (a word longer than a whole message is cut where it must). A bold span
    cut in two is bold in both pieces."""
    pieces: list[str] = []
    rest = text
    while measure(rest) > limit:
        most = _longest_prefix(rest, limit, measure)
        cut = _best_cut(rest, 1, most, latest=True)
        head, tail = rest[:cut].rstrip(), rest[cut:].lstrip()
        pieces.append(head)
        rest = _reopen(head) + tail
    pieces.append(rest)
    return pieces


def split_tail(
    text: str, limit: int, measure: Callable[[str], int] = visible_length
) -> tuple[str, str]:
    """(head, tail): the tail at most `limit` once rendered, as long as a boundary allows; the
    head is what comes before it ("" when the whole text fits)."""
    if measure(text) <= limit:
        return "", text
    low, high = 1, len(text)  # the earliest start whose tail fits
    while low < high:
        middle = (low + high) // 2
        if measure(text[middle:]) <= limit:
            high = middle
        else:
            low = middle + 1
    cut = _best_cut(text, low, len(text) - 1, latest=False)
    head = text[:cut].rstrip()
    return head, _reopen(head) + text[cut:].lstrip()


def _longest_prefix(text: str, limit: int, measure: Callable[[str], int]) -> int:
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def _best_cut(text: str, first: int, last: int, *, latest: bool) -> int:
    """Where to cut between positions `first` and `last`: after a paragraph break, else after a
    sentence or line, else at a space, else anywhere outside a tag or an entity."""
    outside = _outside_tags(text)
    for pattern in (re.compile(r"\n[ \t]*\n"), _SENTENCE_END, re.compile(r"[ \t]+")):
        cuts = [
            m.end()
            for m in pattern.finditer(text)
            if first <= m.end() <= last and m.start() > 0 and outside(m.start())
        ]
        if cuts:
            return cuts[-1] if latest else cuts[0]
    cut = last if latest else first
    while cut > 1 and not outside(cut):
        cut -= 1
    return max(cut, 1)


def _outside_tags(text: str) -> Callable[[int], bool]:
    """Whether a position falls outside every tag and entity of the text."""
    inside = [(m.start() + 1, m.end()) for m in re.finditer(r"<[^<>]*>|&#?\w+;", text)]
    return lambda at: not any(start <= at < end for start, end in inside)


def _reopen(head: str) -> str:
    """The opening tags still open at the end of `head`, to start the next piece with."""
    stack: list[tuple[str, str]] = []  # (tag, as written)
    for match in _TOKEN.finditer(head):
        tag = match.group(2).lower()
        if tag not in _MARKERS:
            continue
        if match.group(1) != "/":
            stack.append((tag, match.group(0)))
        elif any(open_tag == tag for open_tag, _raw in stack):
            while stack and stack.pop()[0] != tag:
                pass
    return "".join(raw for _tag, raw in stack)
