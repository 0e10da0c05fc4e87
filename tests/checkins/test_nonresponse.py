"""A prompt with its Start button; exactly one nudge a day after an unanswered prompt, none after
an answer; two unanswered check-ins in a row: "tidak merespons"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.inbox import Inbox
from handlers.types import Kind
from storage.checkins.answers import expire_unanswered, unresponsive
from storage.db import Database
from storage.models import CheckinStatus, ScheduledStatus
from tests.fakes.channel import CollectingChannel
from tests.helpers.checkins import checkins, plan, plan_everyone, rows, signed_up, update
from tests.helpers.reminders import Clock, dispatcher

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)


async def _planned(inbox: Inbox, channel: CollectingChannel, address: str) -> tuple[object, int]:
    person, pid = await signed_up(inbox, channel, address)
    await update(inbox.db, pid, release_date=date(2026, 12, 1))
    await plan(inbox.db, pid, NOW)
    return person, pid


async def _run_until(db: Database, channel: CollectingChannel, clock: Clock, end: datetime) -> int:
    """The dispatcher woken every hour until `end`; returns how many messages went out."""
    sent = 0
    sender = dispatcher(db, channel, clock)
    while clock.now < end:
        clock.now += timedelta(hours=1)
        sent += await sender.run_once()
    return sent


async def test_an_unanswered_checkin_gets_exactly_one_nudge(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    await _planned(inbox, channel, "61")
    [first, *_] = await rows(db)
    clock = Clock(first.due_at - timedelta(minutes=30))
    # From the first check-in to just before the second (day 7): the prompt and one nudge.
    assert await _run_until(db, channel, clock, first.due_at + timedelta(days=3)) == 2
    prompt, nudge = [reply for _address, reply in channel.sent]
    assert "Bagaimana kabar Anda" in prompt.text
    assert [b.title for b in prompt.buttons] == ["Mulai"]
    assert prompt.template is not None and prompt.template.key == "checkin"
    assert prompt.template.payloads == (prompt.buttons[0].payload,)
    assert "Sekadar mengingatkan" in nudge.text
    assert nudge.buttons == prompt.buttons  # starts the same check-in


async def test_the_hourly_planner_between_a_prompt_and_its_nudge_keeps_the_nudge(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    """The planner runs every hour; once the prompt has gone, its nudge is still wanted."""
    await _planned(inbox, channel, "66")
    [first, *_] = await rows(db)
    clock = Clock(first.due_at - timedelta(minutes=30))
    sender = dispatcher(db, channel, clock)
    while clock.now < first.due_at + timedelta(days=2):
        clock.now += timedelta(hours=1)
        await plan_everyone(db, clock.now)
        await sender.run_once()
    prompt, nudge = [reply for _address, reply in channel.sent]
    assert "Bagaimana kabar Anda" in prompt.text
    assert "Sekadar mengingatkan" in nudge.text


async def test_an_answered_checkin_gets_no_nudge(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person, pid = await _planned(inbox, channel, "62")
    [first, *_] = await rows(db)
    clock = Clock(first.due_at - timedelta(minutes=30))
    assert await _run_until(db, channel, clock, first.due_at + timedelta(hours=2)) == 1
    [(_address, prompt)] = channel.sent
    await person.sends(  # type: ignore[attr-defined]
        Kind.BUTTON, payload=prompt.buttons[0].payload, received_at=clock.now
    )
    [checkin] = await checkins(db, pid)
    assert checkin.prompt_id == first.id  # the answer belongs to this prompt
    channel.sent.clear()
    assert await _run_until(db, channel, clock, first.due_at + timedelta(days=3)) == 0
    [nudge, *_] = await rows(db, "checkin_nudge")
    assert nudge.status == ScheduledStatus.SKIPPED


async def test_two_unanswered_checkins_in_a_row_mark_the_person_unresponsive(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person, pid = await _planned(inbox, channel, "63")
    other, other_pid = await _planned(inbox, channel, "64")
    first, second, *_ = [row for row in await rows(db) if row.participant_id == pid]
    clock = Clock(first.due_at - timedelta(minutes=30))
    await _run_until(db, channel, clock, first.due_at + timedelta(days=3))
    async with db.transaction() as tx:
        assert await expire_unanswered(tx, clock.now) == 2  # both people's first prompt
        assert await unresponsive(tx, [pid, other_pid]) == set()  # one miss is not a pattern
    # The other person answers the second check-in with /kabar on their own.
    await _run_until(db, channel, clock, second.due_at + timedelta(hours=1))
    await other.sends(  # type: ignore[attr-defined]
        Kind.COMMAND, text="/kabar", command="kabar", received_at=clock.now
    )
    sent = len(channel.sent)
    await _run_until(db, channel, clock, second.due_at + timedelta(days=3))
    assert len(channel.sent) == sent + 1  # one nudge, for the person who did not answer
    async with db.transaction() as tx:
        assert await expire_unanswered(tx, clock.now) == 1
        assert await expire_unanswered(tx, clock.now) == 0  # recorded once
        assert await unresponsive(tx, [pid, other_pid]) == {pid}
    statuses = [c.status for c in await checkins(db, pid)]
    assert statuses == [CheckinStatus.EXPIRED, CheckinStatus.EXPIRED]
    # Answering again ends it.
    await person.sends(  # type: ignore[attr-defined]
        Kind.COMMAND, text="/kabar", command="kabar", received_at=clock.now
    )
    async with db.transaction() as tx:
        assert await unresponsive(tx, [pid]) == set()


async def test_mulai_typed_after_a_prompt_starts_the_checkin(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person, pid = await _planned(inbox, channel, "65")
    [first, *_] = await rows(db)
    clock = Clock(first.due_at - timedelta(minutes=30))
    assert await _run_until(db, channel, clock, first.due_at + timedelta(hours=1)) == 1
    replies = await person.sends(  # type: ignore[attr-defined]
        Kind.TEXT, text="Mulai", received_at=clock.now
    )
    assert "1 (sangat buruk)" in replies[-1].text
    [checkin] = await checkins(db, pid)
    assert checkin.prompt_id == first.id
