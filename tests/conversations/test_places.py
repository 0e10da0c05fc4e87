"""The place questions of sign-up (city, province, time zone): every answer leads somewhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import Participant
from tests.fakes.channel import Person


async def me(db: Database) -> Participant:
    async with db.transaction() as tx:
        return (await tx.execute(select(Participant))).scalar_one()


async def at_city_question(person: Person) -> None:
    for text in ("halo", "setuju", "ya", "remaja"):
        await person.says(text)


async def says_no_to_serang(person: Person) -> str:
    """The city question answered with Kota Serang, then "bukan" at its confirmation."""
    await at_city_question(person)
    replies = await person.says("kota serang")
    assert "Kota Serang, Banten" in replies[-1].text
    replies = await person.says("bukan")
    return replies[-1].text


def is_phone_question(text: str) -> bool:
    return "nomor HP" in text


async def test_after_no_a_typed_city_is_taken_as_the_city(person: Person, db: Database) -> None:
    """Regression (issue 8): "ambon" at the time-zone picker got "Silakan pilih WIB..." forever."""
    picker = await says_no_to_serang(person)
    assert "kota" in picker  # the picker says a city may be typed
    replies = await person.says("ambon")
    assert "Kota Ambon, Maluku" in replies[-1].text and "WIT" in replies[-1].text
    replies = await person.says("ya")
    assert is_phone_question(replies[-1].text)
    p = await me(db)
    assert (p.city, p.province, p.timezone) == ("Kota Ambon", "Maluku", "Asia/Jayapura")


@pytest.mark.parametrize("typed", ["ganti kota", "Ganti", "kembali", "batal", "tidak tahu", "4"])
async def test_going_back_to_the_city_question_from_the_picker(
    person: Person, db: Database, typed: str
) -> None:
    await says_no_to_serang(person)
    replies = await person.says(typed)
    assert "kota atau kabupaten mana" in replies[-1].text  # the city question
    replies = await person.says("kota ambon")
    assert "Kota Ambon, Maluku" in replies[-1].text


@pytest.mark.parametrize(
    ("typed", "zone"),
    [("WIT", "Asia/Jayapura"), ("wita", "Asia/Makassar"), ("3", "Asia/Jayapura"),
     ("waktu indonesia tengah", "Asia/Makassar"), ("pakai WIB", "Asia/Jakarta"),
     ("UTC+9", "Asia/Jayapura")],
)  # fmt: skip
async def test_a_typed_time_zone_at_the_picker(
    person: Person, db: Database, typed: str, zone: str
) -> None:
    await says_no_to_serang(person)
    replies = await person.says(typed)
    assert is_phone_question(replies[-1].text)
    assert (await me(db)).timezone == zone


async def test_a_province_at_the_picker_sets_its_time_zone(person: Person, db: Database) -> None:
    await says_no_to_serang(person)
    replies = await person.says("maluku")
    assert "Maluku" in replies[-1].text and "WIT" in replies[-1].text
    await person.says("ya")
    p = await me(db)
    assert (p.city, p.province, p.timezone) == (None, "Maluku", "Asia/Jayapura")


async def test_several_or_mistyped_cities_at_the_picker_offer_buttons(
    person: Person, db: Database
) -> None:
    await says_no_to_serang(person)
    replies = await person.says("sorong")
    assert [b.payload for b in replies[-1].buttons] == ["city:kota-sorong", "city:kab-sorong"]
    replies = await person.says("2")  # typed, the number of a button
    assert "Kabupaten Sorong, Papua Barat Daya" in replies[-1].text
    await person.says("bukan")
    replies = await person.says("ambn")
    assert "city:kota-ambon" in [b.payload for b in replies[-1].buttons]
    replies = await person.presses("city:kota-ambon")
    assert "Kota Ambon, Maluku" in replies[-1].text


@pytest.mark.parametrize("typed", ["jam 9", "9", "ya", "tidak", "halo", "123"])
async def test_what_the_picker_cannot_use_is_asked_again_with_the_way_out(
    person: Person, typed: str
) -> None:
    await says_no_to_serang(person)
    replies = await person.says(typed)
    assert [b.payload for b in replies[-1].buttons] == [
        "zone:WIB", "zone:WITA", "zone:WIT", "zone:city",
    ]  # fmt: skip
    assert "kota" in replies[0].text  # the reply says a city may be typed


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("bukan, saya di ambon", "Kota Ambon, Maluku"), ("kota ambon", "Kota Ambon, Maluku")],
)
async def test_another_city_typed_at_the_confirmation_replaces_it(
    person: Person, typed: str, expected: str
) -> None:
    await at_city_question(person)
    await person.says("kota serang")
    replies = await person.says(typed)
    assert expected in replies[-1].text and "WIT" in replies[-1].text


async def test_a_time_zone_typed_at_the_confirmation_corrects_it(
    person: Person, db: Database
) -> None:
    await at_city_question(person)
    await person.says("kota serang")
    replies = await person.says("disini pakai WITA")
    assert is_phone_question(replies[-1].text)
    assert (await me(db)).timezone == "Asia/Makassar"


@pytest.mark.parametrize("typed", ["ganti kota", "kembali", "ya", "tidak", "jam 9", "12"])
async def test_the_city_question_does_not_take_other_answers_for_a_city(
    person: Person, db: Database, typed: str
) -> None:
    await at_city_question(person)
    replies = await person.says(typed)
    assert "kota atau kabupaten mana" in replies[-1].text  # asked again, not "which province?"
    assert (await me(db)).city is None


async def test_the_province_question_has_a_way_back_and_takes_a_city(
    person: Person, db: Database
) -> None:
    await at_city_question(person)
    replies = await person.says("desa sukamaju")  # not a kota/kabupaten we know
    assert "provinsi" in replies[-1].text
    assert "place:city" in [b.payload for b in replies[-1].buttons]
    replies = await person.says("jam 9")
    assert "place:city" in [b.payload for b in replies[-1].buttons]
    replies = await person.says("ganti kota")
    assert "kota atau kabupaten mana" in replies[-1].text
    await person.says("desa sukamaju")
    replies = await person.says("kota ambon")  # a city at the province question
    assert "Kota Ambon, Maluku" in replies[-1].text


async def test_none_of_the_suggestions_keeps_the_typed_city(person: Person, db: Database) -> None:
    await at_city_question(person)
    replies = await person.says("pekalogan")
    assert replies[-1].buttons[-1].payload == "city:none"
    await person.says(str(len(replies[-1].buttons)))  # "None of these", typed as its number
    replies = await person.says("jawa tengah")
    assert "pekalogan, Jawa Tengah" in replies[-1].text  # as they typed it


async def test_a_province_at_the_city_question_asks_for_a_city_in_it(
    person: Person, db: Database
) -> None:
    await at_city_question(person)
    replies = await person.says("bali")
    assert "Bali" in replies[-1].text and "provinsi" in replies[-1].text
    replies = await person.says("Tenganan")  # not a kota/kabupaten: kept as typed, in Bali
    assert "Tenganan, Bali" in replies[-1].text and "WITA" in replies[-1].text
    await person.says("ya")
    p = await me(db)
    assert (p.city, p.province, p.timezone) == ("Tenganan", "Bali", "Asia/Makassar")


@pytest.mark.parametrize(
    ("typed", "next_question", "zone"),
    [("iya betul", "nomor HP", "Asia/Jakarta"),  # two yes words are a yes, not a typo of a city
     ("bukan kota serang", "Mana yang salah", "Asia/Jakarta"),
     ("kotanya salah", "Mana yang salah", "Asia/Jakarta"),
     ("bukan serang tapi ambon", "Kota Ambon, Maluku", "Asia/Jayapura"),
     ("wit bukan wib", "nomor HP", "Asia/Jayapura")],
)  # fmt: skip
async def test_what_a_confirmation_denies_is_not_taken(
    person: Person, db: Database, typed: str, next_question: str, zone: str
) -> None:
    await at_city_question(person)
    await person.says("kota serang")
    replies = await person.says(typed)
    assert next_question in replies[-1].text
    assert (await me(db)).timezone == zone
