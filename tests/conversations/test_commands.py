"""Participant commands: /berhenti, /mulai, /hapus, /bahasa, /bantuan, /profil."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import Database
from storage.models import Address, Conversation, Flag, Message, Participant
from tests.fakes.channel import Person
from tests.helpers.signup import sign_up


async def only_participant(db: Database) -> Participant:
    async with db.transaction() as tx:
        return (await tx.execute(select(Participant))).scalar_one()


async def test_stop_and_start_again(person: Person, db: Database) -> None:
    await sign_up(person)
    replies = await person.says("/berhenti")
    assert "/mulai" in replies[-1].text
    assert (await only_participant(db)).status == "stopped"
    replies = await person.says("halo?")
    assert "/mulai" in replies[-1].text
    replies = await person.says("/mulai")
    assert "Selamat datang kembali" in replies[0].text
    assert (await only_participant(db)).status == "active"


async def test_erase_needs_confirmation_and_removes_personal_data(
    person: Person, db: Database
) -> None:
    await sign_up(person)
    replies = await person.says("/hapus")
    assert [b.title for b in replies[-1].buttons] == ["Ya, hapus", "Batal"]
    replies = await person.says("gak jadi")
    assert "tidak ada yang dihapus" in replies[-1].text.lower()
    assert (await only_participant(db)).name == "Budi Santoso"

    await person.says("/hapus")
    replies = await person.presses("erase:yes")
    assert "sudah dihapus" in replies[-1].text
    erased = await only_participant(db)
    assert erased.status == "erased"
    assert (erased.name, erased.phone, erased.city) == (None, None, None)
    assert erased.category == "former_inmate" and erased.province == "Banten"  # anonymous counts
    async with db.transaction() as tx:
        assert list((await tx.execute(select(Address))).scalars()) == []
        assert list((await tx.execute(select(Conversation))).scalars()) == []
        inbound = list(
            (await tx.execute(select(Message.body).where(Message.direction == "in"))).scalars()
        )
        assert len(inbound) > 10  # the messages are still counted ...
        assert not any(b and "0812" in b for b in inbound)  # ... without what was typed
        bodies = list((await tx.execute(select(Message.body))).scalars())
        assert len(bodies) > len(inbound)
        assert not any(b and "Budi" in b for b in bodies)


async def test_after_erasure_the_person_is_new_again(person: Person, db: Database) -> None:
    await sign_up(person)
    await person.says("/hapus")
    await person.presses("erase:yes")
    replies = await person.says("halo")
    assert "Apakah Anda setuju?" in replies[-1].text


async def test_language_switch_to_english_and_back(person: Person, db: Database) -> None:
    await sign_up(person)
    replies = await person.says("/bahasa")
    assert [b.payload for b in replies[-1].buttons] == ["lang:id", "lang:en"]
    replies = await person.presses("lang:en")
    assert replies[0].text == "All right, I will use English from now on."
    replies = await person.says("/profil")
    assert "Your data" in replies[-1].text and "Former inmate" in replies[-1].text
    replies = await person.presses("lang:id")
    assert "Bahasa Indonesia" in replies[0].text
    assert (await only_participant(db)).language == "id"


async def test_language_before_consent_is_remembered(person: Person, db: Database) -> None:
    await person.says("halo")
    replies = await person.presses("lang:en")
    assert "Do you agree?" in replies[-1].text
    replies = await person.says("yes")
    assert "May I call you <b>Budi Santoso</b>?" in replies[-1].text
    assert (await only_participant(db)).language == "en"


async def test_help_mid_sign_up_repeats_the_question(person: Person) -> None:
    await person.says("halo")
    await person.says("setuju")
    replies = await person.says("/bantuan")
    assert "<b>HAPUS</b>" in replies[0].text and "<b>BERHENTI</b>" in replies[0].text
    assert "Budi Santoso" in replies[-1].text  # back to the name question


async def test_profile_before_sign_up(person: Person) -> None:
    replies = await person.says("/profil")
    assert "/start" in replies[-1].text


async def test_free_text_after_sign_up_is_passed_on_and_logged(
    person: Person, db: Database
) -> None:
    await sign_up(person)
    replies = await person.says("pak, saya butuh kerja")
    assert "sudah saya teruskan ke pendamping Anda" in replies[0].text
    async with db.transaction() as tx:
        logged = (
            await tx.execute(select(Message.body).join(Flag, Flag.message_id == Message.id))
        ).scalars()
        assert list(logged) == ["pak, saya butuh kerja"]


async def test_every_reply_is_logged_with_how_sending_went(person: Person, db: Database) -> None:
    from bot.inbox import Inbox

    person.channel.unreachable.add("9999")
    blocked = Person(person.inbox, person.channel, address="9999")
    await person.says("halo")
    await blocked.says("halo")
    inbox: Inbox = person.inbox
    await inbox.flush()  # results are written in batches; make this one happen now
    async with db.transaction() as tx:
        rows = (
            await tx.execute(
                select(Message.status, Message.error).where(Message.direction == "out")
            )
        ).all()
    assert sorted(rows) == [("failed", "Forbidden: bot was blocked by the user"), ("sent", None)]


async def test_profile_says_whether_reminders_are_discreet(person: Person) -> None:
    await sign_up(person)  # a former inmate: discreet mode is on, and they keep it
    replies = await person.says("/profil")
    assert "Mode rahasia: <b>Aktif</b>" in replies[-1].text
