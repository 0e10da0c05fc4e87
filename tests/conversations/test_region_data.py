"""The kabupaten/kota and province data, their keys, labels and time zones, and its loading."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from handlers.regions import search as regions
from handlers.regions.search import Province, Regency
from handlers.regions.table import tokenise

DATA = Path(regions.__file__).resolve().parent / "data"


def read_tsv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def labels(found: list[Regency]) -> list[str]:
    return [r.label() for r in found]


def only(text: str) -> Regency:
    found = regions.match_regencies(text)
    assert len(found) == 1, (text, labels(found))
    return found[0]


# --- the data ----------------------------------------------------------------------------------


def test_regency_counts() -> None:
    rows = read_tsv("regencies.tsv")
    assert list(rows[0]) == ["kind", "name", "province", "aliases"]
    assert len(rows) == 514
    kinds = Counter(row["kind"] for row in rows)
    assert kinds == {"kota": 98, "kabupaten": 416}
    assert len(regions.regencies()) == 514


def test_no_duplicate_regencies() -> None:
    pairs = Counter((row["kind"], row["name"]) for row in read_tsv("regencies.tsv"))
    assert [pair for pair, count in pairs.items() if count > 1] == []


def test_every_province_has_regencies_and_every_regency_a_known_province() -> None:
    provinces = [row["province"] for row in read_tsv("provinces.tsv")]
    assert len(provinces) == len(set(provinces)) == 38
    used = Counter(row["province"] for row in read_tsv("regencies.tsv"))
    assert set(used) == set(provinces)
    assert all(used[name] >= 1 for name in provinces)


@pytest.mark.parametrize(
    ("province", "kabupaten", "kota"),
    [
        ("Aceh", 18, 5),
        ("Sumatera Utara", 25, 8),
        ("Sumatera Barat", 12, 7),
        ("Riau", 10, 2),
        ("Jambi", 9, 2),
        ("Sumatera Selatan", 13, 4),
        ("Bengkulu", 9, 1),
        ("Lampung", 13, 2),
        ("Kepulauan Bangka Belitung", 6, 1),
        ("Kepulauan Riau", 5, 2),
        ("DKI Jakarta", 1, 5),
        ("Jawa Barat", 18, 9),
        ("Jawa Tengah", 29, 6),
        ("Daerah Istimewa Yogyakarta", 4, 1),
        ("Jawa Timur", 29, 9),
        ("Banten", 4, 4),
        ("Bali", 8, 1),
        ("Nusa Tenggara Barat", 8, 2),
        ("Nusa Tenggara Timur", 21, 1),
        ("Kalimantan Barat", 12, 2),
        ("Kalimantan Tengah", 13, 1),
        ("Kalimantan Selatan", 11, 2),
        ("Kalimantan Timur", 7, 3),
        ("Kalimantan Utara", 4, 1),
        ("Sulawesi Utara", 11, 4),
        ("Sulawesi Tengah", 12, 1),
        ("Sulawesi Selatan", 21, 3),
        ("Sulawesi Tenggara", 15, 2),
        ("Gorontalo", 5, 1),
        ("Sulawesi Barat", 6, 0),
        ("Maluku", 9, 2),
        ("Maluku Utara", 8, 2),
        ("Papua", 8, 1),
        ("Papua Barat", 7, 0),
        ("Papua Selatan", 4, 0),
        ("Papua Tengah", 8, 0),
        ("Papua Pegunungan", 8, 0),
        ("Papua Barat Daya", 5, 1),
    ],
)
def test_regencies_per_province(province: str, kabupaten: int, kota: int) -> None:
    here = Counter(r.kind for r in regions.regencies() if r.province == province)
    assert (here["kabupaten"], here["kota"]) == (kabupaten, kota)


@pytest.mark.parametrize(
    "name",
    [
        "Serang", "Pekalongan", "Bandung", "Bekasi", "Bogor", "Tangerang", "Cirebon", "Tegal",
        "Malang", "Kediri", "Blitar", "Probolinggo", "Pasuruan", "Mojokerto", "Madiun", "Magelang",
        "Semarang", "Sukabumi", "Tasikmalaya", "Sorong", "Kupang", "Jayapura", "Solok", "Bima",
        "Gorontalo",
    ],
)  # fmt: skip
def test_names_that_are_both_kota_and_kabupaten(name: str) -> None:
    both = [r for r in regions.regencies() if r.name == name]
    assert sorted(r.kind for r in both) == ["kabupaten", "kota"]
    assert {r.province for r in both} == {both[0].province}
    assert set(regions.match_regencies(name)) == set(both)


def test_banjar_is_a_kota_in_jawa_barat_and_a_kabupaten_in_kalimantan_selatan() -> None:
    found = regions.match_regencies("banjar")
    assert {(r.kind, r.province) for r in found} == {
        ("kota", "Jawa Barat"),
        ("kabupaten", "Kalimantan Selatan"),
    }
    assert only("banjar kalsel").province == "Kalimantan Selatan"
    assert only("kota banjar").province == "Jawa Barat"


def test_provinces_and_zones() -> None:
    rows = read_tsv("provinces.tsv")
    assert list(rows[0]) == ["province", "zone", "timezone", "aliases"]
    listed = regions.provinces()
    assert [p.name for p in listed] == [row["province"] for row in rows]
    for province in listed:
        assert province.zone in regions.ZONES
        assert province.timezone == regions.ZONES[province.zone]
        assert regions.zone_of_timezone(province.timezone) == province.zone
        assert ZoneInfo(province.timezone).key == province.timezone


WIB = {
    "Aceh", "Sumatera Utara", "Sumatera Barat", "Riau", "Jambi", "Sumatera Selatan", "Bengkulu",
    "Lampung", "Kepulauan Bangka Belitung", "Kepulauan Riau", "DKI Jakarta", "Jawa Barat",
    "Jawa Tengah", "Daerah Istimewa Yogyakarta", "Jawa Timur", "Banten", "Kalimantan Barat",
    "Kalimantan Tengah",
}  # fmt: skip
WITA = {
    "Bali", "Nusa Tenggara Barat", "Nusa Tenggara Timur", "Kalimantan Selatan", "Kalimantan Timur",
    "Kalimantan Utara", "Sulawesi Utara", "Sulawesi Tengah", "Sulawesi Selatan",
    "Sulawesi Tenggara", "Gorontalo", "Sulawesi Barat",
}  # fmt: skip
WIT = {
    "Maluku", "Maluku Utara", "Papua", "Papua Barat", "Papua Barat Daya", "Papua Selatan",
    "Papua Tengah", "Papua Pegunungan",
}  # fmt: skip


def test_each_province_is_in_the_right_zone() -> None:
    zones = {p.name: p.zone for p in regions.provinces()}
    assert {name for name, zone in zones.items() if zone == "WIB"} == WIB
    assert {name for name, zone in zones.items() if zone == "WITA"} == WITA
    assert {name for name, zone in zones.items() if zone == "WIT"} == WIT


def test_zones() -> None:
    assert regions.ZONES == {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
    assert regions.zone_of_timezone("Asia/Jakarta") == "WIB"
    assert regions.zone_of_timezone("Asia/Makassar") == "WITA"
    assert regions.zone_of_timezone("Asia/Jayapura") == "WIT"
    assert regions.zone_of_timezone("Asia/Pontianak") == "WIB"
    for unknown in ("Europe/London", "", "WIB", "asia/jakarta", "UTC"):
        with pytest.raises(ValueError):
            regions.zone_of_timezone(unknown)


def test_province_by_official_name() -> None:
    assert regions.province("Banten") == Province("Banten", "WIB", "Asia/Jakarta")
    assert regions.province("Papua Pegunungan").zone == "WIT"
    for unknown in ("Jabar", "banten", "Atlantis", ""):
        with pytest.raises(KeyError):
            regions.province(unknown)


def test_lists_are_copies() -> None:
    regions.provinces().clear()
    regions.regencies().clear()
    assert len(regions.provinces()) == 38
    assert len(regions.regencies()) == 514


# --- keys and labels ---------------------------------------------------------------------------


def test_keys_are_unique_short_ascii_and_round_trip() -> None:
    keys = [r.key for r in regions.regencies()]
    assert len(set(keys)) == 514
    for regency in regions.regencies():
        assert re.fullmatch(r"(kota|kab)(-[a-z0-9]+)+", regency.key), regency.key
        assert len(regency.key.encode()) <= 40
        assert regions.regency_by_key(regency.key) is regency
    assert regions.regency_by_key("kab-serang") == Regency("kabupaten", "Serang", "Banten")
    assert regions.regency_by_key("kota-serang") == Regency("kota", "Serang", "Banten")
    assert regions.regency_by_key("kota-atlantis") is None
    assert regions.regency_by_key("") is None


def test_labels() -> None:
    kota, kab = regions.match_regencies("serang")
    assert (kota.label(), kab.label()) == ("Kota Serang", "Kabupaten Serang")
    assert (kota.label("id"), kab.label("id")) == ("Kota Serang", "Kabupaten Serang")
    assert (kota.label("en"), kab.label("en")) == ("Serang City", "Serang Regency")
    assert only("kab bandung barat").label("en") == "Bandung Barat Regency"


def test_every_regency_is_found_by_its_label_and_name() -> None:
    for regency in regions.regencies():
        assert regions.match_regencies(regency.label("id")) == [regency], regency
        assert regions.match_regencies(regency.label("en")) == [regency], regency
        assert regency in regions.match_regencies(regency.name), regency
        assert regency in regions.match_regencies(regency.name.upper()), regency


def test_every_alias_finds_its_regency_and_never_shadows_a_name() -> None:
    by_name: dict[str, set[str]] = {}
    for row in read_tsv("regencies.tsv"):
        by_name.setdefault(" ".join(tokenise(row["name"])), set()).add(row["name"])
    for row in read_tsv("regencies.tsv"):
        kind_prefix = "Kota" if row["kind"] == "kota" else "Kabupaten"
        for alias in filter(None, row["aliases"].split("|")):
            found = regions.match_regencies(alias)
            assert any(r.name == row["name"] and r.kind == row["kind"] for r in found), alias
            assert by_name.get(" ".join(tokenise(alias)), {row["name"]}) == {row["name"]}
            found = regions.match_regencies(f"{kind_prefix} {alias}")
            assert any(r.name == row["name"] for r in found), alias


def test_every_province_is_found_by_its_name_and_aliases() -> None:
    for row in read_tsv("provinces.tsv"):
        expected = regions.province(row["province"])
        for text in (row["province"], f"Provinsi {row['province']}", *row["aliases"].split("|")):
            if text:
                assert regions.match_province(text) == expected, text
        assert regions.suggest_provinces(row["province"])[0] == expected


# --- loading -----------------------------------------------------------------------------------


def test_loaded_once_and_no_file_reads_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    regions.match_regencies("ambon")

    def no_reads(*args: object, **kwargs: object) -> None:
        raise AssertionError("read a file after loading")

    monkeypatch.setattr(Path, "open", no_reads)
    monkeypatch.setattr("builtins.open", no_reads)
    assert only("ambon").label() == "Kota Ambon"
    assert regions.suggest_regencies("pekalogan")
    assert regions.match_province("jabar") is not None
    assert regions.suggest_provinces("jawa barar")
