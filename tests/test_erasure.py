"""/hapus erases everything a person typed; people who never signed up leave nothing behind.

Every check scans every text, string and JSON column of every table in the database
(tests/helpers/database_scan.py), so a table added later is covered without changing these tests.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.inbox import Inbox
from handlers.programs.appointments import add_appointment
from handlers.reminders.rules import ReminderPolicy
from handlers.types import Attachment, Kind
from storage.db import Database
from storage.models import (
    Address,
    Appointment,
    BroadcastReply,
    Checkin,
    Conversation,
    Enrolment,
    Flag,
    Message,
    Note,
    Occurrence,
    Organisation,
    Participant,
    RelayMessage,
    Staff,
)
from storage.staff.notes import add_note
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.broadcast_rows import add_broadcast
from tests.helpers.database_scan import find_strings
from tests.helpers.reminders import Clock, dispatcher, enrol_person, make_session, outbox
from tests.helpers.staff.chat import place
from tests.helpers.staff.cli import add_org, add_staff, audit_rows

CHAT_ID = "5550123987"  # the Telegram chat id: the address's value
PHONE = "85741002299"  # typed as "0857 4100 2299" at sign-up
NEW_PHONE = "81398765432"  # typed as "+62 813-9876-5432" in /profil
PROFILE_NAME = "Wiryo Kuncoro"  # the name Telegram shows; confirmed at sign-up
START_CODE = "WRK-7731"  # from the invitation link: /start WRK-7731
NEW_NAME = "Bambang Wiratmoko"  # typed in /profil
FREE_TEXT = "pak, saya butuh kerja di bengkel las"
PLAN = "Jam 7 pagi saya berangkat naik angkot dari pasar Rau"
AFTER_REMINDER = "anak saya masuk rumah sakit Dr. Drajat"
SESSION_REASON = "motor saya rusak, bannya bocor"
APPOINTMENT_REASON = "jadwal kerja di pabrik tahu bentrok"
DANGER = "saya dipukuli mandor tadi"  # a danger flag for staff
NUMBER_CHANGE = "nomor saya ganti 0896 1234 5678"  # a new phone number, saved after a yes
NOTE = "Ditemui di kos Jl. Merdeka 12, sedang cari kerja las"  # a caseworker's note about them
CHECKIN_NOTE = "anak saya sudah mau sekolah lagi di SD Negeri 5"  # the last answer of a check-in
VOICE_NOTE = "AwACAgUAAxkBAAIBQ2Zt-voice"  # the Telegram file id of a check-in's voice note

# What the person typed or is known by, as they would be found in a column.
TYPED = [
    PROFILE_NAME, *PROFILE_NAME.split(), NEW_NAME, *NEW_NAME.split(), START_CODE,
    "kab. serang", "Serang", "kota ambon", "Ambon", "pelatihan kerja dan konseling",
    FREE_TEXT, PLAN, AFTER_REMINDER, SESSION_REASON, APPOINTMENT_REASON, DANGER, NUMBER_CHANGE, NOTE,
    CHECKIN_NOTE, VOICE_NOTE,
    "senin, kamis", "mon,thu",  # the days they chose, as typed and as stored
]  # fmt: skip
NUMBERS = [CHAT_ID, PHONE, NEW_PHONE, "89612345678"]


async def count(db: Database, model: type) -> int:
    async with db.transaction() as tx:
        return int(await tx.scalar(select(func.count()).select_from(model)) or 0)


async def sign_up(person: Person) -> None:
    await person.says(f"/start {START_CODE}")
    for text in ("setuju", "ya"):
        await person.says(text)
    await person.presses("cat:former_inmate")
    for text in ("kab. serang", "benar", "0857 4100 2299", "pelatihan kerja dan konseling"):
        await person.says(text)
    await person.presses("time:morning")
    await person.says("ya")
    await person.says("benar")


async def change_profile(person: Person) -> None:
    await person.says("/profil")
    await person.presses("profile:edit")
    await person.presses("edit:name")
    await person.says(NEW_NAME)
    await person.presses("profile:edit")
    await person.presses("edit:city")
    await person.says("kota ambon")
    await person.says("benar")
    await person.presses("profile:edit")
    await person.presses("edit:phone")
    await person.says("+62 813-9876-5432")
    await person.presses("profile:close")


async def check_in(person: Person) -> None:
    """Two check-ins: one ends with a typed note, the other with a voice note."""
    for answers in (("4", "bekerja", "ya", "tidak perlu", "tidak", CHECKIN_NOTE),
                    ("5", "pelatihan", "ya", "tidak perlu", "tidak")):  # fmt: skip
        await person.says("/kabar")
        for text in answers:
            await person.says(text)
    await person.sends(Kind.VOICE, attachment=Attachment(VOICE_NOTE))


async def answer_a_session_reminder(
    db: Database, person: Person, channel: CollectingChannel
) -> int:
    """A confirmation arrives; they type a plan, then something else, then ask for another date."""
    pid = await participant_id(db)
    now = datetime.now(UTC)
    sid = await make_session(
        db, starts_local=(now + timedelta(days=2)).astimezone(ZoneInfo("Asia/Jakarta"))
    )
    await enrol_person(db, pid, sid, now)
    [confirmation] = [r for r in await outbox(db) if r.kind == "confirmation"]
    assert await dispatcher(db, channel, Clock(confirmation.due_at)).run_once() == 1
    assert await person.says(PLAN)
    assert await person.says(AFTER_REMINDER)
    await person.presses(f"rsvp:s{sid}:later")
    await person.says(SESSION_REASON)
    await person.says("senin, kamis")
    return sid


async def answer_an_appointment_reminder(db: Database, person: Person) -> int:
    pid = await participant_id(db)
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        org = Organisation(
            name="Bapas Kelas I Jakarta Pusat", kind="bapas", timezone="Asia/Jakarta"
        )
        tx.add(org)
        await tx.flush()
        appointment = Appointment(
            participant_id=pid, organisation_id=org.id, kind="reporting",
            starts_at=now + timedelta(days=3), duration_minutes=30, timezone="Asia/Jakarta",
            place="Kantor Bapas", active=True,
        )  # fmt: skip
        participant = await tx.get(Participant, pid)
        assert participant is not None
        await add_appointment(tx, appointment, participant, now, ReminderPolicy())
        occurrence_id = (
            await tx.execute(
                select(Occurrence.id).where(Occurrence.appointment_id == appointment.id)
            )
        ).scalar_one()
    await person.presses(f"rsvp:o{occurrence_id}:later")
    await person.says(APPOINTMENT_REASON)
    await person.says("sabtu")
    return occurrence_id


async def a_caseworker_writes_a_note(db: Database) -> None:
    pid = await participant_id(db)
    async with db.transaction() as tx:
        org = Organisation(name="Rutan Kelas IIB", kind="rutan", timezone="Asia/Jakarta")
        tx.add(org)
        await tx.flush()
        staff = Staff(organisation_id=org.id, role="caseworker", name="Sari Wulandari")
        tx.add(staff)
        await tx.flush()
        await add_note(
            tx, participant_id=pid, staff_id=staff.id, organisation_id=org.id, text=NOTE,
            now=datetime.now(UTC),
        )  # fmt: skip


async def participant_id(db: Database) -> int:
    async with db.transaction() as tx:
        return int((await tx.execute(select(Participant.id))).scalar_one())


async def test_after_erasure_nothing_the_person_typed_is_left_anywhere(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person = Person(inbox, channel, address=CHAT_ID, profile_name=PROFILE_NAME)
    await sign_up(person)
    await person.says(FREE_TEXT)
    await person.says(DANGER)
    await person.says(NUMBER_CHANGE)
    await person.says("ya")
    await change_profile(person)
    sid = await answer_a_session_reminder(db, person, channel)
    occurrence_id = await answer_an_appointment_reminder(db, person)
    await a_caseworker_writes_a_note(db)
    await check_in(person)
    await inbox.flush()
    assert await count(db, Flag) == 4  # the free text, the danger, the new number, the worry
    async with db.transaction() as tx:
        signed_up = (await tx.execute(select(Participant))).scalar_one()
    assert (signed_up.status, signed_up.name, signed_up.phone, signed_up.city) == (
        "active", NEW_NAME, "+6281398765432", "Kota Ambon",
    )  # fmt: skip
    assert signed_up.interests and signed_up.start_code == START_CODE

    # Every flow above stored what was typed somewhere: the scan below has something to miss.
    stored = {found.needle for found in await find_strings(db, TYPED, NUMBERS)}
    assert stored == {*TYPED, *NUMBERS}

    await person.says("/hapus")
    replies = await person.presses("erase:yes")
    assert "sudah dihapus" in replies[-1].text
    await inbox.flush()

    left = await find_strings(db, TYPED, NUMBERS)
    assert not left, "\n".join(map(str, left))
    assert await count(db, Flag) == 0
    async with db.transaction() as tx:
        erased = (await tx.execute(select(Participant))).scalar_one()
        enrolment = (
            await tx.execute(select(Enrolment).where(Enrolment.session_id == sid))
        ).scalar_one()
        occurrence = await tx.get(Occurrence, occurrence_id)
        note = (await tx.execute(select(Note))).scalar_one()
        logged = (
            await tx.execute(
                select(Message.direction, Message.body).where(Message.participant_id == erased.id)
            )
        ).all()
    assert erased.status == "erased" and erased.interests == []
    # The message log still counts their messages in and out, without a word of them.
    assert {direction for direction, _body in logged} == {"in", "out"}
    assert {body for _direction, body in logged} == {None}
    # What stays is anonymous and still counts: group, province, time zone, answers, dates.
    assert (erased.category, erased.province, erased.timezone) == (
        "former_inmate", "Maluku", "Asia/Jayapura",
    )  # fmt: skip
    assert erased.registered_at is not None and erased.consent_at is not None
    assert occurrence is not None
    assert (enrolment.rsvp, enrolment.reschedule_reason, enrolment.reschedule_days) == (
        "reschedule", None, None,
    )  # fmt: skip
    assert (occurrence.rsvp, occurrence.reschedule_reason, occurrence.reschedule_days) == (
        "reschedule", None, None,
    )  # fmt: skip
    assert await count(db, Address) == 0 and await count(db, Conversation) == 0
    # The note stays on the staff timeline, dated, as "erased with the participant", wordless.
    assert (note.participant_id, note.text, note.erased) == (erased.id, "", True)
    async with db.transaction() as tx:
        kept = list((await tx.execute(select(Checkin).order_by(Checkin.id))).scalars())
    # Their check-ins still count (mood, activity), without their words or their voice.
    assert [(c.mood, c.activity, c.free_text, c.media_ref) for c in kept] == [
        (4, "work", None, None), (5, "training", None, None),
    ]  # fmt: skip


async def test_erased_person_gets_no_more_reminders_or_appointments(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person = Person(inbox, channel, address=CHAT_ID, profile_name=PROFILE_NAME)
    await sign_up(person)
    await answer_an_appointment_reminder(db, person)
    await person.says("/hapus")
    await person.presses("erase:yes")
    # The reminders and the confirmation that were waiting are all called off (none is lost
    # from the outbox: an empty outbox would say nothing).
    assert {(row.kind, row.status) for row in await outbox(db)} == {
        ("confirmation", "cancelled"),
        ("reminder", "cancelled"),
    }
    async with db.transaction() as tx:
        assert (await tx.execute(select(Appointment.active))).scalar_one() is False


async def test_refusing_consent_leaves_no_trace_of_the_chat(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person = Person(inbox, channel, address=CHAT_ID, profile_name=PROFILE_NAME)
    await person.says(f"/start {START_CODE}")
    before = await find_strings(db, [START_CODE, PROFILE_NAME], [CHAT_ID])
    assert {found.needle for found in before} == {START_CODE, CHAT_ID}  # the scan sees them
    replies = await person.says("tidak setuju")
    assert "tidak menyimpan" in replies[-1].text  # the answer still reaches them
    left = await find_strings(db, [START_CODE, PROFILE_NAME], [CHAT_ID])
    assert not left, "\n".join(map(str, left))
    assert await count(db, Address) == 0 and await count(db, Conversation) == 0
    assert await count(db, Participant) == 0
    async with db.transaction() as tx:
        rows = (await tx.execute(select(Message.address_id, Message.participant_id))).all()
    assert rows and set(rows) == {(None, None)}  # kept only to spot redeliveries, for a while
    replies = await person.says("halo")  # changed their mind: asked afresh
    assert "Apakah Anda setuju?" in replies[-1].text


async def test_refusal_delivered_twice_is_still_handled_once(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person = Person(inbox, channel, address=CHAT_ID)
    await person.says("halo")
    refusal = person._make(Kind.TEXT, text="gak setuju")
    replies = await person.redelivers(refusal)
    assert "tidak menyimpan" in replies[-1].text
    assert await person.redelivers(refusal) == []
    assert await count(db, Address) == 0


async def test_cancelling_a_sign_up_leaves_no_trace(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person = Person(inbox, channel, address=CHAT_ID, profile_name=PROFILE_NAME)
    await person.says(f"/start {START_CODE}")
    for text in ("setuju", "ya"):
        await person.says(text)
    await person.presses("cat:youth")
    for text in ("kab. serang", "benar", "0857 4100 2299"):
        await person.says(text)
    typed, numbers = [START_CODE, PROFILE_NAME, "kab. serang", "Serang"], [CHAT_ID, PHONE]
    stored = {found.needle for found in await find_strings(db, typed, numbers)}
    assert stored == {*typed, *numbers}  # the scan below has something to miss
    replies = await person.says("/batal")
    assert "sudah kami hapus" in replies[-1].text
    left = await find_strings(db, typed, numbers)
    assert not left, "\n".join(map(str, left))
    assert await count(db, Address) == 0 and await count(db, Conversation) == 0
    assert await count(db, Participant) == 0


async def test_erasing_before_signing_up_leaves_no_trace(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person = Person(inbox, channel, address=CHAT_ID, profile_name=PROFILE_NAME)
    await person.says(f"/start {START_CODE}")
    before = await find_strings(db, [START_CODE, PROFILE_NAME], [CHAT_ID])
    assert {found.needle for found in before} == {START_CODE, CHAT_ID}  # the scan sees them
    replies = await person.says("/hapus")
    assert [reply.text for reply in replies] == ["Kami tidak menyimpan data apa pun tentang Anda."]
    left = await find_strings(db, [START_CODE, PROFILE_NAME], [CHAT_ID])
    assert not left, "\n".join(map(str, left))
    assert await count(db, Address) == 0 and await count(db, Conversation) == 0


async def test_erased_persons_seat_goes_to_the_first_one_waiting(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    seated = Person(inbox, channel, address=CHAT_ID, profile_name=PROFILE_NAME)
    waiting = Person(inbox, channel, address="42", profile_name="Siti Aminah")
    await sign_up(seated)
    await sign_up(waiting)
    sid = await make_session(
        db, starts_local=datetime.now(ZoneInfo("Asia/Jakarta")) + timedelta(days=5), capacity=1
    )
    async with db.transaction() as tx:
        ids = list((await tx.execute(select(Participant.id).order_by(Participant.id))).scalars())
    assert await enrol_person(db, ids[0], sid, datetime.now(UTC)) == "enrolled"
    assert await enrol_person(db, ids[1], sid, datetime.now(UTC)) == "waitlisted"
    await seated.says("/hapus")
    await seated.presses("erase:yes")
    async with db.transaction() as tx:
        rows = await tx.execute(select(Enrolment.participant_id, Enrolment.status))
        statuses = {pid: status for pid, status in rows.all()}
    assert statuses == {ids[0]: "withdrawn", ids[1]: "enrolled"}
    told = [r for r in await outbox(db) if r.participant_id == ids[1] and r.status == "pending"]
    assert "seat" in [r.kind for r in told]  # the one waiting hears they have a seat


async def test_cancelling_at_the_consent_question_leaves_no_trace(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person = Person(inbox, channel, address=CHAT_ID, profile_name=PROFILE_NAME)
    await person.says(f"/start {START_CODE}")
    replies = await person.says("/batal")
    assert [reply.text for reply in replies] == ["Dibatalkan."]
    assert await count(db, Address) == 0 and await count(db, Conversation) == 0
    replies = await person.says("halo")
    assert "Apakah Anda setuju?" in replies[-1].text


STAFF_WROTE = "Pak Wiryo, lowongan di bengkel Pak Darto masih buka"
RELAYED_REPLY = "terima kasih bu, saya ke bengkel Pak Darto besok"


async def test_messages_relayed_with_a_caseworker_are_erased_with_the_participant(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person = Person(inbox, channel, address=CHAT_ID, profile_name=PROFILE_NAME)
    await sign_up(person)
    pid = await participant_id(db)
    org = await add_org(db, "Bapas Kelas I Serang")
    caseworker = await add_staff(db, org, "Bu Ratna", chats=((channel.name, "9001"),))
    await place(db, pid, org, caseworker)
    staff_chat = Person(inbox, channel, address="9001")
    await staff_chat.says(f"/pesan {pid} {STAFF_WROTE}")
    await dispatcher(db, channel, Clock(datetime.now(UTC) + timedelta(seconds=1))).run_once()
    assert "Bu Ratna" in (await person.says(RELAYED_REPLY))[0].text
    await inbox.flush()
    texts = [STAFF_WROTE, RELAYED_REPLY]
    stored = {found.needle for found in await find_strings(db, texts, [])}
    assert stored == set(texts)  # the relay table, the message log: something to miss

    await person.says("/hapus")
    await person.presses("erase:yes")
    await inbox.flush()
    left = await find_strings(db, texts, [CHAT_ID])
    assert not left, "\n".join(map(str, left))
    assert await count(db, RelayMessage) == 0
    # Staff still see, in the audit log, that messages went both ways (without their words).
    actions = [row.action for row in await audit_rows(db)]
    assert actions.count("message") == 1 and actions.count("relay") == 1


BROADCAST_ANSWER = "saya mau ikut pelatihan las, kak, tapi motor saya lagi rusak"


async def test_answers_to_a_broadcast_are_erased_with_the_participant(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person = Person(inbox, channel, address=CHAT_ID, profile_name=PROFILE_NAME)
    await sign_up(person)
    pid = await participant_id(db)
    org = await add_org(db, "Dinas Sosial Kota Serang")
    caseworker = await add_staff(db, org, "Bu Ratna", chats=((channel.name, "9001"),))
    await place(db, pid, org, caseworker)
    await add_broadcast(db, org, None, [pid], text="Pelatihan las angkatan baru, Senin.")
    await dispatcher(db, channel, Clock(datetime.now(UTC) + timedelta(seconds=1))).run_once()
    [thanked] = await person.says(BROADCAST_ANSWER)
    assert "Pendamping Anda akan membacanya" in thanked.text
    await inbox.flush()
    assert {found.needle for found in await find_strings(db, [BROADCAST_ANSWER], [])} == {
        BROADCAST_ANSWER
    }

    await person.says("/hapus")
    await person.presses("erase:yes")
    await inbox.flush()
    left = await find_strings(db, [BROADCAST_ANSWER], [CHAT_ID])
    assert not left, "\n".join(map(str, left))
    assert await count(db, BroadcastReply) == 0
