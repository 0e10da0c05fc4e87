"""Indonesia's provinces and kabupaten/kota: matching what people type, and each one's time zone."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from handlers.regions.table import (
    KIND_WORDS,
    KOTA,
    NOT_NAME_WORDS,
    OTHER_TIMEZONES,
    PROVINCE_WORDS,
    SMALLER_PLACE_WORDS,
    ZONES,
    Index,
    Province,
    Regency,
    load,
    tokenise,
)

__all__ = [
    "ZONES",
    "Province",
    "Regency",
    "match_province",
    "match_regencies",
    "province",
    "provinces",
    "regencies",
    "regency_by_key",
    "suggest_provinces",
    "suggest_regencies",
    "zone_of_timezone",
]


_T = TypeVar("_T")

_MIN_FUZZY_CHARS = 3
_FUZZY_CUTOFF = 0.76
_MIN_PREFIX_CHARS = 4
_PREFIX_SCORE = 0.9
_PART_PENALTY = 0.15

# --- matching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    entries: tuple[tuple[int, bool], ...]
    kind: str | None  # the "kota"/"kab" said next to it


def _kind_next_to(tokens: Sequence[str], start: int, end: int) -> str | None:
    """The kind said just before the name ("kab. adm. ..."), or else just after ("bekasi kota");
    None if neither or both ("kota/kab serang")."""
    kinds: set[str] = set()
    before = start - 1
    while before >= 0 and tokens[before] in NOT_NAME_WORDS:
        kinds.update([KIND_WORDS[tokens[before]]] if tokens[before] in KIND_WORDS else [])
        before -= 1
    after = end
    while not kinds and after < len(tokens) and tokens[after] in NOT_NAME_WORDS:
        kinds.update([KIND_WORDS[tokens[after]]] if tokens[after] in KIND_WORDS else [])
        after += 1
    return kinds.pop() if len(kinds) == 1 else None


def _spans(tokens: Sequence[str], index: Index) -> list[_Span]:
    """Non-overlapping phrases found in the tokens: longest first, then those with a kind word.

    A phrase right after "kecamatan", "desa", "jalan"... names a smaller place ("Kecamatan Batu
    Ampar, Kabupaten Kotabaru" is not Kota Batu): it counts only if nothing else matched.
    """
    found: list[tuple[bool, _Span]] = []
    for start in range(len(tokens)):
        minor = start > 0 and tokens[start - 1] in SMALLER_PLACE_WORDS
        for end in range(min(len(tokens), start + index.longest), start, -1):
            entries = index.lookup(tokens[start:end])
            if entries:
                kind = _kind_next_to(tokens, start, end)
                found.append((minor, _Span(start, end, tuple(entries), kind)))
    found.sort(key=lambda pair: (pair[1].start - pair[1].end, pair[1].kind is None, pair[1].start))
    chosen: list[tuple[bool, _Span]] = []
    for minor, span in found:
        if all(span.end <= other.start or other.end <= span.start for _, other in chosen):
            chosen.append((minor, span))
    major = [span for minor, span in chosen if not minor]
    return major or [span for _, span in chosen]


def _province_mentions(tokens: Sequence[str], taken: set[int]) -> tuple[set[str], set[int]]:
    """Provinces named in tokens outside the `taken` positions, and the positions they use."""
    data = load()
    names: set[str] = set()
    used: set[int] = set()
    free = [i for i in range(len(tokens)) if i not in taken]
    for span in _spans([tokens[i] for i in free], data.province_index):
        names.update(data.provinces[item].name for item, _ in span.entries)
        used.update(free[span.start : span.end])
    return names, used


def _narrow(regencies: list[Regency], kind: str | None) -> list[Regency]:
    same_kind = [r for r in regencies if r.kind == kind]
    return same_kind or regencies


def _ordered(entries: Iterable[tuple[int, bool]]) -> list[Regency]:
    """Names before aliases; for one name, the kota before the kabupaten."""
    regencies = load().regencies
    ranked = sorted(entries, key=lambda entry: (entry[1], regencies[entry[0]].kind != KOTA))
    return [regencies[item] for item, _ in ranked]


def _dedupe(items: Iterable[_T]) -> list[_T]:
    return list(dict.fromkeys(items))


def match_regencies(text: str) -> list[Regency]:
    """Regencies the text names, best first.

    An exact (normalised) name or alias match wins; "kota"/"kab"/"kabupaten"/"kab." next to the
    name narrows to that kind (unless only the other kind exists: "kota sleman"); "serang" alone
    gives both Kota and Kabupaten Serang for the caller to ask which. Filler words ("saya tinggal
    di ...") are ignored, and a province named as well ("bandung, jawa barat") narrows the result.
    When the words after a match look like the rest of a longer name ("kota tangerang selatn"),
    that longer one comes first. Returns [] when nothing matches exactly.
    """
    tokens = tokenise(text)
    if not tokens:
        return []
    data = load()
    index = data.regency_index
    spans = _spans(tokens, index)
    if not spans:
        return []
    taken = {i for span in spans for i in range(span.start, span.end)}
    named, named_at = _province_mentions(tokens, taken)
    explained = taken | named_at | {i for i, t in enumerate(tokens) if t in NOT_NAME_WORDS}
    found: list[Regency] = []
    for span in spans:
        longer = _longer_names(tokens, span, explained, index)
        found.extend(_narrow([data.regencies[item] for item in longer], span.kind))
        found.extend(_narrow(_ordered(span.entries), span.kind))
    found = _dedupe(found)
    in_named = [r for r in found if r.province in named]
    return in_named or found


def _longer_names(
    tokens: Sequence[str], span: _Span, explained: set[int], index: Index
) -> list[int]:
    """Items whose name starts with the span's words and goes on like the unexplained words
    after it ("tangerang selatn" -> Tangerang Selatan), closest first."""
    rest: list[str] = []
    for i in range(span.end, min(len(tokens), span.start + index.longest)):
        if i in explained:
            break
        rest.append(tokens[i])
    if not rest:
        return []
    head = " ".join(tokens[span.start : span.end]) + " "
    best: dict[int, tuple[float, bool]] = {}
    for phrase, item, is_alias in index.fuzzy:
        if not phrase.startswith(head):
            continue
        score = max(_similarity(head + " ".join(rest[:n]), phrase) for n in range(1, len(rest) + 1))
        if score >= _FUZZY_CUTOFF and (score, not is_alias) > best.get(item, (0.0, True)):
            best[item] = (score, is_alias)
    ranked = sorted(best.items(), key=lambda pair: (-pair[1][0], pair[1][1], pair[0]))
    return [item for item, _ in ranked]


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _fuzzy(queries: Iterable[tuple[str, float]], index: Index) -> list[tuple[float, int, bool]]:
    """Best (score, item, is_alias) per item over (phrase, share of the text) pairs, best first.

    A phrase must look like a name or alias (difflib ratio over the cutoff), or be its first
    words ("sumatera" for Sumatera Utara). Phrases covering less of the text rank lower, so
    "papua barat daya" puts Papua Barat Daya before Papua.
    """
    best: dict[int, tuple[float, bool]] = {}
    matcher = difflib.SequenceMatcher(autojunk=False)
    for query, share in queries:
        if len(query.replace(" ", "")) < _MIN_FUZZY_CHARS:
            continue
        matcher.set_seq2(query)
        prefix = query + " "
        for phrase, item, is_alias in index.fuzzy:
            if len(query) >= _MIN_PREFIX_CHARS and phrase.startswith(prefix):
                score = _PREFIX_SCORE
            else:
                matcher.set_seq1(phrase)
                if (
                    matcher.real_quick_ratio() < _FUZZY_CUTOFF
                    or matcher.quick_ratio() < _FUZZY_CUTOFF
                ):
                    continue
                score = matcher.ratio()
                if score < _FUZZY_CUTOFF:
                    continue
            score -= _PART_PENALTY * (1.0 - share)
            previous = best.get(item)
            if previous is None or (score, not is_alias) > (previous[0], not previous[1]):
                best[item] = (score, is_alias)
    ranked = sorted(best.items(), key=lambda pair: (-pair[1][0], pair[1][1], pair[0]))
    return [(score, item, is_alias) for item, (score, is_alias) in ranked]


def _sub_phrases(runs: Sequence[Sequence[str]], longest: int) -> list[tuple[str, float]]:
    """Every run of up to `longest` words, with the share of the text's letters it covers."""
    total = sum(len(token) for run in runs for token in run) or 1
    phrases: dict[str, float] = {}
    for run in runs:
        for start in range(len(run)):
            for end in range(start + 1, min(len(run), start + longest) + 1):
                words = run[start:end]
                phrase = " ".join(words)
                share = sum(len(word) for word in words) / total
                phrases[phrase] = max(share, phrases.get(phrase, 0.0))
    return list(phrases.items())


def suggest_regencies(text: str, limit: int = 3) -> list[Regency]:
    """Close matches for a typo (difflib on normalised names and aliases), best first.

    For "did you mean" buttons: "pekalogan" gives Kota and Kabupaten Pekalongan. A kind word
    ("kota pekalogan") puts that kind first, and exact matches come first of all. Text that only
    names a province ("jawa barat") gives [] rather than look-alike cities (Jakarta Barat): ask
    for the province instead.
    """
    if limit <= 0:
        return []
    data = load()
    tokens = tokenise(text)
    kinds = {KIND_WORDS[t] for t in tokens if t in KIND_WORDS}
    kind = next(iter(kinds)) if len(kinds) == 1 else None
    exact = match_regencies(text)
    tokens = [t for t in tokens if t not in NOT_NAME_WORDS]
    exact_positions = {
        i for span in _spans(tokens, data.regency_index) for i in range(span.start, span.end)
    }
    _, province_positions = _province_mentions(tokens, exact_positions)
    # Fuzzy-match only the runs of words that are not a province's name.
    runs: list[list[str]] = [[]]
    for i, token in enumerate(tokens):
        if i in province_positions:
            runs.append([])
        else:
            runs[-1].append(token)
    scored = _fuzzy(_sub_phrases(runs, data.regency_index.longest), data.regency_index)
    ranked = sorted(
        scored,
        key=lambda s: (-round(s[0], 6), data.regencies[s[1]].kind != kind, s[2], s[1]),
    )
    return _dedupe([*exact, *(data.regencies[item] for _, item, _ in ranked)])[:limit]


def regencies() -> list[Regency]:
    """All 514 kabupaten/kota, grouped by province (as in `provinces()`), kabupaten first."""
    return list(load().regencies)


def regency_by_key(key: str) -> Regency | None:
    """The regency with this `Regency.key` ("kab-serang"), or None."""
    return load().regency_by_key.get(key.strip().casefold())


def _province_tokens(text: str) -> list[str]:
    return [t for t in tokenise(text) if t not in PROVINCE_WORDS]


def match_province(text: str) -> Province | None:
    """The province the text names: "jawa barat", "Jabar", "prov. maluku", "papua selatan".

    None when nothing matches, or when the words after a match look like a mistyped longer
    name ("papua selatann" is not taken for Papua): `suggest_provinces` offers it instead.
    """
    tokens = _province_tokens(text)
    if not tokens:
        return None
    data = load()
    spans = _spans(tokens, data.province_index)
    if not spans:
        return None
    best = spans[0]
    explained = set(range(best.start, best.end)) | {
        i for i, t in enumerate(tokens) if t in NOT_NAME_WORDS
    }
    if _longer_names(tokens, best, explained, data.province_index):
        return None
    return data.provinces[best.entries[0][0]]


def suggest_provinces(text: str, limit: int = 3) -> list[Province]:
    """Close matches for a mistyped province, best first ("jawa barar" -> Jawa Barat)."""
    if limit <= 0:
        return []
    data = load()
    exact = match_province(text)
    tokens = _province_tokens(text)
    scored = _fuzzy(_sub_phrases([tokens], data.province_index.longest), data.province_index)
    found = [data.provinces[item] for _, item, _ in scored]
    return _dedupe([*([exact] if exact else []), *found])[:limit]


def province(name: str) -> Province:
    """The province with exactly this official name ("Banten"); KeyError if there is none."""
    return load().province_by_name[name]


def provinces() -> list[Province]:
    """All 38 provinces, in the order of their official codes (Aceh first)."""
    return list(load().provinces)


def zone_of_timezone(tz: str) -> str:
    """ "Asia/Jakarta" -> "WIB", "Asia/Makassar" -> "WITA", "Asia/Jayapura" -> "WIT"."""
    for zone, name in ZONES.items():
        if name == tz:
            return zone
    if tz in OTHER_TIMEZONES:
        return OTHER_TIMEZONES[tz]
    raise ValueError(f"not an Indonesian time zone: {tz!r}")
