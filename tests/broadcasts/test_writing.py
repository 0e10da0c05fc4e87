"""Writing a broadcast's outbox rows: one per recipient, never twice, resumed after a crash, at
each recipient's local time out of quiet hours; and cancelling it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time

from bot.outbox.scheduler import ReminderScheduler
from handlers.broadcasts.composing.timing import due_for, parse_moment
from handlers.broadcasts.composing.writing import resume_writing, write_out
from handlers.reminders.rules import QuietHours
from storage.broadcasts.audience import Audience
from storage.broadcasts.figures import figures_of
from storage.broadcasts.writing import cancel, confirm, create_draft, write_batch
from storage.db import Database
from storage.models import Broadcast, BroadcastStatus, OutboxKind, ScheduledStatus
from tests.fakes.channel import CollectingChannel
from tests.helpers.broadcasts import NOW, Person, add_org, add_person, broadcast_rows
from tests.helpers.reminders import Clock, dispatcher

BOTH = ("telegram", "whatsapp")
QUIET = QuietHours()  # 21.00-06.00


async def draft(db: Database, audience: Audience, **when: object) -> int:
    async with db.transaction() as tx:
        broadcast = await create_draft(
            tx, organisation_id=audience.organisation_id, created_by=None,
            text="Pelatihan las dimulai Senin.", audience=audience, now=NOW,
        )  # fmt: skip
        await confirm(tx, broadcast.id, now=NOW, left_out={}, **when)  # type: ignore[arg-type]
        return broadcast.id


async def test_one_row_per_recipient_and_confirming_twice_adds_nothing(db: Database) -> None:
    org = await add_org(db, "Bapas Jakarta")
    people = [await add_person(db, Person(org)) for _ in range(7)]
    broadcast_id = await draft(db, Audience(org))
    await write_out(db, broadcast_id, BOTH, QUIET, NOW)
    async with db.transaction() as tx:  # a second confirm is refused: it is no draft any more
        assert await confirm(tx, broadcast_id, now=NOW, left_out={}) is None
    await write_out(db, broadcast_id, BOTH, QUIET, NOW)
    await resume_writing(db, BOTH, QUIET, NOW)

    rows = await broadcast_rows(db, broadcast_id)
    assert [r.participant_id for r in rows] == people
    assert {r.key for r in rows} == {f"broadcast:{broadcast_id}:{p}" for p in people}
    assert {(r.kind, r.status, r.due_at) for r in rows} == {
        (OutboxKind.BROADCAST, ScheduledStatus.PENDING, NOW)
    }
    async with db.transaction() as tx:
        broadcast = await tx.get(Broadcast, broadcast_id)
        assert broadcast is not None and broadcast.recipients == 7
        assert (await figures_of(tx, broadcast_id)).waiting == 7


async def test_writing_cut_short_is_finished_on_restart_without_duplicates(db: Database) -> None:
    org = await add_org(db, "Bapas Jakarta")
    people = [await add_person(db, Person(org)) for _ in range(5)]
    broadcast_id = await draft(db, Audience(org))
    due = due_for(NOW, QUIET, None, None)
    async with db.transaction() as tx:  # one batch of two, then the process dies
        assert not await write_batch(tx, broadcast_id, BOTH, due, now=NOW, limit=2)
    assert len(await broadcast_rows(db, broadcast_id)) == 2

    assert await resume_writing(db, BOTH, QUIET, NOW) == 1
    assert await resume_writing(db, BOTH, QUIET, NOW) == 0  # nothing left to finish
    assert [r.participant_id for r in await broadcast_rows(db, broadcast_id)] == people


async def test_scheduled_at_each_recipients_local_time_never_in_quiet_hours(db: Database) -> None:
    org = await add_org(db, "Bapas Jakarta")
    wib = await add_person(db, Person(org, timezone="Asia/Jakarta"))
    wita = await add_person(db, Person(org, timezone="Asia/Makassar"))
    wit = await add_person(db, Person(org, timezone="Asia/Jayapura"))
    morning = await draft(db, Audience(org), local_date=date(2026, 12, 2), local_time=time(9, 0))
    late = await draft(db, Audience(org), local_date=date(2026, 12, 2), local_time=time(22, 30))
    for broadcast_id in (morning, late):
        await write_out(db, broadcast_id, BOTH, QUIET, NOW)

    due = {r.participant_id: r.due_at for r in await broadcast_rows(db, morning)}
    assert due == {  # 09.00 in each zone: 02.00, 01.00 and 00.00 UTC
        wib: datetime(2026, 12, 2, 2, 0, tzinfo=UTC),
        wita: datetime(2026, 12, 2, 1, 0, tzinfo=UTC),
        wit: datetime(2026, 12, 2, 0, 0, tzinfo=UTC),
    }
    due = {r.participant_id: r.due_at for r in await broadcast_rows(db, late)}
    assert due == {  # 22.30 is quiet: 06.00 the next morning, local
        wib: datetime(2026, 12, 2, 23, 0, tzinfo=UTC),
        wita: datetime(2026, 12, 2, 22, 0, tzinfo=UTC),
        wit: datetime(2026, 12, 2, 21, 0, tzinfo=UTC),
    }
    async with db.transaction() as tx:
        broadcast = await tx.get(Broadcast, morning)
        assert broadcast is not None and broadcast.status == BroadcastStatus.SCHEDULED


def test_a_time_already_past_in_a_zone_goes_now() -> None:
    # 09.00 WIB (02.00 UTC) on 1 December: 09.00 WIT was an hour earlier.
    due = due_for(NOW, QUIET, date(2026, 12, 1), time(9, 0))
    assert due("Asia/Jayapura") == NOW
    assert due("Asia/Jakarta") == NOW


def test_typed_moments() -> None:
    today = date(2026, 12, 1)  # a Tuesday
    assert parse_moment("besok 09.00", today) == (date(2026, 12, 2), time(9, 0))
    assert parse_moment("jumat jam 8", today) == (date(2026, 12, 4), time(8, 0))
    assert parse_moment("12/12 14.00", today) == (date(2026, 12, 12), time(14, 0))
    assert parse_moment("kapan-kapan", today) is None


async def test_cancel_stops_what_is_not_sent_and_the_figures_say_so(db: Database) -> None:
    org = await add_org(db, "Bapas Jakarta")
    for _ in range(4):
        await add_person(db, Person(org))
    broadcast_id = await draft(db, Audience(org))
    await write_out(db, broadcast_id, BOTH, QUIET, NOW)
    rows = await broadcast_rows(db, broadcast_id)
    async with db.transaction() as tx:  # one went out already
        first = await tx.get(type(rows[0]), rows[0].id)
        assert first is not None
        first.status, first.sent_at = ScheduledStatus.SENT, NOW

    async with db.transaction() as tx:
        assert await cancel(tx, broadcast_id, now=NOW, staff_id=None) is not None
        assert await cancel(tx, broadcast_id, now=NOW, staff_id=None) is None  # once
    async with db.transaction() as tx:
        figures = await figures_of(tx, broadcast_id)
        broadcast = await tx.get(Broadcast, broadcast_id)
    assert (figures.sent, figures.cancelled, figures.waiting) == (1, 3, 0)
    assert figures.adds_up()
    assert broadcast is not None and broadcast.status == BroadcastStatus.CANCELLED
    # Nothing more is written for a cancelled broadcast.
    await add_person(db, Person(org))
    await resume_writing(db, BOTH, QUIET, NOW)
    assert len(await broadcast_rows(db, broadcast_id)) == 4


async def test_the_bots_start_finishes_a_broadcast_a_crash_cut_short(db: Database) -> None:
    org = await add_org(db, "Bapas Jakarta")
    people = [await add_person(db, Person(org)) for _ in range(5)]
    broadcast_id = await draft(db, Audience(org))
    async with db.transaction() as tx:  # one batch of two, then the process died
        await write_batch(tx, broadcast_id, BOTH, due_for(NOW, QUIET, None, None), now=NOW, limit=2)
    channel = CollectingChannel("telegram")
    scheduler = ReminderScheduler(dispatcher(db, channel, Clock(NOW)), poll_seconds=3600)
    scheduler.start()
    try:
        for _attempt in range(200):
            if len(await broadcast_rows(db, broadcast_id)) == 5:
                break
            await asyncio.sleep(0.05)
    finally:
        await scheduler.stop()
    assert [r.participant_id for r in await broadcast_rows(db, broadcast_id)] == people


async def test_two_processes_writing_at_once_write_each_row_once(
    db: Database, database_url: str
) -> None:
    org = await add_org(db, "Bapas Jakarta")
    people = [await add_person(db, Person(org)) for _ in range(12)]
    broadcast_id = await draft(db, Audience(org))
    other = Database(database_url)  # a second bot process's connections
    try:

        async def writer(database: Database) -> None:
            due = due_for(NOW, QUIET, None, None)
            done = False
            while not done:
                async with database.transaction() as tx:
                    done = await write_batch(tx, broadcast_id, BOTH, due, now=NOW, limit=3)

        await asyncio.gather(writer(db), writer(other))
    finally:
        await other.dispose()
    rows = await broadcast_rows(db, broadcast_id)
    assert [r.participant_id for r in rows] == people
    async with db.transaction() as tx:
        broadcast = await tx.get(Broadcast, broadcast_id)
        assert broadcast is not None and broadcast.recipients == 12
