"""Answering reminders, /jadwal, joining open sessions, and the follow-up after a missed session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.inbox import Inbox
from handlers.programs.changes import mark_attendance
from handlers.reminders.rules import ReminderPolicy
from storage.db import Database
from storage.models import Enrolment, Participant, ProgramSession
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.reminders import (
    NOW,
    Clock,
    dispatcher,
    enrol_person,
    local,
    make_session,
    outbox,
    participant_id,
    register,
)


async def enrolment(db: Database, pid: int, sid: int) -> Enrolment:
    async with db.transaction() as tx:
        query = select(Enrolment).where(
            Enrolment.participant_id == pid, Enrolment.session_id == sid
        )
        return (await tx.execute(query)).scalar_one()


async def test_hadir_is_recorded(db: Database, person: Person) -> None:
    await register(person, "kota pekalongan")
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 12, 22, 9, 0))
    pid = await participant_id(db, person.address)
    await enrol_person(db, pid, sid, NOW)
    replies = await person.presses(f"rsvp:s{sid}:yes")
    assert "Sampai jumpa" in replies[0].text
    assert (await enrolment(db, pid, sid)).rsvp == "yes"


async def test_tidak_bisa_stops_the_remaining_reminders(db: Database, person: Person) -> None:
    await register(person, "kota pekalongan")
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 12, 22, 9, 0))
    pid = await participant_id(db, person.address)
    await enrol_person(db, pid, sid, NOW, confirm=False)
    replies = await person.says("pura-pura")  # typing is fine; then the button
    replies = await person.presses(f"rsvp:s{sid}:no")
    assert [b.title for b in replies[0].buttons] == ["Minta jadwal ulang"]
    assert (await enrolment(db, pid, sid)).rsvp == "no"
    assert {r.status for r in await outbox(db) if r.kind == "reminder"} == {"cancelled"}


async def test_reschedule_asks_reason_and_days(db: Database, person: Person) -> None:
    await register(person, "kota pekalongan")
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 12, 22, 9, 0))
    pid = await participant_id(db, person.address)
    await enrol_person(db, pid, sid, NOW)
    replies = await person.presses(f"rsvp:s{sid}:later")
    assert "sulit datang" in replies[-1].text
    await person.sends(
        __import__("handlers.types", fromlist=["Kind"]).Kind.VOICE
    )  # a voice note: asked again
    replies = await person.says("Saya kerja shift pagi di pabrik")
    assert "Hari apa" in replies[-1].text
    replies = await person.presses("day:sat", message_ref="77")
    assert replies[-1].edit_ref == "77" and "✅ Sabtu" in [b.title for b in replies[-1].buttons]
    await person.presses("day:tue")
    replies = await person.presses("day:done")
    assert "jadwal baru" in replies[-1].text
    saved = await enrolment(db, pid, sid)
    assert (saved.rsvp, saved.reschedule_reason, saved.reschedule_days) == (
        "reschedule", "Saya kerja shift pagi di pabrik", "tue,sat",
    )  # fmt: skip


async def test_nobody_can_answer_for_someone_elses_session(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    owner = Person(inbox, channel, address="11")
    intruder = Person(inbox, channel, address="22")
    await register(owner, "kota pekalongan")
    await register(intruder, "kota pekalongan")
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 12, 22, 9, 0))
    owner_id = await participant_id(db, "11")
    await enrol_person(db, owner_id, sid, NOW)
    replies = await intruder.presses(f"rsvp:s{sid}:no")  # a forged button payload
    assert "tidak berlaku" in replies[0].text
    assert (await enrolment(db, owner_id, sid)).rsvp is None
    replies = await intruder.presses("rsvp:o1:yes")
    assert "tidak berlaku" in replies[0].text


async def test_jadwal_lists_my_sessions_and_open_ones_to_join(db: Database, person: Person) -> None:
    await register(person, "kota pekalongan")
    pid = await participant_id(db, person.address)
    mine = await make_session(
        db,
        starts_local=local("Asia/Jakarta", 2026, 12, 22, 9, 0),
        title="Konseling kelompok",
        program_kind="counselling",
    )
    await enrol_person(db, pid, mine, NOW)
    open_here = await make_session(
        db, starts_local=local("Asia/Jakarta", 2026, 12, 23, 13, 0), title="Kursus barista",
        open_=True, city_key="kota-pekalongan", capacity=1,
    )  # fmt: skip
    await make_session(  # open, but in another city: not offered
        db, starts_local=local("Asia/Jakarta", 2026, 12, 23, 13, 0), title="Kursus jahit",
        open_=True, city_key="kota-serang",
    )  # fmt: skip
    replies = await person.says("/jadwal")
    text = replies[0].text
    assert "Konseling kelompok" in text and "Kursus barista" in text and "Kursus jahit" not in text
    assert "Selasa, 22 Desember 2026 pukul 09.00 WIB" in text
    assert [b.payload for b in replies[0].buttons] == [f"join:s{open_here}"]
    replies = await person.presses(f"join:s{open_here}")
    assert "Anda terdaftar di <b>Kursus barista</b>" in replies[0].text
    replies = await person.presses(f"join:s{open_here}")
    assert "sudah terdaftar" in replies[0].text


async def test_joining_a_session_wakes_the_dispatcher_for_its_new_reminders(
    db: Database, inbox: Inbox, person: Person
) -> None:
    """Rows a turn adds are looked at once it commits, not at the dispatcher's next poll."""
    wakes: list[int] = []
    inbox.on_outbox = lambda: wakes.append(1)
    await register(person, "kota pekalongan")
    assert wakes == []  # signing up plans nothing
    sid = await make_session(
        db, starts_local=local("Asia/Jakarta", 2026, 12, 23, 13, 0), open_=True,
        city_key="kota-pekalongan",
    )  # fmt: skip
    await person.presses(f"join:s{sid}")
    assert wakes == [1]
    await person.says("/jadwal")
    assert wakes == [1]


async def test_full_session_puts_people_on_the_waiting_list(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    first, second = Person(inbox, channel, address="11"), Person(inbox, channel, address="22")
    await register(first, "kota pekalongan")
    await register(second, "kota pekalongan")
    sid = await make_session(
        db,
        starts_local=local("Asia/Jakarta", 2026, 12, 23, 13, 0),
        open_=True,
        capacity=1,
        city_key="kota-pekalongan",
    )
    await first.presses(f"join:s{sid}")
    replies = await second.presses(f"join:s{sid}")
    assert "daftar tunggu" in replies[0].text
    replies = await second.says("/jadwal")
    assert "(daftar tunggu)" in replies[0].text


async def test_missed_session_gets_one_kind_follow_up_offering_the_next(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    await register(person, "kota pekalongan")
    pid = await participant_id(db, person.address)
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 11, 30, 8, 0))
    async with db.transaction() as tx:
        first = await tx.get(ProgramSession, sid)
        assert first is not None
        later = ProgramSession(
            program_id=first.program_id, title=first.title, starts_at=first.starts_at.replace(day=7, month=12),
            ends_at=first.ends_at.replace(day=7, month=12), timezone=first.timezone, place=first.place, status="scheduled",
        )  # fmt: skip
        tx.add(later)
        await tx.flush()
        later_id = later.id
    await enrol_person(db, pid, sid, NOW.replace(hour=0), confirm=False)
    async with db.transaction() as tx:
        event = await tx.get(ProgramSession, sid)
        participant = await tx.get(Participant, pid)
        assert event is not None and participant is not None
        await mark_attendance(tx, event, participant, False, NOW, ReminderPolicy())
        await mark_attendance(
            tx, event, participant, False, NOW, ReminderPolicy()
        )  # twice: one message
    channel.sent.clear()
    assert await dispatcher(db, channel, Clock(NOW)).run_once() == 1
    reply = channel.sent[0][1]
    assert reply.text.startswith("Kami tidak melihat Anda hari ini di <b>Pelatihan Las Dasar</b>")
    assert "Senin, 7 Desember 2026" in reply.text
    assert [b.payload for b in reply.buttons] == [f"join:s{later_id}"]
    replies = await person.presses(f"join:s{later_id}", at=NOW)  # the day of the follow-up
    assert "Anda terdaftar" in replies[0].text
    assert (await enrolment(db, pid, sid)).attendance == "absent"


async def test_typed_answers_to_a_reminder_are_understood(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    """The reminder asks "what time will you leave?": a typed answer must not get "I can't chat"."""
    from datetime import UTC, datetime, timedelta

    await register(person, "kota pekalongan")
    pid = await participant_id(db, person.address)
    now = datetime.now(UTC)
    sid = await make_session(
        db,
        starts_local=(now + timedelta(days=2)).astimezone(local("Asia/Jakarta", 2026, 1, 1).tzinfo),
    )
    await enrol_person(db, pid, sid, now)
    [confirmation] = [r for r in await outbox(db) if r.kind == "confirmation"]
    assert await dispatcher(db, channel, Clock(confirmation.due_at)).run_once() == 1
    replies = await person.says("Jam 7 pagi saya berangkat naik angkot")
    assert replies[0].text.startswith("Terima kasih, sudah kami catat. Sampai jumpa")
    replies = await person.says("maaf pak, saya tidak bisa datang")
    assert "Mau minta jadwal lain?" in replies[0].text
    assert (await enrolment(db, pid, sid)).rsvp == "no"
    replies = await person.says("halo")  # they said they cannot come: back to the usual menu
    assert next(b.payload for b in replies[0].buttons) == "cmd:jadwal"


async def test_staff_see_answers_reasons_and_attendance(
    db: Database, database_url: str, person: Person
) -> None:
    from tests.helpers.cli import run_command as in_process

    await register(person, "kota pekalongan")
    pid = await participant_id(db, person.address)
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 12, 22, 9, 0))
    await enrol_person(db, pid, sid, NOW)
    await person.presses(f"rsvp:s{sid}:later")
    await person.says("Anak saya sakit")
    await person.says("sabtu")
    code, out, err = await in_process(database_url, f"sessions show {sid}")
    assert code == 0, err
    header, row = out.splitlines()[1:3]
    assert header.split() == ["id", "name", "seat", "answer", "days", "reason", "attendance"]
    assert (
        "Budi Santoso" in row
        and "minta jadwal ulang" in row
        and "sat" in row
        and "Anak saya sakit" in row
    )


async def test_tidak_bisa_frees_the_seat_for_the_first_one_waiting(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    first, second = Person(inbox, channel, address="11"), Person(inbox, channel, address="22")
    await register(first, "kota pekalongan")
    await register(second, "kota pekalongan")
    sid = await make_session(
        db, starts_local=local("Asia/Jakarta", 2026, 12, 23, 13, 0), open_=True, capacity=1,
        city_key="kota-pekalongan",
    )  # fmt: skip
    await first.presses(f"join:s{sid}")
    await second.presses(f"join:s{sid}")  # full: the waiting list
    await first.presses(f"rsvp:s{sid}:no")
    waiting_id = await participant_id(db, "22")
    assert (await enrolment(db, waiting_id, sid)).status == "enrolled"
    confirmations = [r for r in await outbox(db) if r.kind == "seat"]  # "a seat is free"
    assert [(r.participant_id, r.status) for r in confirmations] == [(waiting_id, "pending")]
    # The first changes their mind: the seat is taken now, so the waiting list.
    replies = await first.presses(f"rsvp:s{sid}:yes")
    assert "daftar tunggu" in replies[0].text
    assert (await enrolment(db, await participant_id(db, "11"), sid)).status == "waitlisted"


async def full_session_with_one_waiting(
    db: Database, inbox: Inbox, channel: CollectingChannel, starts_local: datetime
) -> tuple[int, Person, Person]:
    """A session with one seat: the first person has it, the second is on the waiting list."""
    seated, waiting = Person(inbox, channel, address="11"), Person(inbox, channel, address="22")
    await register(seated, "kota pekalongan")
    await register(waiting, "kota pekalongan")
    sid = await make_session(
        db, starts_local=starts_local, open_=True, capacity=1, city_key="kota-pekalongan"
    )
    await seated.presses(f"join:s{sid}")
    for _press in range(2):  # pressed again later: still the waiting list, not "already booked"
        replies = await waiting.presses(f"join:s{sid}")
        assert "daftar tunggu" in replies[0].text
    return sid, seated, waiting


async def test_hadir_from_the_waiting_list_is_recorded_without_promising_a_seat(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    """Regression (issue 8): "Hadir" on a change notice got "Sampai jumpa" with no seat."""
    starts = local("Asia/Jakarta", 2026, 12, 23, 13, 0)
    sid, _seated, waiting = await full_session_with_one_waiting(db, inbox, channel, starts)
    for _press in range(2):  # and again later: still honest
        [reply] = await waiting.presses(f"rsvp:s{sid}:yes")
        assert "Sampai jumpa" not in reply.text
        assert "daftar tunggu" in reply.text and "Pelatihan Las Dasar" in reply.text
    saved = await enrolment(db, await participant_id(db, "22"), sid)
    assert (saved.status, saved.rsvp) == ("waitlisted", "yes")


async def test_typed_hadir_on_the_waiting_list_promises_no_seat(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    """After a confirmation, "Tidak bisa" gives the seat away; typing "hadir" later is honest."""
    now = datetime.now(UTC)
    starts = (now + timedelta(days=2)).astimezone(ZoneInfo("Asia/Jakarta"))
    first, second = Person(inbox, channel, address="11"), Person(inbox, channel, address="22")
    await register(first, "kota pekalongan")
    await register(second, "kota pekalongan")
    sid = await make_session(db, starts_local=starts, capacity=1)
    first_id = await participant_id(db, "11")
    await enrol_person(db, first_id, sid, now)
    await enrol_person(db, await participant_id(db, "22"), sid, now)  # the waiting list
    due = max(r.due_at for r in await outbox(db) if r.kind in ("confirmation", "waitlisted"))
    assert await dispatcher(db, channel, Clock(due)).run_once() == 2  # booked / waiting
    await first.presses(f"rsvp:s{sid}:no")  # the seat goes to the second
    await first.presses(f"rsvp:s{sid}:yes")  # changed their mind: the waiting list
    for typed in ("hadir", "Insya Allah saya datang", "jam 7 saya berangkat naik ojek"):
        reply, *_rest = await first.says(typed)
        assert "Sampai jumpa" not in reply.text and "daftar tunggu" in reply.text
    saved = await enrolment(db, first_id, sid)
    assert (saved.status, saved.rsvp) == ("waitlisted", "yes")


async def test_coming_back_to_a_full_session_is_the_waiting_list_every_time(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    """Someone who said "Tidak bisa" and then "Hadir" while the seat was taken is told the truth
    on every later "Hadir" too, and gets the seat (with a confirmation) once it frees up."""
    starts = local("Asia/Jakarta", 2026, 12, 23, 13, 0)
    sid, seated, waiting = await full_session_with_one_waiting(db, inbox, channel, starts)
    await seated.presses(f"rsvp:s{sid}:no")  # the seat goes to the one waiting
    for _press in range(2):
        [reply] = await seated.presses(f"rsvp:s{sid}:yes")
        assert "Sampai jumpa" not in reply.text and "daftar tunggu" in reply.text
    await waiting.presses(f"rsvp:s{sid}:no")
    seated_id = await participant_id(db, "11")
    assert (await enrolment(db, seated_id, sid)).status == "enrolled"
    [reply] = await seated.presses(f"rsvp:s{sid}:yes")
    assert "Sampai jumpa" in reply.text


async def test_typed_days_add_to_the_ticked_ones(db: Database, person: Person) -> None:
    """Like the interests: ticking Sabtu and then typing "senin" kept only Senin."""
    await register(person, "kota pekalongan")
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 12, 22, 9, 0))
    pid = await participant_id(db, person.address)
    await enrol_person(db, pid, sid, NOW)
    await person.presses(f"rsvp:s{sid}:later")
    await person.presses("reason:skip")
    await person.presses("day:sat", message_ref="9")
    replies = await person.says("2")  # a number alone ticks that day, as its button would
    assert "✅ Selasa" in [b.title for b in replies[-1].buttons]
    replies = await person.says("senin juga")
    assert "jadwal baru" in replies[-1].text
    assert (await enrolment(db, pid, sid)).reschedule_days == "mon,tue,sat"
