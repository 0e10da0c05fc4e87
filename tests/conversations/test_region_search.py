"""What people type for a kabupaten/kota or a province, and what the bot finds."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from handlers.regions import search as regions
from handlers.regions.search import Regency

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


# --- what people type --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "province", "zone"),
    [
        ("kab. serang", "Kabupaten Serang", "Banten", "WIB"),
        ("Kab Serang", "Kabupaten Serang", "Banten", "WIB"),
        ("kota serang", "Kota Serang", "Banten", "WIB"),
        ("KABUPATEN SERANG", "Kabupaten Serang", "Banten", "WIB"),
        ("saya tinggal di kab. serang 🙏", "Kabupaten Serang", "Banten", "WIB"),
        ("ambon", "Kota Ambon", "Maluku", "WIT"),
        ("saya di kota ambon", "Kota Ambon", "Maluku", "WIT"),
        ("jaksel", "Kota Jakarta Selatan", "DKI Jakarta", "WIB"),
        ("Jakarta Selatan", "Kota Jakarta Selatan", "DKI Jakarta", "WIB"),
        ("Kota Adm. Jakarta Selatan", "Kota Jakarta Selatan", "DKI Jakarta", "WIB"),
        ("Jakpus", "Kota Jakarta Pusat", "DKI Jakarta", "WIB"),
        ("jakut", "Kota Jakarta Utara", "DKI Jakarta", "WIB"),
        ("Jakbar", "Kota Jakarta Barat", "DKI Jakarta", "WIB"),
        ("jaktim", "Kota Jakarta Timur", "DKI Jakarta", "WIB"),
        (
            "Kabupaten Administrasi Kepulauan Seribu",
            "Kabupaten Kepulauan Seribu",
            "DKI Jakarta",
            "WIB",
        ),
        ("kep. seribu", "Kabupaten Kepulauan Seribu", "DKI Jakarta", "WIB"),
        ("jogja", "Kota Yogyakarta", "Daerah Istimewa Yogyakarta", "WIB"),
        ("Yogyakarta", "Kota Yogyakarta", "Daerah Istimewa Yogyakarta", "WIB"),
        ("Yogya", "Kota Yogyakarta", "Daerah Istimewa Yogyakarta", "WIB"),
        ("kota bekasi", "Kota Bekasi", "Jawa Barat", "WIB"),
        ("kab bandung barat", "Kabupaten Bandung Barat", "Jawa Barat", "WIB"),
        ("Tangsel", "Kota Tangerang Selatan", "Banten", "WIB"),
        ("makasar", "Kota Makassar", "Sulawesi Selatan", "WITA"),
        ("Makassar", "Kota Makassar", "Sulawesi Selatan", "WITA"),
        ("Denpasar", "Kota Denpasar", "Bali", "WITA"),
        ("kab. maluku tengah", "Kabupaten Maluku Tengah", "Maluku", "WIT"),
        ("Merauke", "Kabupaten Merauke", "Papua Selatan", "WIT"),
        ("Balikpapan", "Kota Balikpapan", "Kalimantan Timur", "WITA"),
        ("Pontianak", "Kota Pontianak", "Kalimantan Barat", "WIB"),
        ("Palangka Raya", "Kota Palangka Raya", "Kalimantan Tengah", "WIB"),
        ("Palangkaraya", "Kota Palangka Raya", "Kalimantan Tengah", "WIB"),
        ("Kota Tarakan", "Kota Tarakan", "Kalimantan Utara", "WITA"),
        ("Solo", "Kota Surakarta", "Jawa Tengah", "WIB"),
        ("surabaya", "Kota Surabaya", "Jawa Timur", "WIB"),
        ("Nabire", "Kabupaten Nabire", "Papua Tengah", "WIT"),
        ("Timika", "Kabupaten Mimika", "Papua Tengah", "WIT"),
        ("Jayawijaya", "Kabupaten Jayawijaya", "Papua Pegunungan", "WIT"),
        ("Wamena", "Kabupaten Jayawijaya", "Papua Pegunungan", "WIT"),
        ("kota sorong", "Kota Sorong", "Papua Barat Daya", "WIT"),
        ("kab sorong", "Kabupaten Sorong", "Papua Barat Daya", "WIT"),
        ("Raja Ampat", "Kabupaten Raja Ampat", "Papua Barat Daya", "WIT"),
        ("Manokwari", "Kabupaten Manokwari", "Papua Barat", "WIT"),
        ("kota jayapura", "Kota Jayapura", "Papua", "WIT"),
        ("Ternate", "Kota Ternate", "Maluku Utara", "WIT"),
        ("Mataram", "Kota Mataram", "Nusa Tenggara Barat", "WITA"),
        ("kota kupang", "Kota Kupang", "Nusa Tenggara Timur", "WITA"),
        ("Labuan Bajo", "Kabupaten Manggarai Barat", "Nusa Tenggara Timur", "WITA"),
        ("Manado", "Kota Manado", "Sulawesi Utara", "WITA"),
        ("Palu", "Kota Palu", "Sulawesi Tengah", "WITA"),
        ("Kendari", "Kota Kendari", "Sulawesi Tenggara", "WITA"),
        ("Mamuju", "Kabupaten Mamuju", "Sulawesi Barat", "WITA"),
        ("Banjarmasin", "Kota Banjarmasin", "Kalimantan Selatan", "WITA"),
        ("Samarinda", "Kota Samarinda", "Kalimantan Timur", "WITA"),
        ("Medan", "Kota Medan", "Sumatera Utara", "WIB"),
        ("Banda Aceh", "Kota Banda Aceh", "Aceh", "WIB"),
        ("Batam", "Kota Batam", "Kepulauan Riau", "WIB"),
        ("Pangkal Pinang", "Kota Pangkalpinang", "Kepulauan Bangka Belitung", "WIB"),
        ("Tanjung Pinang", "Kota Tanjungpinang", "Kepulauan Riau", "WIB"),
        ("Pematang Siantar", "Kota Pematangsiantar", "Sumatera Utara", "WIB"),
        ("Bau-Bau", "Kota Baubau", "Sulawesi Tenggara", "WITA"),
        ("Pare-Pare", "Kota Parepare", "Sulawesi Selatan", "WITA"),
        ("Gunung Kidul", "Kabupaten Gunungkidul", "Daerah Istimewa Yogyakarta", "WIB"),
        ("kulonprogo", "Kabupaten Kulon Progo", "Daerah Istimewa Yogyakarta", "WIB"),
        ("Toli-Toli", "Kabupaten Tolitoli", "Sulawesi Tengah", "WITA"),
        ("tojo una una", "Kabupaten Tojo Una-Una", "Sulawesi Tengah", "WITA"),
        ("kab. lima puluh kota", "Kabupaten Lima Puluh Kota", "Sumatera Barat", "WIB"),
        ("50 kota", "Kabupaten Lima Puluh Kota", "Sumatera Barat", "WIB"),
        ("Kota Baru", "Kabupaten Kotabaru", "Kalimantan Selatan", "WITA"),
        ("kota kotamobagu", "Kota Kotamobagu", "Sulawesi Utara", "WITA"),
        ("Purwokerto", "Kabupaten Banyumas", "Jawa Tengah", "WIB"),
        ("Cikarang", "Kabupaten Bekasi", "Jawa Barat", "WIB"),
        ("Toba Samosir", "Kabupaten Toba", "Sumatera Utara", "WIB"),
        ("Mamuju Utara", "Kabupaten Pasangkayu", "Sulawesi Barat", "WITA"),
        ("Maluku Tenggara Barat", "Kabupaten Kepulauan Tanimbar", "Maluku", "WIT"),
        ("kota sleman", "Kabupaten Sleman", "Daerah Istimewa Yogyakarta", "WIB"),
        ("Kodya Malang", "Kota Malang", "Jawa Timur", "WIB"),
        ("Kotamadya Medan", "Kota Medan", "Sumatera Utara", "WIB"),
        ("Kot. Ambon", "Kota Ambon", "Maluku", "WIT"),
        ("Bekasi kota", "Kota Bekasi", "Jawa Barat", "WIB"),
        ("serang, banten", "Kota Serang", "Banten", "WIB"),
        ("kab. serang, banten", "Kabupaten Serang", "Banten", "WIB"),
        ("kupang ntt", "Kota Kupang", "Nusa Tenggara Timur", "WITA"),
        ("SAYA DARI KOTA AMBON PAK 🙏🙏", "Kota Ambon", "Maluku", "WIT"),
        ("Dénpasar", "Kota Denpasar", "Bali", "WITA"),
        ("South Jakarta", "Kota Jakarta Selatan", "DKI Jakarta", "WIB"),
    ],
)
def test_what_people_type(text: str, label: str, province: str, zone: str) -> None:
    found = regions.match_regencies(text)
    assert labels(found)[:1] == [label], (text, labels(found))
    assert found[0].province == province
    assert regions.province(found[0].province).zone == zone
    assert regions.province(found[0].province).timezone == regions.ZONES[zone]


@pytest.mark.parametrize(
    "text",
    [
        "kab. serang", "Kab Serang", "kota serang", "ambon", "jaksel", "Jakarta Selatan", "jogja",
        "Yogyakarta", "kota bekasi", "kab bandung barat", "Tangsel", "makasar", "Denpasar",
        "kab. maluku tengah", "Kota Tarakan", "saya tinggal di kab. serang 🙏",
    ],
)  # fmt: skip
def test_examples_are_not_ambiguous(text: str) -> None:
    only(text)


def test_a_name_alone_gives_both_kinds() -> None:
    assert labels(regions.match_regencies("serang")) == ["Kota Serang", "Kabupaten Serang"]
    assert set(labels(regions.match_regencies("Pekalongan"))) == {
        "Kota Pekalongan",
        "Kabupaten Pekalongan",
    }
    assert set(labels(regions.match_regencies("bandung"))) == {"Kota Bandung", "Kabupaten Bandung"}
    assert set(labels(regions.match_regencies("tangerang"))) == {
        "Kota Tangerang",
        "Kabupaten Tangerang",
    }


def test_jakarta_or_dki_offers_the_five_cities() -> None:
    for text in ("DKI", "Jakarta", "dki jakarta", "saya di jakarta"):
        found = regions.match_regencies(text)
        assert len(found) == 5, text
        assert {r.province for r in found} == {"DKI Jakarta"}
        assert all(r.kind == "kota" for r in found)
    dki = regions.match_province("DKI")
    assert dki == regions.province("DKI Jakarta")
    assert dki.zone == "WIB"


def test_a_province_named_too_narrows_the_result() -> None:
    assert {r.province for r in regions.match_regencies("bandung jawa barat")} == {"Jawa Barat"}
    assert only("martapura kalsel").label() == "Kabupaten Banjar"
    assert len(regions.match_regencies("martapura")) == 2


def test_both_kind_words_leave_both_kinds() -> None:
    for text in ("kota/kab serang", "Kab/Kota Serang"):
        assert set(labels(regions.match_regencies(text))) == {"Kota Serang", "Kabupaten Serang"}


def test_a_smaller_place_named_like_a_city_does_not_count() -> None:
    text = "Desa Sukamaju, Kecamatan Batu Ampar, Kabupaten Kotabaru"
    assert labels(regions.match_regencies(text)) == ["Kabupaten Kotabaru"]
    assert labels(regions.match_regencies("Kec. Cibinong, Kab. Bogor")) == ["Kabupaten Bogor"]
    # ...unless nothing else matched: the caller confirms.
    assert labels(regions.match_regencies("kecamatan batu")) == ["Kota Batu"]


def test_island_names() -> None:
    assert {r.name for r in regions.match_regencies("Madura")} == {
        "Bangkalan",
        "Sampang",
        "Pamekasan",
        "Sumenep",
    }
    assert len(regions.suggest_regencies("lombok", limit=9)) >= 4


def test_dont_know_is_not_a_typo() -> None:
    for text in ("belum tahu", "tidak tahu", "gak tau"):
        assert regions.match_regencies(text) == []
        assert regions.suggest_regencies(text) == []


def test_the_rest_of_a_longer_name_with_a_typo_comes_first() -> None:
    found = regions.match_regencies("kota tangerang selatn")
    assert labels(found)[0] == "Kota Tangerang Selatan"
    assert len(found) > 1  # the caller asks, rather than guess
    assert labels(regions.match_regencies("jakarta selatn"))[0] == "Kota Jakarta Selatan"
    assert labels(regions.match_regencies("bandung barta"))[0] == "Kabupaten Bandung Barat"


@pytest.mark.parametrize(
    "text",
    [
        "", "   ", "🙏", "...", "kota", "kab.", "kabupaten", "saya tinggal di", "di", "pak",
        "Jawa Barat", "Bali", "Papua", "Sumatera", "xyz", "pekalogan", "surabya",
    ],
)  # fmt: skip
def test_no_exact_match(text: str) -> None:
    assert regions.match_regencies(text) == []


@pytest.mark.parametrize("text", ["", "   ", "🙏", "kota", "kab.", "saya di", "x", "ab"])
def test_nothing_to_suggest_from_nothing(text: str) -> None:
    assert regions.suggest_regencies(text) == []
    assert regions.match_province(text) is None
    assert regions.suggest_provinces(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pekalogan", {"Kota Pekalongan", "Kabupaten Pekalongan"}),
        ("surabya", {"Kota Surabaya"}),
        ("makassr", {"Kota Makassar"}),
        ("balikpapn", {"Kota Balikpapan"}),
        ("pontianal", {"Kota Pontianak"}),
        ("denpasr", {"Kota Denpasar"}),
        ("merauk", {"Kabupaten Merauke"}),
        ("tanggerang", {"Kota Tangerang", "Kabupaten Tangerang"}),
        ("saya di kota pekalogan", {"Kota Pekalongan"}),
        ("rumah saya di pekalogan dekat pasar", {"Kota Pekalongan", "Kabupaten Pekalongan"}),
        ("kab. pekalogn, jawa tengah", {"Kabupaten Pekalongan"}),
        ("jogyakarta", {"Kota Yogyakarta"}),
        ("kutai", {"Kabupaten Kutai Barat", "Kabupaten Kutai Timur"}),
    ],
)
def test_suggestions_for_typos(text: str, expected: set[str]) -> None:
    found = labels(regions.suggest_regencies(text))
    assert expected <= set(found), (text, found)
    assert len(found) <= 3


def test_suggestions_order_and_limit() -> None:
    assert labels(regions.suggest_regencies("kota pekalogan"))[0] == "Kota Pekalongan"
    assert labels(regions.suggest_regencies("kab pekalogan"))[0] == "Kabupaten Pekalongan"
    assert labels(regions.suggest_regencies("kab bandung barat"))[0] == "Kabupaten Bandung Barat"
    assert len(regions.suggest_regencies("lombok", limit=5)) == 4
    assert len(regions.suggest_regencies("lombok", limit=1)) == 1
    assert regions.suggest_regencies("lombok", limit=0) == []


def test_a_province_name_is_not_taken_for_a_look_alike_city() -> None:
    # "Jawa Barat" looks like "Jakarta Barat": better to ask for the province.
    for text in ("Jawa Barat", "jawa timur", "Bali", "provinsi papua barat", "kalsel"):
        assert regions.suggest_regencies(text) == [], text
        assert regions.match_province(text) is not None, text


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("jawa barat", "Jawa Barat"),
        ("Jabar", "Jawa Barat"),
        ("prov. maluku", "Maluku"),
        ("Provinsi Maluku Utara", "Maluku Utara"),
        ("papua selatan", "Papua Selatan"),
        ("Papua", "Papua"),
        ("papua barat", "Papua Barat"),
        ("Papua Barat Daya", "Papua Barat Daya"),
        ("jatim", "Jawa Timur"),
        ("Jateng", "Jawa Tengah"),
        ("sumut", "Sumatera Utara"),
        ("Sumatra Utara", "Sumatera Utara"),
        ("sulsel", "Sulawesi Selatan"),
        ("NTT", "Nusa Tenggara Timur"),
        ("ntb", "Nusa Tenggara Barat"),
        ("DIY", "Daerah Istimewa Yogyakarta"),
        ("Jogja", "Daerah Istimewa Yogyakarta"),
        ("DI Yogyakarta", "Daerah Istimewa Yogyakarta"),
        ("Kalbar", "Kalimantan Barat"),
        ("Babel", "Kepulauan Bangka Belitung"),
        ("Kep. Riau", "Kepulauan Riau"),
        ("Kepri", "Kepulauan Riau"),
        ("Riau", "Riau"),
        ("DKI Jakarta", "DKI Jakarta"),
        ("Jakarta", "DKI Jakarta"),
        ("saya tinggal di provinsi banten", "Banten"),
        ("BALI 🌴", "Bali"),
        ("NAD", "Aceh"),
    ],
)
def test_match_province(text: str, name: str) -> None:
    assert regions.match_province(text) == regions.province(name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jawa barar", "Jawa Barat"),
        ("sumatera", "Sumatera Utara"),
        ("kalimantan", "Kalimantan Barat"),
        ("nusa tenggara", "Nusa Tenggara Timur"),
        ("sulawesi selatn", "Sulawesi Selatan"),
        ("gorontaalo", "Gorontalo"),
        ("papua selatann", "Papua Selatan"),
    ],
)
def test_suggest_provinces(text: str, expected: str) -> None:
    assert regions.match_province(text) is None
    found = regions.suggest_provinces(text)
    assert regions.province(expected) in found
    assert len(found) <= 3


def test_a_mistyped_longer_province_is_not_taken_for_the_shorter() -> None:
    assert regions.match_province("papua barat dya") is None
    assert regions.suggest_provinces("papua barat dya")[0].name == "Papua Barat Daya"
    assert regions.match_province("kab. maluku tengah") == regions.province("Maluku")


def test_suggest_provinces_puts_the_closest_first() -> None:
    assert regions.suggest_provinces("papua barat daya")[0].name == "Papua Barat Daya"
    assert regions.suggest_provinces("papua selatan")[0].name == "Papua Selatan"
