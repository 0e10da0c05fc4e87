"""What participants type freely is heard: cries for help, opt-outs, new numbers, messages for staff.

Regression tests for issue 8: within a day of a reminder, "tolong saya butuh bantuan", "anak saya
masuk rumah sakit", "stop kirim pesan" and "nomor saya ganti 0813 2222 3333" were all answered
"Terima kasih, sudah kami catat. Sampai jumpa Kamis ... 👍".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from handlers.types import Reply
from storage.db import Database
from storage.models import Flag, Message, Organisation, Participant
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.reminders import (
    Clock,
    dispatcher,
    enrol_person,
    make_session,
    outbox,
    participant_id,
    register,
)

SEE_YOU = "Sampai jumpa"


async def reminded(db: Database, person: Person, channel: CollectingChannel) -> int:
    """`person` signed up, enrolled in a session two days ahead, and just got its confirmation."""
    await register(person, "kota pekalongan")
    pid = await participant_id(db, person.address)
    now = datetime.now(UTC)
    sid = await make_session(
        db, starts_local=(now + timedelta(days=2)).astimezone(ZoneInfo("Asia/Jakarta"))
    )
    await enrol_person(db, pid, sid, now)
    [confirmation] = [r for r in await outbox(db) if r.kind == "confirmation"]
    assert await dispatcher(db, channel, Clock(confirmation.due_at)).run_once() == 1
    return pid


async def flags(db: Database) -> list[tuple[str, bool, str | None]]:
    async with db.transaction() as tx:
        rows = await tx.execute(
            select(Flag.reason, Flag.urgent, Message.body)
            .outerjoin(Message, Message.id == Flag.message_id)
            .order_by(Flag.id)
        )
        return [(reason, urgent, body) for reason, urgent, body in rows.tuples()]


async def status(db: Database, pid: int) -> str:
    async with db.transaction() as tx:
        participant = await tx.get(Participant, pid)
        assert participant is not None
        return participant.status


def text_of(replies: list[Reply]) -> str:
    assert replies, "the bot did not answer"
    return "\n".join(reply.text for reply in replies)


@pytest.mark.parametrize(
    "message",
    [
        "tolong saya butuh bantuan",
        "anak saya masuk rumah sakit",
        "pak saya diusir dari kontrakan, gak punya uang",
        "bu, hp saya hilang kemarin, ini pakai hp adik",
        "kenapa jadwalnya selalu pagi?",
    ],
)
async def test_a_message_after_a_reminder_is_passed_on_not_noted(
    db: Database, person: Person, channel: CollectingChannel, message: str
) -> None:
    await reminded(db, person, channel)
    said = text_of(await person.says(message))
    assert SEE_YOU not in said and "catat" not in said
    assert "sudah saya teruskan ke pendamping Anda" in said
    [(_reason, urgent, body)] = await flags(db)
    assert body == message and not urgent


async def test_a_plan_after_a_reminder_is_still_taken_as_a_plan(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    await reminded(db, person, channel)
    said = text_of(await person.says("besok habis subuh saya berangkat naik ojek"))
    assert said.startswith("Terima kasih, sudah kami catat. Sampai jumpa")
    assert await flags(db) == []


async def test_a_plan_with_a_worry_is_noted_and_passed_on(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    await reminded(db, person, channel)
    said = text_of(await person.says("jam 7 saya berangkat tapi anak saya sakit"))
    assert SEE_YOU in said and "juga sudah saya teruskan" in said
    assert [reason for reason, _u, _b in await flags(db)] == ["hardship"]


async def test_yes_word_inside_a_plea_is_not_taken_as_coming(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    pid = await reminded(db, person, channel)
    said = text_of(await person.says("iya pak tolong saya butuh bantuan"))
    assert SEE_YOU not in said
    async with db.transaction() as tx:
        answers = (await tx.execute(select(Message.body))).scalars()
        assert "iya pak tolong saya butuh bantuan" in list(answers)
    assert [r for r, _u, _b in await flags(db)] == ["hardship"]
    assert await status(db, pid) == "active"


@pytest.mark.parametrize(
    ("message", "risk"),
    [
        ("aku pengen mati aja", "self_harm"),
        ("udh gk kuat lagi hidup kyk gini", "self_harm"),
        ("saya mau bunuh diri", "self_harm"),
        ("sy dipukulin suami td malam", "violence"),
        ("kak aku ketangkep polisi", "arrest"),
        ("maaf saya make lagi kemarin", "relapse"),
    ],
)
async def test_danger_gets_support_and_an_urgent_flag(
    db: Database, person: Person, channel: CollectingChannel, message: str, risk: str
) -> None:
    await reminded(db, person, channel)
    said = text_of(await person.says(message))
    assert SEE_YOU not in said
    assert "pendamping" in said
    if risk in ("self_harm", "violence"):
        assert "112" in said
    if risk == "self_harm":
        assert "119 ext. 8 (SEJIWA)" in said
    assert await flags(db) == [(risk, True, message)]


async def test_danger_mid_sign_up_is_not_taken_as_an_answer(db: Database, person: Person) -> None:
    await person.says("halo")
    await person.says("setuju")
    said = text_of(await person.says("saya pengen mati"))
    assert "Senang berkenalan" not in said and "SEJIWA" in said
    async with db.transaction() as tx:
        [participant] = (await tx.execute(select(Participant))).scalars()
        assert participant.name is None
    assert [r for r, urgent, _b in await flags(db) if urgent] == ["self_harm"]


async def test_danger_before_consent_gets_help_and_stores_nothing(
    db: Database, person: Person
) -> None:
    await person.says("halo")
    said = text_of(await person.says("tolong, saya mau bunuh diri"))
    assert "SEJIWA" in said and "112" in said
    assert await flags(db) == []
    async with db.transaction() as tx:
        bodies = await tx.execute(select(Message.body).where(Message.direction == "in"))
        assert list(bodies.scalars()) == [None, None]  # both messages counted, no text kept


async def test_the_organisations_contact_is_given_when_someone_is_in_danger(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    await reminded(db, person, channel)
    async with db.transaction() as tx:
        org = (await tx.execute(select(Organisation))).scalar_one()
        org.contact = "0812-7777-8888 (WA)"
    said = text_of(await person.says("saya dipukuli"))
    assert "Rutan Kelas IIA Pekalongan: 0812-7777-8888 (WA)" in said
    help_text = text_of(await person.says("/bantuan"))
    assert "0812-7777-8888 (WA)" in help_text


@pytest.mark.parametrize(
    "word", ["STOP", "stop", "berhenti", "jangan kirim lagi", "unsubscribe", "keluar", "udah cukup"]
)
async def test_opt_out_words_stop_messages_after_confirmation(
    db: Database, person: Person, channel: CollectingChannel, word: str
) -> None:
    pid = await reminded(db, person, channel)
    asked = await person.says(word)
    assert [b.payload for b in asked[-1].buttons] == ["optout:yes", "optout:no"]
    assert await status(db, pid) == "active"
    done = text_of(await person.says("ya"))
    assert "/mulai" in done
    assert await status(db, pid) == "stopped"
    # The next reminder is not sent to someone who stopped.
    reminders = [r for r in await outbox(db) if r.kind == "reminder"]
    assert reminders
    assert await dispatcher(db, channel, Clock(reminders[0].due_at)).run_once() == 0


async def test_stop_in_a_sentence_is_an_opt_out_too(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    pid = await reminded(db, person, channel)
    asked = await person.says("stop kirim pesan ke nomor ini ya")
    assert [b.payload for b in asked[-1].buttons] == ["optout:yes", "optout:no"]
    await person.presses("optout:yes")
    assert await status(db, pid) == "stopped"


async def test_keluar_in_a_story_is_not_an_opt_out(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    await reminded(db, person, channel)
    said = text_of(await person.says("saya baru keluar dari lapas bulan lalu, cari kerja"))
    assert "sudah saya teruskan" in said


async def test_opt_out_mid_question_and_changing_ones_mind(db: Database, person: Person) -> None:
    await register(person, "kota pekalongan")
    pid = await participant_id(db, person.address)
    await person.says("/profil")
    asked = await person.says("berhenti")
    assert [b.payload for b in asked[-1].buttons] == ["optout:yes", "optout:no"]
    said = text_of(await person.says("tidak"))
    assert "tidak ada yang berubah" in said
    assert await status(db, pid) == "active"


async def test_after_stopping_start_and_mulai_offer_to_resume(db: Database, person: Person) -> None:
    await register(person, "kota pekalongan")
    pid = await participant_id(db, person.address)
    await person.says("/berhenti")
    for word in ("/start", "mulai"):
        offer = await person.says(word)
        assert "sedang berhenti" in offer[-1].text
        assert [b.payload for b in offer[-1].buttons] == ["resume:yes", "resume:no"]
        assert await status(db, pid) == "stopped"
        if word == "/start":
            assert "/mulai" in text_of(await person.says("tidak"))
    said = text_of(await person.presses("resume:yes"))
    assert "Selamat datang kembali" in said
    assert await status(db, pid) == "active"


async def test_a_stopped_person_always_sees_that_messages_are_stopped(
    db: Database, person: Person
) -> None:
    await register(person, "kota pekalongan")
    await person.says("/berhenti")
    for message in ("halo", "/bantuan", "saya mau tanya soal pelatihan"):
        assert "/mulai" in text_of(await person.says(message)), message


async def test_a_new_number_in_a_message_is_offered_saved_and_passed_on(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    pid = await reminded(db, person, channel)
    asked = await person.says("nomor saya ganti 0813 2222 3333")
    assert "+62 813-2222-3333" in asked[-1].text
    assert SEE_YOU not in text_of(asked)
    await person.says("ya")
    async with db.transaction() as tx:
        participant = await tx.get(Participant, pid)
        assert participant is not None and participant.phone == "+6281322223333"
    assert [r for r, _u, _b in await flags(db)] == ["phone_change"]


@pytest.mark.parametrize("typed", ["english", "inggris", "Bahasa Inggris", "2"])
async def test_language_can_be_typed_after_bahasa(db: Database, person: Person, typed: str) -> None:
    await register(person, "kota pekalongan")
    await person.says("/bahasa")
    said = await person.says(typed)
    assert said[0].text == "All right, I will use English from now on."
    assert "What can I do for you?" in said[-1].text


async def test_bahasa_mid_sign_up_comes_back_to_the_question(person: Person) -> None:
    await person.says("halo")
    await person.says("setuju")
    await person.says("/bahasa")
    said = await person.says("english")
    assert "<b>Budi Santoso</b>" in said[-1].text and "call" in said[-1].text
    assert [b.payload for b in said[-1].buttons] == ["name:yes", "name:other"]


async def test_an_old_button_from_another_question_is_not_misread(
    db: Database, person: Person
) -> None:
    await person.says("halo")
    await person.presses("consent:yes", message_ref="10")
    said = await person.presses("consent:no", message_ref="10")  # the old consent message
    assert said[0].text.startswith("Tombol itu dari pertanyaan sebelumnya")
    assert [b.payload for b in said[-1].buttons] == ["name:yes", "name:other"]
    await person.presses("name:yes", message_ref="11")
    async with db.transaction() as tx:
        [participant] = (await tx.execute(select(Participant))).scalars()
        assert participant.name == "Budi Santoso"


async def test_a_button_pressed_twice_is_answered_once(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    await reminded(db, person, channel)
    [confirmation] = [r for r in await outbox(db) if r.kind == "confirmation"]
    payload = f"rsvp:s{confirmation.session_id}:yes"
    first = await person.presses(payload, message_ref="77")
    assert SEE_YOU in text_of(first)
    assert await person.presses(payload, message_ref="77") == []


async def test_toggles_can_be_pressed_twice(person: Person) -> None:
    for text in ("halo", "setuju", "ya", "remaja", "kota pekalongan", "ya", "lewati"):
        await person.says(text)
    on = await person.presses("int:job_training", message_ref="30")
    off = await person.presses("int:job_training", message_ref="30")
    assert on[0].buttons[0].title.startswith("✅")
    assert not off[0].buttons[0].title.startswith("✅")


async def test_a_voice_note_is_made_known_to_staff(db: Database, person: Person) -> None:
    from handlers.types import Kind

    await register(person, "kota pekalongan")
    said = text_of(await person.sends(Kind.VOICE))
    assert "pesan suara" in said and "Pendamping Anda sudah saya beri tahu" in said
    assert [r for r, _u, _b in await flags(db)] == ["message"]


async def test_a_stopped_person_can_still_answer_a_reminder_they_have(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    await reminded(db, person, channel)
    [confirmation] = [r for r in await outbox(db) if r.kind == "confirmation"]
    await person.says("/berhenti")
    said = text_of(await person.presses(f"rsvp:s{confirmation.session_id}:yes"))
    assert SEE_YOU in said and "/mulai" in said


async def test_hadir_typed_after_a_change_notice_answers_it(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    from handlers.programs.changes import move_session
    from handlers.reminders.rules import ReminderPolicy
    from storage.models import Enrolment, ProgramSession

    await register(person, "kota pekalongan")
    now = datetime.now(UTC)
    sid = await make_session(
        db, starts_local=(now + timedelta(days=3)).astimezone(ZoneInfo("Asia/Jakarta"))
    )
    await enrol_person(db, await participant_id(db, person.address), sid, now, confirm=False)
    async with db.transaction() as tx:
        event = await tx.get(ProgramSession, sid)
        assert event is not None
        new_start = event.starts_at + timedelta(days=1)
        await move_session(
            tx, event, new_start, new_start + timedelta(hours=2), now, ReminderPolicy()
        )
    [notice] = [r for r in await outbox(db) if r.kind == "moved"]  # after quiet hours, if need be
    assert await dispatcher(db, channel, Clock(notice.due_at)).run_once() == 1
    said = text_of(await person.says("siap hadir"))  # the change notice is all they have had
    assert SEE_YOU in said
    async with db.transaction() as tx:
        assert (await tx.execute(select(Enrolment.rsvp))).scalar_one() == "yes"


async def test_stop_during_sign_up_offers_to_give_it_up(db: Database, person: Person) -> None:
    await person.says("halo")
    await person.says("setuju")
    asked = await person.says("stop")
    assert "berhenti mendaftar" in asked[-1].text
    said = text_of(await person.presses("optout:yes"))
    assert "/start" in said
    async with db.transaction() as tx:
        assert list((await tx.execute(select(Participant))).scalars()) == []
