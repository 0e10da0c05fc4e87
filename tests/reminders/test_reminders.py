"""Reminders end to end through the dispatcher: right local times, right words, never lost or doubled."""

from __future__ import annotations

from datetime import timedelta

from bot.inbox import Inbox
from handlers.flow import FlowSettings
from handlers.reminders.text import SENSITIVE
from storage.db import Database
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
    siti_enrolled,
)


async def test_pekalongan_and_ambon_get_reminders_at_their_own_local_times(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    siti = Person(inbox, channel, address="11", profile_name="Siti")
    yusuf = Person(inbox, channel, address="22", profile_name="Yusuf")
    await register(siti, "kota pekalongan")
    await register(yusuf, "kota ambon")
    # One session in Pekalongan at 09.00 WIB on Wednesday: that is 11.00 WIT for Ambon.
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 12, 2, 9, 0))
    for address in ("11", "22"):
        assert await enrol_person(db, await participant_id(db, address), sid, NOW) == "enrolled"

    rows = await outbox(db)
    assert sorted((r.kind, r.offset_minutes) for r in rows) == sorted(
        [("confirmation", None), ("reminder", 1440), ("reminder", 120)] * 2
    )
    clock = Clock(NOW)
    sender = dispatcher(db, channel, clock)
    channel.sent.clear()
    assert await sender.run_once() == 2  # the two confirmations, now
    assert "Anda terdaftar di <b>Pelatihan Las Dasar</b>" in channel.sent[0][1].text

    channel.sent.clear()
    clock.now = local("Asia/Jakarta", 2026, 12, 1, 9, 0)  # H-1: Tuesday 09.00 WIB
    assert await sender.run_once() == 2
    texts = {address: reply.text for address, reply in channel.sent}
    assert "Besok, Rabu, 2 Desember 2026 pukul 09.00 WIB" in texts["11"]
    assert "Besok, Rabu, 2 Desember 2026 pukul 11.00 WIT" in texts["22"]
    for text in texts.values():
        assert "📍 BLK Pekalongan, Jl. Sriwijaya 44" in text
        assert "Bawa: KTP dan alat tulis" in text
        assert "Jam berapa Anda berangkat" in text  # the plan-making prompt
        assert "Bu Rina 0812-1111-2222" in text  # what to do if you cannot come
    assert [b.title for b in channel.sent[0][1].buttons] == [
        "Hadir",
        "Tidak bisa",
        "Minta jadwal ulang",
    ]

    channel.sent.clear()
    clock.now = local("Asia/Jakarta", 2026, 12, 2, 6, 59)
    assert await sender.run_once() == 0  # nothing early
    clock.now = local("Asia/Jakarta", 2026, 12, 2, 7, 0)
    assert await sender.run_once() == 2
    assert len(channel.sent) == 2
    assert all("Hari ini, Rabu" in reply.text for _a, reply in channel.sent)
    assert {r.status for r in await outbox(db)} == {"sent"}


async def test_restart_between_two_reminders_loses_and_duplicates_nothing(
    database_url: str, db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    siti = Person(inbox, channel, address="11", profile_name="Siti")
    await register(siti, "kota pekalongan")
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 12, 2, 9, 0))
    await enrol_person(db, await participant_id(db, "11"), sid, NOW, confirm=False)
    channel.sent.clear()

    clock = Clock(local("Asia/Jakarta", 2026, 12, 1, 9, 0, 30))
    assert await dispatcher(db, channel, clock).run_once() == 1  # H-1
    await db.dispose()  # the process is killed here...

    restarted = Database(database_url)  # ...and started again later, with a fresh engine
    clock.now = local("Asia/Jakarta", 2026, 12, 2, 7, 20)  # 20 minutes late: within the grace
    assert await dispatcher(restarted, channel, clock).run_once() == 1
    assert await dispatcher(restarted, channel, clock).run_once() == 0
    await restarted.dispose()
    assert len(channel.sent) == 2
    assert "Besok" in channel.sent[0][1].text and "Hari ini" in channel.sent[1][1].text


async def test_a_claim_left_by_a_dead_dispatcher_is_sent_after_the_lease(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    from storage.outbox import claim_due

    await siti_enrolled(db, inbox, channel)
    due = local("Asia/Jakarta", 2026, 12, 1, 9, 0)
    async with db.transaction() as tx:
        assert len(await claim_due(tx, due, "dead-worker", 10)) == 1  # claimed, never sent
    clock = Clock(due + timedelta(minutes=1))
    assert await dispatcher(db, channel, clock).run_once() == 0  # still leased to the dead one
    clock.now = due + timedelta(minutes=6)
    assert await dispatcher(db, channel, clock).run_once() == 1
    assert len(channel.sent) == 1


async def test_a_row_that_was_mid_send_when_the_dispatcher_died_is_not_sent_twice(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    from storage.outbox import claim_due, mark_sending

    await siti_enrolled(db, inbox, channel)
    due = local("Asia/Jakarta", 2026, 12, 1, 9, 0)
    async with db.transaction() as tx:
        [row_id] = await claim_due(tx, due, "dead-worker", 10)
        await mark_sending(tx, row_id, due)  # ...and the process died during the HTTP call
    clock = Clock(due + timedelta(minutes=6))
    assert await dispatcher(db, channel, clock).run_once() == 0
    assert channel.sent == []
    assert [(r.status, r.error) for r in await outbox(db) if r.offset_minutes == 1440] == [
        ("interrupted", "dispatcher stopped while sending")
    ]


async def test_cancelled_session_stops_reminders_and_tells_people_once(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    from handlers.programs.changes import cancel_session
    from handlers.reminders.rules import ReminderPolicy
    from storage.models import ProgramSession

    sid = await siti_enrolled(db, inbox, channel)
    async with db.transaction() as tx:
        event = await tx.get(ProgramSession, sid)
        assert event is not None
        changed = await cancel_session(tx, event, NOW, ReminderPolicy())
    assert (changed.notified, changed.reminders_cancelled) == (1, 2)
    clock = Clock(NOW)
    sender = dispatcher(db, channel, clock)
    assert await sender.run_once() == 1
    assert "dibatalkan" in channel.sent[0][1].text
    for moment in (
        local("Asia/Jakarta", 2026, 12, 1, 9, 0),
        local("Asia/Jakarta", 2026, 12, 2, 7, 0),
    ):
        clock.now = moment
        assert await sender.run_once() == 0
    assert len(channel.sent) == 1


async def test_moved_session_replans_and_tells_once(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    from handlers.programs.changes import move_session
    from handlers.reminders.rules import ReminderPolicy
    from storage.models import ProgramSession

    await register(Person(inbox, channel, address="22"), "kota ambon")
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 12, 2, 9, 0))
    await enrol_person(db, await participant_id(db, "22"), sid, NOW, confirm=False)
    channel.sent.clear()
    new_start = local("Asia/Jakarta", 2026, 12, 3, 13, 0)
    async with db.transaction() as tx:
        event = await tx.get(ProgramSession, sid)
        assert event is not None
        await move_session(
            tx, event, new_start, new_start + timedelta(hours=2), NOW, ReminderPolicy()
        )
    clock = Clock(NOW)
    sender = dispatcher(db, channel, clock)
    assert await sender.run_once() == 1
    assert "Kamis, 3 Desember 2026 pukul 15.00 WIT" in channel.sent[0][1].text
    clock.now = local("Asia/Jakarta", 2026, 12, 1, 9, 0)  # the old H-1: nothing
    assert await sender.run_once() == 0
    clock.now = local("Asia/Jakarta", 2026, 12, 2, 13, 0)  # the new H-1
    assert await sender.run_once() == 1
    assert len(channel.sent) == 2


async def test_quiet_hours_move_a_night_reminder_to_the_evening_before(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    await register(Person(inbox, channel, address="22"), "kota ambon")
    # 07.30 WIB = 09.30 WIT: 2 hours before is 07.30 WIT, fine; a 06.30 WIT start is not.
    sid = await make_session(db, starts_local=local("Asia/Jayapura", 2026, 12, 2, 7, 0))
    await enrol_person(db, await participant_id(db, "22"), sid, NOW, confirm=False)
    reminders = {r.offset_minutes: r.due_at for r in await outbox(db)}
    assert reminders[120] == local("Asia/Jayapura", 2026, 12, 1, 20, 59)  # not 05.00 in the night
    assert reminders[1440] == local("Asia/Jayapura", 2026, 12, 1, 7, 0)


async def test_late_reminder_beyond_grace_is_skipped_not_sent(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    await siti_enrolled(db, inbox, channel)
    clock = Clock(local("Asia/Jakarta", 2026, 12, 2, 9, 5))  # the bot was down all night
    assert await dispatcher(db, channel, clock).run_once() == 0
    assert channel.sent == []
    assert {(r.status, r.error) for r in await outbox(db)} == {("skipped", "too late")}


async def test_stopped_and_erased_people_get_nothing(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    stopped = Person(inbox, channel, address="11")
    erased = Person(inbox, channel, address="22")
    await register(stopped, "kota pekalongan")
    await register(erased, "kota ambon")
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 12, 2, 9, 0))
    for address in ("11", "22"):
        await enrol_person(db, await participant_id(db, address), sid, NOW)
    await stopped.says("/berhenti")
    await erased.says("/hapus")
    await erased.presses("erase:yes")
    channel.sent.clear()
    clock = Clock(NOW)
    for moment in (
        NOW,
        local("Asia/Jakarta", 2026, 12, 1, 9, 0),
        local("Asia/Jakarta", 2026, 12, 2, 7, 0),
    ):
        clock.now = moment
        assert await dispatcher(db, channel, clock).run_once() == 0
    assert channel.sent == []
    # Both people's rows are there and called off, each for its own reason.
    assert {(r.status, r.error) for r in await outbox(db)} == {
        ("skipped", "participant stopped"),
        ("cancelled", None),
    }


async def test_discreet_reminders_never_name_the_institution(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    await register(Person(inbox, channel, address="11"), "kota ambon", discreet=True)
    sid = await make_session(
        db,
        starts_local=local("Asia/Jayapura", 2026, 12, 2, 9, 0),
        title="Wajib lapor Bapas Ambon",
        place="Kantor Bapas Kelas II Ambon, Jl. Dr. Kayadoe",
        program_kind="reporting",
        org_name="Bapas Kelas II Ambon",
    )
    await enrol_person(db, await participant_id(db, "11"), sid, NOW)
    channel.sent.clear()
    clock = Clock(NOW)
    sender = dispatcher(db, channel, clock)
    for moment in (
        NOW,
        local("Asia/Jayapura", 2026, 12, 1, 9, 0),
        local("Asia/Jayapura", 2026, 12, 2, 7, 0),
    ):
        clock.now = moment
        await sender.run_once()
    assert len(channel.sent) == 3
    for _address, reply in channel.sent:
        assert SENSITIVE.search(reply.text) is None, reply.text
        assert "Janji temu" in reply.text


async def test_reporting_reminder_states_the_consequence(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    await register(Person(inbox, channel, address="11"), "kota ambon")
    sid = await make_session(
        db,
        starts_local=local("Asia/Jayapura", 2026, 12, 2, 9, 0),
        title="Wajib lapor",
        program_kind="reporting",
    )
    await enrol_person(db, await participant_id(db, "11"), sid, NOW, confirm=False)
    channel.sent.clear()
    await dispatcher(db, channel, Clock(local("Asia/Jayapura", 2026, 12, 1, 9, 0))).run_once()
    assert "Kalau terlewat, petugas akan mencatatnya." in channel.sent[0][1].text


async def test_three_dispatchers_send_each_of_1000_due_reminders_exactly_once(
    database_url: str, db: Database, settings: FlowSettings
) -> None:
    """Several processes may share one database: claims must never hand a row to two of them."""
    import asyncio

    from sqlalchemy import insert

    from storage.models import Address, Participant, ScheduledMessage

    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 12, 2, 9, 0))
    async with db.transaction() as tx:
        people = [
            {
                "status": "active",
                "name": f"P{i}",
                "timezone": "Asia/Jakarta",
                "language": "id",
                "interests": [],
            }
            for i in range(1000)
        ]
        ids = list(
            (await tx.execute(insert(Participant).returning(Participant.id), people)).scalars()
        )
        await tx.execute(
            insert(Address),
            [{"participant_id": pid, "channel": "fake", "value": str(pid)} for pid in ids],
        )
        await tx.execute(
            insert(ScheduledMessage),
            [
                {"key": f"remind:s{sid}:p{pid}:1440:0", "kind": "reminder", "participant_id": pid,
                 "session_id": sid, "offset_minutes": 1440, "due_at": NOW - timedelta(minutes=1),
                 "event_at": NOW + timedelta(days=1), "status": "pending", "attempts": 0}
                for pid in ids
            ],
        )  # fmt: skip
    channel = CollectingChannel()
    engines = [Database(database_url) for _ in range(3)]
    senders = [
        dispatcher(engine, channel, Clock(NOW), batch=50, worker=f"w{i}")
        for i, engine in enumerate(engines)
    ]
    counts = await asyncio.gather(*(s.run_once() for s in senders))
    for engine in engines:
        await engine.dispose()
    assert sum(counts) == 1000
    assert all(count > 0 for count in counts), counts  # the work really was shared
    addresses = [address for address, _reply in channel.sent]
    assert len(addresses) == 1000 and len(set(addresses)) == 1000
    assert {r.status for r in await outbox(db)} == {"sent"}


async def test_session_moved_away_and_back_is_reminded_again(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    """Regression: cancelled reminder rows used to block their keys, so A -> B -> A lost them."""
    from handlers.programs.changes import move_session
    from handlers.reminders.rules import ReminderPolicy
    from storage.models import ProgramSession

    await register(Person(inbox, channel, address="11"), "kota pekalongan")
    first = local("Asia/Jakarta", 2026, 12, 2, 9, 0)
    sid = await make_session(db, starts_local=first)
    await enrol_person(db, await participant_id(db, "11"), sid, NOW, confirm=False)
    for start in (first + timedelta(days=1), first):
        async with db.transaction() as tx:
            event = await tx.get(ProgramSession, sid)
            assert event is not None
            await move_session(tx, event, start, start + timedelta(hours=3), NOW, ReminderPolicy())
    pending = sorted(
        r.due_at for r in await outbox(db) if r.kind == "reminder" and r.status == "pending"
    )
    assert pending == [first - timedelta(days=1), first - timedelta(hours=2)]


async def test_cancelled_appointment_series_is_announced_once(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    from handlers.programs.appointments import add_appointment, cancel_appointment
    from handlers.reminders.rules import ReminderPolicy
    from storage.models import Appointment, Organisation, Participant

    await register(Person(inbox, channel, address="22"), "kota ambon")
    pid = await participant_id(db, "22")
    async with db.transaction() as tx:
        org = Organisation(name="Bapas Kelas II Ambon", kind="bapas", timezone="Asia/Jayapura")
        tx.add(org)
        await tx.flush()
        appointment = Appointment(
            participant_id=pid, organisation_id=org.id, kind="reporting", caseworker="Pak Yusuf",
            starts_at=local("Asia/Jayapura", 2026, 12, 7, 9, 0), duration_minutes=30,
            timezone="Asia/Jayapura", recurrence="weekly:1", place="Kantor Bapas", active=True,
        )  # fmt: skip
        participant = await tx.get(Participant, pid)
        assert participant is not None
        planned = await add_appointment(tx, appointment, participant, NOW, ReminderPolicy())
        appointment_id = appointment.id
    assert planned == 2  # 7 and 14 December fall within the 14-day horizon
    async with db.transaction() as tx:
        assert await cancel_appointment(tx, appointment_id, NOW, ReminderPolicy()) == (2, 5)
    channel.sent.clear()
    clock = Clock(NOW)
    assert await dispatcher(db, channel, clock).run_once() == 1
    assert "dibatalkan" in channel.sent[0][1].text
    assert "Wajib lapor di Bapas Kelas II Ambon" in channel.sent[0][1].text
    clock.now = local("Asia/Jayapura", 2026, 12, 6, 9, 0)
    assert await dispatcher(db, channel, clock).run_once() == 0
