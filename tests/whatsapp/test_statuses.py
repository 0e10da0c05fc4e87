"""Status webhooks update the message log: delivered, read, failed with its code; a person
WhatsApp cannot reach is marked so; a reminder refused for the closed 24-hour window goes once
more, as its template."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from handlers.flow import FlowSettings
from storage.db import Database
from storage.models import (
    Message,
    MessageStatus,
    Participant,
    ParticipantStatus,
    ScheduledStatus,
    WebhookDelivery,
)
from tests.fakes.whatsapp.webhooks import WhatsAppUser, combine, status
from tests.helpers.reminders import NOW, Clock, dispatcher, outbox, participant_id, siti_enrolled
from tests.helpers.whatsapp.inbound import InboundBot, handled, inbound_bot

SITI = WhatsAppUser(phone="11", name="Siti")  # the address the reminder helpers sign Siti up at


def at(minutes: int) -> str:
    return str(int((NOW + timedelta(minutes=minutes)).timestamp()))


async def last_reply(db: Database) -> Message:
    async with db.transaction() as tx:
        query = (
            select(Message)
            .where(Message.direction == "out", Message.external_id.is_not(None))
            .order_by(Message.id.desc())
            .limit(1)
        )
        return (await tx.execute(query)).scalar_one()


async def message(db: Database, message_id: int) -> Message:
    async with db.transaction() as tx:
        found = await tx.get(Message, message_id)
        assert found is not None
        return found


async def signed_up_siti(bot: InboundBot) -> Message:
    """Siti signed up on WhatsApp; the last reply she got, as logged with its platform id."""
    await siti_enrolled(bot.db, bot.inbox, bot.channel)
    await bot.inbox.flush()
    return await last_reply(bot.db)


async def test_delivered_then_read_are_recorded_and_a_late_delivered_changes_nothing(
    db: Database, settings: FlowSettings
) -> None:
    async with inbound_bot(db, settings, clock=Clock(NOW + timedelta(hours=1))) as bot:
        reply = await signed_up_siti(bot)
        wamid = str(reply.external_id)
        await bot.deliver(status(wamid, "sent", SITI, timestamp=at(1)))
        await bot.deliver(status(wamid, "delivered", SITI, timestamp=at(2)))
        delivered = await message(db, reply.id)
        await bot.deliver(status(wamid, "read", SITI, timestamp=at(5)))
        await bot.deliver(status(wamid, "delivered", SITI, timestamp=at(9)))  # late, out of order
        read = await message(db, reply.id)
    assert (delivered.status, delivered.delivered_at, delivered.read_at) == (
        MessageStatus.DELIVERED,
        NOW + timedelta(minutes=2),
        None,
    )
    assert (read.status, read.delivered_at, read.read_at) == (
        MessageStatus.READ,
        NOW + timedelta(minutes=2),
        NOW + timedelta(minutes=5),
    )


async def test_a_failed_status_records_the_error_code_on_the_message(
    db: Database, settings: FlowSettings
) -> None:
    async with inbound_bot(db, settings, clock=Clock(NOW + timedelta(hours=1))) as bot:
        reply = await signed_up_siti(bot)
        failed = status(
            str(reply.external_id), "failed", SITI, error_code=130472, title="Experiment"
        )
        await bot.deliver(failed)
        after = await message(db, reply.id)
        participant = await participant_id(db, "11")
        async with db.transaction() as tx:
            person = await tx.get(Participant, participant)
            assert person is not None
            person_status = person.status
    assert (after.status, after.error) == (MessageStatus.FAILED, "130472 Experiment")
    assert person_status == ParticipantStatus.ACTIVE  # not a reason to stop writing to her


async def test_failed_131026_marks_the_person_unreachable(
    db: Database, settings: FlowSettings
) -> None:
    async with inbound_bot(db, settings, clock=Clock(NOW + timedelta(hours=1))) as bot:
        reply = await signed_up_siti(bot)
        await bot.deliver(status(str(reply.external_id), "failed", SITI, error_code=131026))
        siti = await participant_id(db, "11")
        async with db.transaction() as tx:
            person = await tx.get(Participant, siti)
            assert person is not None
            person_status = person.status
    assert person_status == ParticipantStatus.UNREACHABLE


async def test_statuses_of_messages_we_do_not_know_are_counted_and_change_nothing(
    db: Database, settings: FlowSettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    clock = Clock(NOW + timedelta(hours=1))
    async with inbound_bot(db, settings, clock=clock) as bot:
        reply = await signed_up_siti(bot)
        delivery = combine(
            status("wamid.NOT-OURS-1", "read", SITI),
            status("wamid.NOT-OURS-2", "failed", SITI, error_code=131026),
        )
        assert await bot.post(delivery) == 200
        for tries in (1, 2):  # looked at again twice, in case the sends were not recorded yet
            await until_let_go(db, tries)
            clock.now += timedelta(seconds=10)
        await handled(db)
        after = await message(db, reply.id)
    assert after.status == MessageStatus.SENT
    assert any("2 status(es) for messages we do not know" in r.getMessage() for r in caplog.records)


async def test_a_reminder_refused_for_the_closed_window_goes_again_once_as_its_template(
    db: Database, settings: FlowSettings
) -> None:
    clock = Clock()
    async with inbound_bot(db, settings, clock=clock) as bot:
        await siti_enrolled(db, bot.inbox, bot.channel)
        first_due = min(row.due_at for row in await outbox(db))
        clock.now = first_due
        sender = dispatcher(db, bot.channel, clock)
        assert await sender.run_once() == 1
        (row,) = [r for r in await outbox(db) if r.status == ScheduledStatus.SENT]
        reminder = await message(db, row.message_id or 0)
        assert bot.channel.sent[-1][1].template_only is False

        refused = status(str(reminder.external_id), "failed", SITI, error_code=131047)
        await bot.deliver(refused)
        await bot.deliver(refused)  # Meta sends it again: nothing more happens
        (again,) = [r for r in await outbox(db) if r.id == row.id]
        assert bot.requeues == [1]  # the dispatcher was woken once
        assert (again.status, again.template_only, again.due_at) == (
            ScheduledStatus.PENDING,
            True,
            first_due,
        )

        assert await sender.run_once() == 1
        resent = bot.channel.sent[-1][1]
        (row,) = [r for r in await outbox(db) if r.id == row.id]
        template = await message(db, row.message_id or 0)
        await bot.deliver(status(str(template.external_id), "failed", SITI, error_code=131047))
        (final,) = [r for r in await outbox(db) if r.id == row.id]
    assert resent.template_only is True
    assert (await message(db, reminder.id)).status == MessageStatus.FAILED
    assert bot.requeues == [1]  # the template refused too: not sent a third time
    assert final.status == ScheduledStatus.SENT


async def test_a_status_that_overtakes_the_record_of_its_send_is_applied_soon_after(
    db: Database, settings: FlowSettings
) -> None:
    """Send results are written in batches, so Meta's "delivered" can come before the message
    log knows the message's id: the delivery is looked at again a moment later."""
    clock = Clock(NOW + timedelta(hours=1))
    async with inbound_bot(db, settings, clock=clock) as bot:
        reply = await signed_up_siti(bot)
        wamid = str(reply.external_id)
        async with db.transaction() as tx:  # as if the send's result were not written yet
            await tx.execute(update(Message).where(Message.id == reply.id).values(external_id=None))
        assert await bot.post(status(wamid, "delivered", SITI, timestamp=at(2))) == 200
        await until_let_go(db, 1)
        async with db.transaction() as tx:  # the batch of send results is written now
            await tx.execute(
                update(Message).where(Message.id == reply.id).values(external_id=wamid)
            )
        clock.now += timedelta(seconds=2)
        await handled(db)
        delivered = await message(db, reply.id)
    assert (delivered.status, delivered.delivered_at) == (
        MessageStatus.DELIVERED,
        NOW + timedelta(minutes=2),
    )


async def until_let_go(db: Database, tries: int) -> None:
    """Until the stored delivery was tried `tries` times and let go, to be tried again later."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    query = select(WebhookDelivery.attempts, WebhookDelivery.claimed_by)
    while True:
        async with db.transaction() as tx:
            rows = (await tx.execute(query)).all()
        if rows and rows[0].attempts == tries and rows[0].claimed_by is None:
            return
        assert loop.time() < deadline, f"the delivery was not tried and let go: {rows}"
        await asyncio.sleep(0.02)
