"""The retention job: chats that never consented are forgotten, dedupe keys expire, people stay."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.inbox import Inbox
from bot.outbox.scheduler import ReminderScheduler
from handlers.types import Incoming, Kind, Reply
from storage.db import Database
from storage.models import (
    Address,
    Broadcast,
    BroadcastStatus,
    Conversation,
    Message,
    Organisation,
    Participant,
)
from storage.retention import (
    DRAFT_RETENTION,
    REDELIVERY_WINDOW,
    UNCONSENTED_RETENTION,
    Purged,
    apply_retention,
)
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.reminders import Clock, dispatcher, register

START = datetime.now(UTC)
LATER = START + UNCONSENTED_RETENTION + timedelta(days=10)  # when the job runs


def message_at(person: Person, text: str, when: datetime) -> Incoming:
    return dataclasses.replace(person._make(Kind.TEXT, text=text), received_at=when)


async def says_at(person: Person, text: str, when: datetime) -> list[Reply]:
    return await person.redelivers(message_at(person, text, when))


async def rows_of(db: Database, model: type, *where: object) -> int:
    async with db.transaction() as tx:
        query = select(func.count()).select_from(model).where(*where)  # type: ignore[arg-type]
        return int(await tx.scalar(query) or 0)


async def run_job(db: Database, inbox: Inbox, now: datetime) -> Purged:
    await inbox.flush()  # how the replies went is written first, as it is within 50 ms
    async with db.transaction() as tx:
        return await apply_retention(tx, now)


async def address_of(db: Database, value: str) -> Address | None:
    async with db.transaction() as tx:
        query = select(Address).where(Address.value == value)
        return (await tx.execute(query)).scalar_one_or_none()


async def test_silent_unconsented_chats_go_and_recent_ones_stay(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    silent = Person(inbox, channel, address="31")  # wrote "halo", never answered
    await says_at(silent, "halo", START)
    lately = Person(inbox, channel, address="32")  # wrote first long ago, and again lately
    await says_at(lately, "halo", START)
    await says_at(lately, "apa ini?", LATER - UNCONSENTED_RETENTION + timedelta(hours=1))
    silent_id = (await address_of(db, "31")).id  # type: ignore[union-attr]
    lately_id = (await address_of(db, "32")).id  # type: ignore[union-attr]
    silent_rows = await rows_of(db, Message, Message.address_id == silent_id)
    lately_rows = await rows_of(db, Message, Message.address_id == lately_id)

    purged = await run_job(db, inbox, LATER)

    assert await address_of(db, "31") is None
    assert await rows_of(db, Conversation, Conversation.address_id == silent_id) == 0
    assert await rows_of(db, Message, Message.address_id == silent_id) == 0
    assert await address_of(db, "32") is not None
    assert await rows_of(db, Conversation, Conversation.address_id == lately_id) == 1
    assert await rows_of(db, Message, Message.address_id == lately_id) == lately_rows
    assert (purged.addresses, purged.messages) == (1, silent_rows) and silent_rows >= 2
    replies = await lately.says("setuju")  # the kept chat can still answer the question
    assert await rows_of(db, Participant) == 1 and replies


async def test_dedupe_keys_expire_after_the_redelivery_window(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    person = Person(inbox, channel, address="33")
    old = message_at(person, "halo", LATER - REDELIVERY_WINDOW - timedelta(minutes=1))
    recent = message_at(person, "halo lagi", LATER - REDELIVERY_WINDOW + timedelta(minutes=1))
    await person.redelivers(old)
    await person.redelivers(recent)

    purged = await run_job(db, inbox, LATER)

    assert purged.dedupe_keys == 1
    assert await rows_of(db, Message, Message.dedupe_key == old.dedupe_key) == 0
    assert await person.redelivers(recent) == []  # still recognised as delivered before
    assert await person.redelivers(old)  # can no longer eat a message: handled as new


async def test_rows_of_a_refused_consent_go_once_no_platform_can_redeliver(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    long_ago, lately = Person(inbox, channel, address="34"), Person(inbox, channel, address="35")
    for person, when in ((long_ago, START), (lately, LATER - timedelta(days=1))):
        await says_at(person, "halo", when)
        await says_at(person, "tidak setuju", when)
    assert await rows_of(db, Address) == 0  # refusing forgets the chat at once
    assert await rows_of(db, Message) == 8

    purged = await run_job(db, inbox, LATER)

    assert purged.messages == 4
    async with db.transaction() as tx:
        left = (await tx.execute(select(Message.created_at))).scalars()
        assert {when.date() for when in left} == {(LATER - timedelta(days=1)).date()}


async def test_registered_peoples_data_is_never_touched(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    budi = Person(inbox, channel, address="36", profile_name="Budi Santoso")
    await register(budi, "kota pekalongan")
    await budi.says("pak, saya butuh kerja")
    halfway = Person(inbox, channel, address="37", profile_name="Siti Aminah")
    await halfway.says("halo")
    await halfway.says("setuju")  # consented, sign-up not finished
    async with db.transaction() as tx:
        before = (await tx.execute(select(Message.id, Message.body))).all()
        people = (await tx.execute(select(Participant.id, Participant.name))).all()

    await run_job(db, inbox, LATER)  # long after: every dedupe key expires, nothing else changes

    async with db.transaction() as tx:
        after = (await tx.execute(select(Message.id, Message.body))).all()
        assert (await tx.execute(select(Participant.id, Participant.name))).all() == people
        keys = (await tx.execute(select(Message.dedupe_key))).scalars()
        assert set(keys) == {None}
    assert sorted(after) == sorted(before)
    assert "pak, saya butuh kerja" in {body for _id, body in after}
    assert await rows_of(db, Address) == 2 and await rows_of(db, Conversation) >= 1


async def test_the_hourly_job_runs_when_the_bot_starts(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    silent = Person(inbox, channel, address="38")
    await says_at(silent, "halo", START)
    await inbox.flush()
    scheduler = ReminderScheduler(dispatcher(db, channel, Clock(LATER)), poll_seconds=3600)
    scheduler.start()
    try:
        for _attempt in range(200):
            if await address_of(db, "38") is None:
                break
            await asyncio.sleep(0.05)
        assert await address_of(db, "38") is None, "the retention job did not run within 10 s"
        assert scheduler.scheduler.get_job("retention") is not None  # and again every hour
    finally:
        await scheduler.stop()


async def test_broadcast_drafts_never_sent_go_after_30_days_and_sent_ones_stay(
    db: Database,
) -> None:
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        office = Organisation(name="Bapas Kelas I Semarang", kind="bapas", timezone="Asia/Jakarta")
        tx.add(office)
        await tx.flush()
        for status, age in [
            (BroadcastStatus.DRAFT, DRAFT_RETENTION + timedelta(days=1)),  # begun, forgotten
            (BroadcastStatus.DRAFT, DRAFT_RETENTION - timedelta(days=1)),  # still to go on with
            (BroadcastStatus.DONE, DRAFT_RETENTION + timedelta(days=90)),  # sent: its figures stay
        ]:
            tx.add(
                Broadcast(
                    organisation_id=office.id, status=status, text=f"Pengumuman {status}",
                    audience={"organisation_id": office.id}, recipients=0, left_out={},
                    created_at=now - age,
                )
            )  # fmt: skip
    async with db.transaction() as tx:
        purged = await apply_retention(tx, now)
    assert purged.drafts == 1
    async with db.transaction() as tx:
        kept = (await tx.execute(select(Broadcast.status, Broadcast.created_at))).all()
    assert sorted(status for status, _ in kept) == [BroadcastStatus.DONE, BroadcastStatus.DRAFT]
    young = [at for status, at in kept if status == BroadcastStatus.DRAFT]
    assert young[0] > now - DRAFT_RETENTION
