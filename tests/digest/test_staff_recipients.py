"""Staff members as outbox recipients: a durable notice reaches the staff member's chat in their
language, goes as the "notice" template where only templates may go, never reaches a revoked
member, keeps no text in the message log, and forgets what it said about an erased person."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from handlers.i18n import N_
from handlers.outbox.kinds import notify_staff
from handlers.outbox.recipients import Recipient
from handlers.types import Template
from storage.db import Database
from storage.erasure import erase_participant
from storage.models import Message, Participant, ScheduledMessage, ScheduledStatus, Staff
from tests.fakes.channel import CollectingChannel
from tests.helpers.digest import add_org, add_person, add_staff, utc
from tests.helpers.reminders import Clock, dispatcher

NOW = utc(2026, 11, 30, 3, 0)
ASKED = N_("{name} (#{id}) asked for a call.")


async def notices(db: Database) -> list[ScheduledMessage]:
    async with db.transaction() as tx:
        return list((await tx.execute(select(ScheduledMessage))).scalars())


@pytest.mark.parametrize("channel_name", ["telegram", "whatsapp"])
async def test_a_notice_reaches_the_staff_chat_once_even_across_a_restart(
    db: Database, channel_name: str
) -> None:
    channel = CollectingChannel(channel_name)
    org = await add_org(db, "Bapas Pekalongan")
    budi = await add_staff(db, org, "Budi Santoso", address="9001", channel=channel_name)
    siti = await add_person(db, "Siti <Aminah>", org, budi, now=NOW)
    async with db.transaction() as tx:
        added = await notify_staff(
            tx, budi, ASKED, NOW, params={"name": "Siti <Aminah>", "id": str(siti)}, about=siti,
            key="asked:1",
        )  # fmt: skip
        again = await notify_staff(tx, budi, ASKED, NOW, params={}, key="asked:1")
    assert (added, again) == (True, False)
    assert await dispatcher(db, channel, Clock(NOW)).run_once() == 1
    [(to, reply)] = channel.sent
    assert to == "9001"
    assert reply.text == f"Siti &lt;Aminah&gt; (#{siti}) asked for a call."  # no catalog entry
    assert reply.template == Template("notice", (reply.text,))
    assert await dispatcher(db, channel, Clock(NOW)).run_once() == 0  # a new process: nothing
    async with db.transaction() as tx:
        [logged] = list((await tx.execute(select(Message))).scalars())
    assert (logged.participant_id, logged.body, logged.kind) == (None, None, "staff_notice")


async def test_a_revoked_staff_member_is_unreachable(db: Database) -> None:
    channel = CollectingChannel("telegram")
    org = await add_org(db, "Bapas Pekalongan")
    budi = await add_staff(db, org, "Budi Santoso", address="9001")
    async with db.transaction() as tx:
        await notify_staff(tx, budi, ASKED, NOW, params={"name": "Siti", "id": "1"})
        staff = await tx.get(Staff, budi)
        assert staff is not None
        staff.status = "revoked"
    assert await dispatcher(db, channel, Clock(NOW)).run_once() == 0
    assert channel.sent == []
    [row] = await notices(db)
    assert (row.status, row.error) == (ScheduledStatus.SKIPPED, "staff revoked")


async def test_a_notice_about_an_erased_participant_forgets_them(db: Database) -> None:
    channel = CollectingChannel("telegram")
    org = await add_org(db, "Bapas Pekalongan")
    budi = await add_staff(db, org, "Budi Santoso", address="9001")
    siti = await add_person(db, "Siti Aminah", org, budi, now=NOW)
    async with db.transaction() as tx:
        await notify_staff(
            tx, budi, ASKED, NOW, params={"name": "Siti Aminah", "id": str(siti)}, about=siti
        )
        participant = await tx.get(Participant, siti)
        assert participant is not None
        await erase_participant(tx, participant, NOW)
    [row] = await notices(db)
    assert row.data is None and row.about_id is None
    assert await dispatcher(db, channel, Clock(NOW)).run_once() == 0
    assert channel.sent == []


async def test_a_row_is_for_exactly_one_recipient(db: Database) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Recipient()
    with pytest.raises(ValueError, match="exactly one"):
        Recipient(participant_id=1, staff_id=1)
    org = await add_org(db, "Bapas Pekalongan")
    budi = await add_staff(db, org, "Budi Santoso", address="9001")
    siti = await add_person(db, "Siti Aminah", org, budi, now=NOW)
    for columns in ({}, {"participant_id": siti, "staff_id": budi}):
        with pytest.raises(IntegrityError):
            async with db.transaction() as tx:
                tx.add(ScheduledMessage(key="x", kind="staff_notice", due_at=NOW, **columns))
                await tx.flush()
