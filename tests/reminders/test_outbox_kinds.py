"""A new outbox kind needs only a package that registers it; what rows are about is typed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.inbox import Inbox
from handlers.outbox.queue import enqueue
from handlers.outbox.recipients import Recipient
from handlers.outbox.registry import answerable_kinds, spec_of
from handlers.programs.refs import EventKind, EventRef, parse_join, parse_rsvp, rsvp_payload
from storage.db import Database
from storage.models import Message, OutboxKind, ScheduledMessage
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.nudges import ASLEEP, NUDGE
from tests.helpers.reminders import NOW, Clock, dispatcher, outbox, participant_id, register


async def _signed_up(db: Database, inbox: Inbox, channel: CollectingChannel) -> int:
    await register(Person(inbox, channel, address="31"), "kota pekalongan")
    channel.sent.clear()
    return await participant_id(db, "31")


async def test_a_kind_registered_by_its_own_package_is_planned_rendered_and_sent(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    pid = await _signed_up(db, inbox, channel)
    async with db.transaction() as tx:
        assert await enqueue(tx, kind=NUDGE, recipient=Recipient(pid), key="n:1", due_at=NOW)
        assert not await enqueue(tx, kind=NUDGE, recipient=Recipient(pid), key="n:1", due_at=NOW)

    assert await dispatcher(db, channel, Clock(NOW)).run_once() == 1

    [(address, reply)] = channel.sent
    assert address == "31"
    assert reply.text == "Halo! Sudah minum air hari ini? (Asia/Jakarta)"
    assert [b.payload for b in reply.buttons] == ["nudge:yes"]
    [row] = await outbox(db)
    assert (row.kind, row.status, row.participant_id) == (NUDGE, "sent", pid)
    async with db.transaction() as tx:
        logged = (
            await tx.execute(select(Message).where(Message.id == row.message_id))
        ).scalar_one()
    assert (logged.kind, logged.status, logged.direction) == (NUDGE, "sent", "out")


async def test_a_registered_kind_is_skipped_when_late_if_it_says_it_is_timed(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    pid = await _signed_up(db, inbox, channel)
    async with db.transaction() as tx:
        await enqueue(tx, kind=NUDGE, recipient=Recipient(pid), key="n:late", due_at=NOW)
    late = Clock(NOW + timedelta(hours=3))  # past the default grace of one hour

    assert await dispatcher(db, channel, late).run_once() == 0

    assert channel.sent == []
    assert [(r.status, r.error) for r in await outbox(db)] == [("skipped", "too late")]


async def test_a_render_can_decide_a_row_must_not_go_out(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    pid = await _signed_up(db, inbox, channel)
    async with db.transaction() as tx:
        await enqueue(tx, kind=ASLEEP, recipient=Recipient(pid), key="a:1", due_at=NOW)

    assert await dispatcher(db, channel, Clock(NOW)).run_once() == 0

    assert channel.sent == []
    assert [(r.status, r.error) for r in await outbox(db)] == [("skipped", "nothing to say")]


async def test_a_row_of_a_kind_nobody_registered_fails_and_the_others_still_go(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    pid = await _signed_up(db, inbox, channel)
    async with db.transaction() as tx:
        await enqueue(tx, kind="retired", recipient=Recipient(pid), key="r:1", due_at=NOW)
        await enqueue(tx, kind=NUDGE, recipient=Recipient(pid), key="n:2", due_at=NOW)

    assert await dispatcher(db, channel, Clock(NOW)).run_once() == 1

    assert [a for a, _reply in channel.sent] == ["31"]
    by_kind = {r.kind: (r.status, r.error) for r in await outbox(db)}
    assert by_kind == {
        "retired": ("failed", "no package registered the kind 'retired'"),
        NUDGE: ("sent", None),
    }


def test_every_kind_of_the_enum_is_registered_by_a_package() -> None:
    missing = [kind for kind in OutboxKind if spec_of(kind) is None]
    assert missing == []
    assert answerable_kinds() >= {OutboxKind.REMINDER, OutboxKind.CONFIRMATION}
    assert OutboxKind.FOLLOWUP not in answerable_kinds()


def test_an_event_message_is_about_the_event_its_row_points_at() -> None:
    row = ScheduledMessage(session_id=12, occurrence_id=None)
    assert EventRef.of_row(row) == EventRef(EventKind.SESSION, 12)
    row = ScheduledMessage(session_id=None, occurrence_id=34)
    assert EventRef.of_row(row) == EventRef(EventKind.OCCURRENCE, 34)
    assert EventRef.of_row(ScheduledMessage(session_id=None, occurrence_id=None)) is None


def test_references_and_payloads_round_trip_and_reject_forgeries() -> None:
    for ref in (EventRef.session(12), EventRef.occurrence(34)):
        assert EventRef.parse(str(ref)) == ref
        assert parse_rsvp(rsvp_payload(ref, "later")) == (ref, "later")
    assert str(EventRef.session(12)) == "s12"  # the form old buttons and outbox keys carry
    assert parse_rsvp("rsvp:s12:yes") == (EventRef.session(12), "yes")
    for forged in ("rsvp:x12:yes", "rsvp:s:yes", "rsvp:s-1:yes", "rsvp:s1a:yes", "rsvp:s1:maybe",
                   "join:s1", "rsvp:s99999999999999999999:yes", ""):  # fmt: skip
        assert parse_rsvp(forged) is None, forged
    assert parse_join("s7") == EventRef.session(7)
    assert parse_join("o7") is None  # an appointment is not joined with a button
