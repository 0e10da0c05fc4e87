"""Signing up through the engine, typed the way people type, on a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.inbox import Inbox
from handlers.types import Kind, Reply
from storage.db import Database
from storage.models import Address, Message, Participant
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.signup import sign_up


async def participants(db: Database) -> list[Participant]:
    async with db.transaction() as tx:
        return list((await tx.execute(select(Participant))).scalars())


def titles(reply: object) -> list[str]:
    return [b.title for b in reply.buttons]  # type: ignore[attr-defined]


async def test_first_message_asks_for_consent_in_indonesian(person: Person, db: Database) -> None:
    replies = await person.says("halo")
    assert "Apakah Anda setuju?" in replies[-1].text
    assert "Rutan Kelas IIA Pekalongan" in replies[-1].text
    assert titles(replies[-1])[:2] == ["Setuju", "Tidak setuju"]
    assert await participants(db) == []


async def test_declining_consent_ends_politely_and_stores_nothing(
    person: Person, db: Database
) -> None:
    await person.says("halo")
    replies = await person.says("gak")
    assert "tidak menyimpan" in replies[-1].text
    assert await participants(db) == []
    async with db.transaction() as tx:
        bodies = (await tx.execute(select(Message.body).where(Message.direction == "in"))).scalars()
        assert list(bodies) == [None, None]  # both messages counted, neither's text kept


async def test_full_sign_up_typed_informally(person: Person, db: Database) -> None:
    await person.says("halo")
    replies = await person.says("iya")
    assert "Budi Santoso" in replies[-1].text  # the profile name is offered
    replies = await person.says("ya")
    assert "Senang berkenalan, Budi Santoso" in replies[0].text
    assert titles(replies[-1])[0] == "Mantan narapidana"
    await person.presses("cat:former_inmate")
    replies = await person.says("kab. serang")
    assert "Kabupaten Serang, Banten" in replies[-1].text
    assert "WIB" in replies[-1].text
    replies = await person.says("benar")
    assert replies[-1].share_phone is not None
    replies = await person.says("0812 3456 7890")
    assert replies[0].remove_keyboard
    replies = await person.says("pelatihan kerja dan konseling")
    replies = await person.presses("time:morning")
    assert "Bapas" in replies[-1].text  # the discreet-mode question
    replies = await person.says("iya")
    summary = replies[-1].text
    assert "+62 812-3456-7890" in summary
    assert "Pelatihan kerja" in summary and "Konseling" in summary
    replies = await person.says("benar")
    assert "Pendaftaran Anda selesai" in replies[-1].text
    [p] = await participants(db)
    assert (p.status, p.name, p.category, p.city, p.province, p.timezone, p.phone) == (
        "active", "Budi Santoso", "former_inmate", "Kabupaten Serang", "Banten", "Asia/Jakarta",
        "+6281234567890",
    )  # fmt: skip
    assert p.interests == ["job_training", "counselling"]
    assert p.contact_time == "morning"
    assert p.consent_at is not None and p.registered_at is not None


async def test_ambiguous_city_asks_which_one_and_ambon_is_wit(person: Person, db: Database) -> None:
    await person.says("halo")
    await person.says("setuju")
    await person.presses("name:yes")
    await person.presses("cat:youth")
    replies = await person.says("Serang")
    assert set(titles(replies[-1])) == {"Kota Serang", "Kab. Serang"}
    replies = await person.presses("city:kota-serang")
    assert "Kota Serang" in replies[-1].text
    await person.presses("zone:no")
    replies = await person.presses("zone:city")
    replies = await person.says("kota ambon")
    assert "Maluku" in replies[-1].text and "WIT" in replies[-1].text
    await person.says("ya")
    [p] = await participants(db)
    assert p.timezone == "Asia/Jayapura"


async def test_yes_or_no_is_not_taken_as_a_name(
    inbox: Inbox, channel: CollectingChannel, db: Database
) -> None:
    siti = Person(inbox, channel, address="2002")  # no profile name, as in the terminal
    await siti.says("halo")
    replies = await siti.says("setuju")
    assert replies[-1].text == "Siapa nama Anda?"
    for answer in ("ya", "Oke", "gak"):
        replies = await siti.says(answer)
        assert "bukan nama" in replies[0].text
    replies = await siti.says("siti aminah")
    assert replies[0].text == "Senang berkenalan, Siti Aminah! 😊"
    assert [p.name for p in await participants(db)] == ["Siti Aminah"]


async def test_without_a_share_button_the_phone_question_asks_to_type_it(
    inbox: Inbox, channel: CollectingChannel
) -> None:
    """In the terminal (as on WhatsApp) there is no "share my number" button to press."""
    budi = Person(inbox, channel, address="2003", profile_name="Budi", contact_button=False)
    for answer in ("halo", "setuju", "ya", "remaja", "kota ambon"):
        await budi.says(answer)
    [question] = await budi.says("ya")
    assert question.share_phone is None and titles(question) == ["Lewati"]
    assert "Ketik nomornya" in question.text and "tombol di bawah" not in question.text
    replies = await budi.says("0812 3456 7890")
    assert "tersimpan" in replies[0].text


async def test_sticker_photo_voice_and_long_text_are_answered_kindly(person: Person) -> None:
    await person.says("halo")
    await person.says("setuju")
    await person.presses("name:yes")
    for kind in (Kind.STICKER, Kind.PHOTO, Kind.VOICE, Kind.LOCATION):
        replies = await person.sends(kind)
        assert len(replies) == 2, kind
        assert "Mana yang paling menggambarkan Anda?" in replies[-1].text  # the question again
    replies = await person.says("x" * 4000)
    assert "terlalu panjang" in replies[0].text
    replies = await person.says("   ")
    assert "kosong" in replies[0].text
    replies = await person.says("/entahlah")
    assert "/entahlah" in replies[0].text and "/bantuan" in replies[0].text


async def test_person_typed_html_is_escaped(person: Person, db: Database) -> None:
    await person.says("halo")
    await person.says("setuju")
    await person.presses("name:other")
    replies = await person.says("Budi & Sons")
    assert "Budi &amp; Sons" in replies[0].text
    # Typed at the next question (the category): asked again, nothing echoed raw.
    replies = await person.says("<b>Budi</b>")
    assert [r.text for r in replies] == [
        "Silakan pilih salah satu tombol.",
        "Mana yang paling menggambarkan Anda?",
    ]


async def test_redelivered_message_is_handled_once(person: Person, db: Database) -> None:
    incoming = person._make(Kind.TEXT, text="halo")
    first = await person.redelivers(incoming)
    again = await person.redelivers(incoming)
    assert first and again == []
    async with db.transaction() as tx:
        assert await tx.scalar(select(func.count()).select_from(Address)) == 1


async def test_start_from_registered_participant_opens_menu(person: Person, db: Database) -> None:
    await sign_up(person)
    replies = await person.says("/start")
    assert "Halo, Budi Santoso" in replies[-1].text
    assert len(await participants(db)) == 1


async def test_start_code_is_kept(person: Person, db: Database) -> None:
    await person.says("/start BAPAS-AMB-17")
    await person.says("setuju")
    [p] = await participants(db)
    assert p.start_code == "BAPAS-AMB-17"


async def test_cancel_mid_sign_up_deletes_what_was_typed(person: Person, db: Database) -> None:
    await person.says("halo")
    await person.says("setuju")
    await person.presses("name:yes")
    replies = await person.says("/batal")
    assert "sudah kami hapus" in replies[-1].text
    assert await participants(db) == []


async def test_edit_from_summary_returns_to_summary(person: Person, db: Database) -> None:
    await sign_up(person)
    await person.says("/profil")
    await person.presses("profile:edit")
    replies = await person.presses("edit:name")
    assert "Siapa nama Anda?" in replies[-1].text
    replies = await person.says("budi s")
    assert "Budi S" in replies[-1].text and "Data Anda" in replies[-1].text


@pytest.mark.parametrize("choice", ["time:morning", "time:midday", "time:afternoon"])
async def test_every_contact_time_can_be_saved(person: Person, db: Database, choice: str) -> None:
    """Regression: "afternoon" did not fit the column on PostgreSQL, so "Sore" failed there."""
    for text in ("halo", "setuju", "ya", "remaja", "kota ambon", "ya", "lewati", "konseling"):
        await person.says(text)
    replies = await person.presses(choice)
    assert "Bapas" in replies[-1].text  # on to the next question, no apology
    [p] = await participants(db)
    assert p.contact_time == choice.removeprefix("time:")


async def at_interests(person: Person) -> list[Reply]:
    """Sign-up up to the interests question; returns its replies."""
    for text in ("halo", "setuju", "ya", "remaja", "kota ambon", "ya"):
        await person.says(text)
    return await person.says("lewati")


async def test_typed_interests_add_to_the_ticked_ones(person: Person, db: Database) -> None:
    """Regression (issue 8): typing after ticking replaced what was ticked."""
    await at_interests(person)
    await person.presses("int:legal", message_ref="5")
    replies = await person.presses("int:business", message_ref="5")
    assert "Yang dipilih: Bantuan hukum, Usaha/UMKM." in replies[-1].text
    replies = await person.says("sama konseling")
    assert replies[0].text == "Sudah dicatat: Bantuan hukum, Usaha/UMKM, Konseling."
    assert replies[-1].buttons[0].payload == "time:morning"  # on to the next question
    [p] = await participants(db)
    assert p.interests == ["legal", "business", "counselling"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("paket", ["schooling"]),
        ("Paket C", ["schooling"]),
        ("mau ikut kejar paket", ["schooling"]),
        ("sekolah lagi biar dapat ijazah", ["schooling"]),
        ("cari kerja", ["job_training"]),
        ("butuh modal usaha", ["business"]),
        ("jualan", ["business"]),
        ("konsultasi hukum", ["legal"]),
        ("pengacara", ["legal"]),
        ("curhat", ["counselling"]),
        ("konsul sama kursus", ["counselling", "job_training"]),
        ("1, 3", ["job_training", "legal"]),
        ("nomor 2 dan 5", ["counselling", "schooling"]),
        ("no 4", ["business"]),
        ("ikut paket 3 bulan", ["schooling"]),  # a number among words is not a button
    ],
)
async def test_everyday_words_name_each_interest(
    person: Person, db: Database, typed: str, expected: list[str]
) -> None:
    await at_interests(person)
    replies = await person.says(typed)
    assert replies[0].text.startswith("Sudah dicatat:")
    [p] = await participants(db)
    assert p.interests == expected


async def test_typed_numbers_and_words_tick_untick_and_finish(person: Person, db: Database) -> None:
    await at_interests(person)
    replies = await person.says("selesai")  # nothing chosen yet
    assert "paling sedikit satu" in replies[0].text
    await person.says("2")  # a number alone is its button: ticks Konseling, stays
    replies = await person.says("4")
    assert [t for t in titles(replies[-1]) if t.startswith("✅")] == [
        "✅ Konseling",
        "✅ Usaha/UMKM",
    ]
    replies = await person.says("tidak usah konseling")
    assert "Yang dipilih: Usaha/UMKM." in replies[-1].text
    replies = await person.says("halo apa kabar")  # names nothing: asked again, nothing lost
    assert "pelatihan, konseling" in replies[0].text
    replies = await person.says("7")  # the Done button's number
    assert replies[-1].buttons[0].payload == "time:morning"  # on to the next question
    [p] = await participants(db)
    assert p.interests == ["business"]


async def test_editing_interests_in_the_profile_keeps_what_was_chosen(
    person: Person, db: Database
) -> None:
    await sign_up(person)  # pelatihan kerja dan konseling
    await person.says("/profil")
    await person.presses("profile:edit")
    replies = await person.presses("edit:interests")
    assert "Yang dipilih: Pelatihan kerja, Konseling." in replies[-1].text
    replies = await person.says("paket")
    assert replies[0].text == "Sudah dicatat: Pelatihan kerja, Konseling, Kejar Paket A/B/C."
    assert "Data Anda" in replies[-1].text
    [p] = await participants(db)
    assert p.interests == ["job_training", "counselling", "schooling"]


async def test_an_old_button_at_the_name_question_is_not_taken_as_another_name(
    person: Person, db: Database
) -> None:
    """Regression (issue 8): an old "Tidak setuju" pressed here became "Nama lain"."""
    await person.says("halo")
    await person.says("setuju")
    replies = await person.presses("consent:no")
    assert "Budi Santoso" in replies[-1].text  # still offered, nothing decided
    replies = await person.says("ya")
    assert replies[0].text == "Senang berkenalan, Budi Santoso! 😊"


@pytest.mark.parametrize(
    "typed", ["bukan, nama saya Andi Wijaya", "panggil saya Andi Wijaya", "Andi Wijaya"]
)
async def test_another_name_typed_at_the_offered_name_is_taken(
    person: Person, db: Database, typed: str
) -> None:
    await person.says("halo")
    await person.says("setuju")
    replies = await person.says(typed)
    assert replies[0].text == "Senang berkenalan, Andi Wijaya! 😊"
    assert [p.name for p in await participants(db)] == ["Andi Wijaya"]


async def test_nama_saya_before_a_typed_name_is_not_part_of_it(
    inbox: Inbox, channel: CollectingChannel, db: Database
) -> None:
    siti = Person(inbox, channel, address="2004")  # no profile name: asked to type it
    await siti.says("halo")
    await siti.says("setuju")
    replies = await siti.says("nama saya siti aminah")
    assert replies[0].text == "Senang berkenalan, Siti Aminah! 😊"


@pytest.mark.parametrize(
    "typed", ["belum paham maksudnya", "tidak mengerti", "gak tau ini apa", "tidak, kenapa?"]
)
async def test_a_confused_answer_to_consent_is_not_a_refusal(
    person: Person, db: Database, typed: str
) -> None:
    """Someone who does not understand yet has not said no: "belum", "tidak" or "gak" in their
    question ended the sign-up as if they had refused."""
    await person.says("halo")
    replies = await person.says(typed)
    assert all("tidak menyimpan" not in r.text for r in replies)
    assert "Apakah Anda setuju?" in replies[-1].text
    replies = await person.says("setuju")
    assert "Budi Santoso" in replies[-1].text  # on to the name


async def test_choice_questions_hear_numbers_slang_and_ask_again_kindly(
    person: Person, db: Database
) -> None:
    """Category, time of day and discreet mode are choice steps: typed numbers and everyday
    words count, and an unclear answer gets a kind word and the same question and buttons."""
    for text in ("halo", "setuju", "ya"):
        await person.says(text)
    replies = await person.says("entahlah")
    assert replies[0].text == "Silakan pilih salah satu tombol."
    assert titles(replies[-1])[0] == "Mantan narapidana"  # the category question again
    await person.says("2")  # the second button: a probation client
    await person.says("kota ambon")
    await person.says("ya")
    await person.says("lewati")
    replies = await person.says("konseling")
    assert [b.payload for b in replies[-1].buttons][:1] == ["time:morning"]
    replies = await person.presses("cat:youth")  # an old button of an earlier question
    assert "pertanyaan sebelumnya" in replies[0].text
    assert [b.payload for b in replies[-1].buttons][:1] == ["time:morning"]
    replies = await person.says("malam aja")
    assert "Mode rahasia sedang aktif" in replies[-1].text  # on by default for a Bapas client
    await person.says("biarkan")  # keep it on
    [p] = await participants(db)
    assert (p.category, p.contact_time, p.discreet) == ("bapas_client", "evening", True)


async def test_discreet_mode_is_offered_off_for_young_people_and_turned_on_by_a_thumb(
    person: Person, db: Database
) -> None:
    for text in ("halo", "setuju", "ya", "remaja", "kota ambon", "ya", "lewati", "konseling"):
        await person.says(text)
    replies = await person.says("sore")
    assert [b.payload for b in replies[-1].buttons] == ["discreet:yes", "discreet:no"]
    replies = await person.says("👍")
    assert "Benar" in titles(replies[-1])[0]  # the summary
    [p] = await participants(db)
    assert (p.category, p.contact_time, p.discreet) == ("youth", "afternoon", True)
