"""/profil and changing one's data: naming what to change, and changing one's mind."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import Participant
from tests.fakes.channel import Person
from tests.helpers.reminders import register


async def me(db: Database) -> Participant:
    async with db.transaction() as tx:
        return (await tx.execute(select(Participant))).scalar_one()


@pytest.mark.parametrize(
    ("typed", "question"),
    [("ganti kota", "kota atau kabupaten mana"), ("ubah nomor hp", "nomor HP"),
     ("mau ganti minat", "dibantu dalam hal apa")],
)  # fmt: skip
async def test_naming_what_to_change_goes_straight_to_that_question(
    person: Person, db: Database, typed: str, question: str
) -> None:
    """Regression (issue 8): "ganti kota" was read as "Ubah" and the city was forgotten."""
    await register(person, "kota pekalongan")
    await person.says("/profil")
    replies = await person.says(typed)
    assert question in replies[-1].text


async def test_naming_a_field_at_the_sign_up_summary_changes_it(
    person: Person, db: Database
) -> None:
    for text in ("halo", "setuju", "ya", "remaja", "kota pekalongan", "ya", "lewati"):
        await person.says(text)
    for text in ("pelatihan", "pagi", "tidak"):
        replies = await person.says(text)
    assert "Apakah semuanya sudah benar?" in replies[-1].text
    replies = await person.says("kotanya salah")
    assert "kota atau kabupaten mana" in replies[-1].text
    await person.says("kota ambon")
    replies = await person.says("ya")
    assert "Kota Ambon, Maluku" in replies[-1].text and "sudah benar" in replies[-1].text


@pytest.mark.parametrize("back", ["edit:back", "tidak jadi", "kembali", "8"])
async def test_choosing_nothing_to_change_goes_back(
    person: Person, db: Database, back: str
) -> None:
    """The "what would you like to change?" menu had no way out but changing something."""
    await register(person, "kota pekalongan")
    await person.says("/profil")
    await person.presses("profile:edit")
    replies = await (person.presses(back) if ":" in back else person.says(back))
    assert "Data Anda" in replies[-1].text
    assert (await me(db)).city == "Kota Pekalongan"
