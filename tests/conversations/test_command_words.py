"""Commands typed as plain words (WhatsApp has no command menu), on Telegram and WhatsApp alike;
reactions and deleted messages are logged and never answered."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from handlers.flow import FlowSettings
from handlers.types import Kind
from storage.db import Database
from storage.models import Address, Conversation, Message, Participant
from tests.fakes.channel import Person
from tests.helpers.reminders import NOW, enrol_person, local, make_session, participant_id
from tests.helpers.signup import sign_up
from tests.helpers.two_channels import CHANNELS, TwoChannels, two_channels


@pytest.fixture
async def bot(db: Database, settings: FlowSettings) -> AsyncIterator[TwoChannels]:
    async with two_channels(db, settings) as both:
        yield both


@pytest.fixture(params=CHANNELS)
def someone(request: pytest.FixtureRequest, bot: TwoChannels) -> Person:
    return bot.person(request.param)


async def people(db: Database) -> list[Participant]:
    async with db.transaction() as tx:
        return list((await tx.execute(select(Participant))).scalars())


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("JADWAL", "Belum ada sesi atau janji temu"),
        ("jadwal!", "Belum ada sesi atau janji temu"),
        ("schedule", "Belum ada sesi atau janji temu"),
        ("  Bantuan ", "Ketik salah satu kata ini"),
        ("help?", "Ketik salah satu kata ini"),
        ("PROFIL", "Data Anda"),
        ("profile", "Data Anda"),
        ("Bahasa", "Pilih bahasa"),
        ("language", "Pilih bahasa"),
        ("HAPUS", "Yakin ingin menghapus"),
        ("delete", "Yakin ingin menghapus"),
        ("BERHENTI", "berhenti mengirim"),
        ("stop", "berhenti mengirim"),
        ("Menu.", "Ada yang bisa saya bantu?"),
        ("BATAL", "Tidak ada yang perlu dibatalkan"),
        ("cancel", "Tidak ada yang perlu dibatalkan"),
    ],
)
async def test_every_command_word_works_outside_a_question(
    someone: Person, typed: str, expected: str
) -> None:
    await sign_up(someone)
    replies = await someone.says(typed)
    assert any(expected in reply.text for reply in replies), [r.text for r in replies]


async def test_the_menu_word_and_help_reach_a_brand_new_person(someone: Person) -> None:
    replies = await someone.says("MENU")
    assert "Apakah Anda setuju?" in replies[-1].text  # the consent question: sign-up begins
    replies = await someone.says("bantuan")
    assert "<b>JADWAL</b>" in replies[0].text and "<b>HUBUNGKAN</b>" in replies[0].text
    assert "Apakah Anda setuju?" in replies[-1].text  # and the question again


async def test_help_lists_the_words_for_people_who_cannot_see_slash_commands(
    someone: Person,
) -> None:
    await sign_up(someone)
    [help_text, *_rest] = await someone.says("BANTUAN")
    for word in ("MENU", "JADWAL", "PROFIL", "BAHASA", "BERHENTI", "MULAI", "HAPUS", "BATAL"):
        assert f"<b>{word}</b>" in help_text.text


async def test_help_offers_linking_only_where_two_channels_run(
    someone: Person, person: Person
) -> None:
    assert "<b>HUBUNGKAN</b>" in (await someone.says("BANTUAN"))[0].text
    alone = (await person.says("BANTUAN"))[0].text  # the one-channel deployment of conftest
    assert "<b>JADWAL</b>" in alone and "HUBUNGKAN" not in alone


async def test_menu_typed_at_the_name_question_repeats_it_and_is_not_taken_as_a_name(
    bot: TwoChannels, db: Database
) -> None:
    """Nobody's name is "Menu": a person asked their name who types it wants the menu. Not signed
    up yet, there is no menu: the question comes again."""
    for channel in CHANNELS:
        person = bot.person(channel, profile_name=None)
        await person.says("halo")
        replies = await person.says("setuju")
        assert "Siapa nama Anda?" in replies[-1].text
        replies = await person.says("Menu")
        assert "belum selesai" in replies[0].text and "Siapa nama Anda?" in replies[-1].text
        replies = await person.says("Sari Dewi")
        assert "Sari Dewi" in replies[0].text
    assert sorted(p.name or "" for p in await people(db)) == ["Sari Dewi", "Sari Dewi"]


async def test_batal_typed_mid_sign_up_asks_before_deleting_anything(
    someone: Person, db: Database
) -> None:
    await someone.says("halo")
    await someone.says("setuju")
    await someone.says("ya")  # the name
    replies = await someone.says("batal")
    assert "berhenti mendaftar" in replies[-1].text
    assert [b.payload for b in replies[-1].buttons] == ["optout:yes", "optout:no"]
    assert len(await people(db)) == 1
    replies = await someone.says("tidak")
    assert len(await people(db)) == 1 and (await people(db))[0].name == "Budi Santoso"


async def test_words_a_question_understands_are_its_answers(someone: Person, db: Database) -> None:
    await sign_up(someone)
    await someone.says("HAPUS")
    replies = await someone.says("BATAL")  # the erase question's own "Cancel"
    assert "tidak ada yang dihapus" in replies[-1].text.lower()
    await someone.says("language")
    await someone.presses("lang:en")
    assert (await people(db))[0].language == "en"
    await someone.says("LANGUAGE")
    replies = await someone.says("Bahasa")  # at "choose your language": Bahasa Indonesia
    assert replies[0].language == "id" and (await people(db))[0].language == "id"
    await someone.says("HAPUS")
    replies = await someone.says("hapus")  # "Ya, hapus"
    assert "sudah dihapus" in replies[-1].text
    assert (await people(db))[0].status == "erased"


async def test_mulai_typed_by_a_stopped_person_asks_first(someone: Person, db: Database) -> None:
    await sign_up(someone)
    await someone.says("BERHENTI")
    await someone.says("ya")
    assert (await people(db))[0].status == "stopped"
    replies = await someone.says("MULAI")
    assert [b.payload for b in replies[-1].buttons] == ["resume:yes", "resume:no"]
    await someone.says("ya")
    assert (await people(db))[0].status == "active"


async def test_a_reason_keeps_its_words_but_batal_help_and_menu_still_work(
    someone: Person, db: Database
) -> None:
    await sign_up(someone)
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 12, 22, 9, 0))
    pid = await participant_id(db, someone.address)
    await enrol_person(db, pid, sid, NOW)
    replies = await someone.presses(f"rsvp:s{sid}:later")
    assert "sulit datang" in replies[-1].text
    replies = await someone.says("bantuan")
    assert "Ketik salah satu kata ini" in replies[0].text and "sulit datang" in replies[-1].text
    replies = await someone.says("batal")
    assert replies[0].text == "Dibatalkan."
    await someone.presses(f"rsvp:s{sid}:later")
    replies = await someone.says("Jadwal")  # a reason, however short: heard as given
    assert "Hari apa" in replies[-1].text


async def test_reactions_and_deletions_get_no_reply_and_change_nothing(
    someone: Person, db: Database
) -> None:
    await someone.says("halo")
    await someone.says("setuju")  # now at the name question
    assert await someone.sends(Kind.REACTION, text="👍") == []
    assert await someone.sends(Kind.DELETED) == []
    async with db.transaction() as tx:
        step = (await tx.execute(select(Conversation.step))).scalar_one()
        kinds = list(
            (await tx.execute(select(Message.kind).where(Message.direction == "in"))).scalars()
        )
    assert step == "signup.name"
    assert kinds.count("reaction") == 1 and kinds.count("deleted") == 1
    replies = await someone.says("ya")  # the name question still waits, unharmed
    assert "Senang berkenalan" in replies[0].text


async def test_a_strangers_reaction_leaves_no_address_behind(someone: Person, db: Database) -> None:
    """Nobody consented: not even the chat address is kept (the message log keeps an ownerless
    row, so a redelivery is still recognised)."""
    assert await someone.sends(Kind.REACTION, text="👍") == []
    async with db.transaction() as tx:
        assert list((await tx.execute(select(Address))).scalars()) == []
        logged = list((await tx.execute(select(Message.address_id, Message.body))).all())
    assert logged == [(None, None)]


async def test_a_thumbs_up_on_a_reminder_is_not_an_answer(someone: Person, db: Database) -> None:
    await sign_up(someone)
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 12, 22, 9, 0))
    pid = await participant_id(db, someone.address)
    await enrol_person(db, pid, sid, NOW)
    assert await someone.sends(Kind.REACTION, text="👍") == []
    async with db.transaction() as tx:
        from storage.models import Enrolment

        rsvp = (await tx.execute(select(Enrolment.rsvp))).scalar_one()
    assert rsvp is None


async def test_every_reply_carries_the_readers_language(someone: Person) -> None:
    replies = await someone.says("halo")
    assert {r.language for r in replies} == {"id"}
    replies = await someone.presses("lang:en")
    assert {r.language for r in replies} == {"en"}
    replies = await someone.says("I agree")
    assert replies and {r.language for r in replies} == {"en"}
