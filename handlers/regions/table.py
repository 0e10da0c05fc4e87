"""The provinces and kabupaten/kota of Indonesia as loaded from handlers/data, and their indexes."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ZONES: dict[str, str] = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}

# Other IANA names for the same three clocks (Asia/Pontianak is the tz database's own zone for
# West and Central Kalimantan; Asia/Ujung_Pandang is the old link name for Asia/Makassar).
OTHER_TIMEZONES = {"Asia/Pontianak": "WIB", "Asia/Ujung_Pandang": "WITA"}

KOTA = "kota"
KABUPATEN = "kabupaten"

_DATA_DIR = Path(__file__).resolve().parent / "data"

# Words that say which kind of place follows ("kab. serang", "kota ambon", "kodya malang").
KIND_WORDS = {
    "kota": KOTA,
    "kot": KOTA,
    "kotamadya": KOTA,
    "kotamadia": KOTA,
    "kodya": KOTA,
    "kotif": KOTA,
    "city": KOTA,
    "kab": KABUPATEN,
    "kabupaten": KABUPATEN,
    "regency": KABUPATEN,
}
# "kabupaten administrasi kepulauan seribu", "kota adm. jakarta selatan".
_ADMIN_WORDS = frozenset({"administrasi", "adm", "admin", "administratif"})
PROVINCE_WORDS = frozenset({"prov", "provinsi", "propinsi", "prop", "province"})
NOT_NAME_WORDS = frozenset(KIND_WORDS) | _ADMIN_WORDS | PROVINCE_WORDS
# Words people wrap around the answer: "saya tinggal di ...", "dari ... pak".
_FILLER = frozenset(
    {
        "saya", "sy", "sya", "aku", "ak", "gue", "gua", "gw", "kami", "kita",
        "di", "dari", "dr", "ke", "tinggal", "tinggalnya", "daerah", "wilayah",
        "domisili", "berdomisili", "bertempat", "tempat", "menetap", "alamat", "asal", "berasal",
        "sekarang", "skrg", "skrang", "ini", "yang", "yg", "ya", "iya", "nya",
        "pak", "bu", "bapak", "ibu", "kak", "mas", "mbak", "bang", "min",
        "nih", "sih", "deh", "dong", "kok", "aja", "saja", "juga", "atau", "tapi", "dekat",
        "belum", "tahu", "tau", "tidak", "gak", "ga", "nggak", "ngga", "enggak",
        "indonesia", "ri", "in", "i", "live", "from", "the", "im", "am",
        "makasih", "terimakasih", "terima", "kasih", "thanks", "thank", "you", "tks",
    }
)  # fmt: skip
# Words that come before the name of a place smaller than a kabupaten/kota.
SMALLER_PLACE_WORDS = frozenset(
    {
        "kec", "kecamatan", "distrik", "kel", "kelurahan", "desa", "ds", "dusun", "dukuh",
        "kampung", "kp", "jl", "jln", "jalan", "gg", "gang", "rt", "rw", "perum", "perumahan",
        "komplek", "kompleks", "lapas", "rutan",
    }
)  # fmt: skip
_MAX_TOKENS = 40
_SYNONYMS = {"kep": "kepulauan", "kepl": "kepulauan", "kpl": "kepulauan", "sumatra": "sumatera"}


@dataclass(frozen=True)
class Province:
    """One of Indonesia's 38 provinces, with its clock."""

    name: str  # "Banten"
    zone: str  # "WIB" | "WITA" | "WIT"
    timezone: str  # "Asia/Jakarta"


@dataclass(frozen=True)
class Regency:
    """A kabupaten (regency) or kota (city): the level below the province."""

    kind: str  # "kota" | "kabupaten"
    name: str  # "Serang", without the "Kota"/"Kabupaten" prefix
    province: str  # "Banten", a Province.name

    @property
    def key(self) -> str:
        """A stable ASCII id for button payloads: "kab-serang", "kota-serang"."""
        prefix = "kota" if self.kind == KOTA else "kab"
        return "-".join((prefix, *_words(self.name)))

    def label(self, lang: str = "id") -> str:
        """ "Kota Serang" / "Kabupaten Serang"; in English "Serang City" / "Serang Regency"."""
        if lang.casefold().startswith("en"):
            return f"{self.name} City" if self.kind == KOTA else f"{self.name} Regency"
        return f"Kota {self.name}" if self.kind == KOTA else f"Kabupaten {self.name}"


# --- text --------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """Casefolded ASCII-ish words: accents stripped, emoji and punctuation dropped."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    chars = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        chars.append(char if char.isalnum() else " ")
    return "".join(chars).split()


def tokenise(text: str) -> list[str]:
    """Words with filler dropped and abbreviations spelled out ("kep." -> "kepulauan")."""
    words = [_SYNONYMS.get(word, word) for word in _words(text)]
    return [word for word in words if word not in _FILLER][:_MAX_TOKENS]


def _keys(tokens: Sequence[str]) -> tuple[str, str]:
    """The spaced and the run-together forms ("palangka raya", "palangkaraya")."""
    return " ".join(tokens), "".join(tokens)


# --- data --------------------------------------------------------------------------------------


@dataclass
class Index:
    """Phrase -> entries, plus the phrases for fuzzy matching."""

    exact: dict[str, list[tuple[int, bool]]]  # key -> [(item, is_alias)], names first
    fuzzy: list[tuple[str, int, bool]]  # (spaced phrase, item, is_alias)
    longest: int  # most tokens in any phrase

    def lookup(self, tokens: Sequence[str]) -> list[tuple[int, bool]]:
        spaced, compact = _keys(tokens)
        return self.exact.get(spaced) or self.exact.get(compact) or []


@dataclass
class _Data:
    provinces: list[Province]
    province_by_name: dict[str, Province]
    regencies: list[Regency]
    regency_by_key: dict[str, Regency]
    regency_index: Index
    province_index: Index


def _read_tsv(name: str) -> list[dict[str, str]]:
    with (_DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    for number, row in enumerate(rows, start=2):
        if any(value is None for value in row.values()) or None in row:
            raise ValueError(f"{name}:{number}: wrong number of columns")
    return rows


def _aliases(cell: str) -> list[str]:
    return [alias.strip() for alias in cell.split("|") if alias.strip()]


def _build_index(phrases: Iterable[tuple[int, str, bool]]) -> Index:
    exact: dict[str, list[tuple[int, bool]]] = {}
    fuzzy: list[tuple[str, int, bool]] = []
    seen: set[tuple[str, int]] = set()
    longest = 1
    for item, phrase, is_alias in phrases:
        tokens = tokenise(phrase)
        if not tokens:
            raise ValueError(f"{phrase!r} has no words left to match on")
        longest = max(longest, len(tokens))
        spaced, compact = _keys(tokens)
        for key in dict.fromkeys((spaced, compact)):
            if (key, item) in seen:
                continue
            seen.add((key, item))
            exact.setdefault(key, []).append((item, is_alias))
        if (f"~{spaced}", item) not in seen:
            seen.add((f"~{spaced}", item))
            fuzzy.append((spaced, item, is_alias))
    for entries in exact.values():
        entries.sort(key=lambda entry: entry[1])  # names before aliases, stable otherwise
    return Index(exact, fuzzy, longest)


@cache
def load() -> _Data:
    province_list: list[Province] = []
    province_phrases: list[tuple[int, str, bool]] = []
    for row in _read_tsv("provinces.tsv"):
        zone = row["zone"].strip()
        if ZONES.get(zone) != row["timezone"].strip():
            raise ValueError(f"provinces.tsv: {row['province']}: zone and timezone disagree")
        item = len(province_list)
        province_list.append(Province(row["province"].strip(), zone, row["timezone"].strip()))
        province_phrases.append((item, row["province"], False))
        province_phrases.extend((item, alias, True) for alias in _aliases(row["aliases"]))
    by_name = {p.name: p for p in province_list}
    if len(by_name) != len(province_list):
        raise ValueError("provinces.tsv: a province is listed twice")

    regency_list: list[Regency] = []
    regency_phrases: list[tuple[int, str, bool]] = []
    for row in _read_tsv("regencies.tsv"):
        regency = Regency(row["kind"].strip(), row["name"].strip(), row["province"].strip())
        if regency.kind not in (KOTA, KABUPATEN):
            raise ValueError(f"regencies.tsv: {regency.name}: unknown kind {regency.kind!r}")
        if regency.province not in by_name:
            raise ValueError(f"regencies.tsv: {regency.name}: unknown province")
        item = len(regency_list)
        regency_list.append(regency)
        regency_phrases.append((item, regency.name, False))
        regency_phrases.extend((item, alias, True) for alias in _aliases(row["aliases"]))
    by_key = {r.key: r for r in regency_list}
    if len(by_key) != len(regency_list):
        raise ValueError("regencies.tsv: two rows share a key")

    return _Data(
        provinces=province_list,
        province_by_name=by_name,
        regencies=regency_list,
        regency_by_key=by_key,
        regency_index=_build_index(regency_phrases),
        province_index=_build_index(province_phrases),
    )
