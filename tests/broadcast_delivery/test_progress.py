"""The sender follows a broadcast: on Telegram one progress message edited in place (the fake Bot
API records the edits), on WhatsApp, which cannot edit, a few milestones; at the end the figures,
which add up, and the broadcast is DONE. Someone who blocked the bot is counted and marked
unreachable; someone who stopped messages is skipped, and the figures say why."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot.channels.protocol import Channel
from bot.channels.telegram.channel import TelegramChannel
from bot.outbox.broadcast_progress import BroadcastProgress
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.limits import ChannelLimits, Limiters
from handlers.reminders.rules import ReminderPolicy
from storage.db import Database
from storage.models import Broadcast, BroadcastStatus, Participant, ParticipantStatus
from tests.fakes.channel import CollectingChannel
from tests.fakes.telegram import FakeTelegramAPI
from tests.helpers.broadcast_rows import add_broadcast, add_recipient, broadcast_row, figures
from tests.helpers.digest import add_org, add_staff
from tests.helpers.fake_telegram import make_bot
from tests.helpers.reminders import Clock

T0 = datetime.now(UTC).replace(microsecond=0)
FAST = Limiters(limits={}, unlisted=ChannelLimits(per_second=10_000, per_chat_interval=0))
ANNOUNCEMENT = "Bursa kerja di Balai Kota hari Sabtu, pukul 09.00."


def outbox(db: Database, channels: Mapping[str, Channel], clock: Clock) -> Dispatcher:
    return Dispatcher(db, channels, ReminderPolicy(), limiters=FAST, clock=clock)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


async def status_of(db: Database, pid: int) -> str:
    async with db.transaction() as tx:
        found = await tx.get(Participant, pid)
        assert found is not None
        return found.status


async def test_on_telegram_one_progress_message_is_edited_then_the_figures_come(
    db: Database, fake: FakeTelegramAPI
) -> None:
    org = await add_org(db, "Dinas Sosial Kota Pekalongan")
    rina = await add_staff(db, org, "Rina Wati", address="9003", role="admin")
    sender = fake.user(9003, "Rina")
    sender.send_text("/start")  # each has talked to the bot once: Telegram knows the chat
    people = []
    for n, name in enumerate(("Siti Aminah", "Agus Pratama", "Joko Susilo", "Dewi Sartika")):
        fake.user(1001 + n, name.split()[0]).send_text("/start")
        people.append(await add_recipient(db, org, name, channel="telegram", address=str(1001 + n)))
    fake.user(1004).block_bot()  # Dewi blocked the bot: Telegram answers 403
    due = {people[0]: T0, people[1]: T0 + timedelta(hours=1)}
    due |= {people[2]: T0 + timedelta(hours=2), people[3]: T0 + timedelta(hours=2)}
    bid = await add_broadcast(db, org, rina, people, text=ANNOUNCEMENT, due=due)

    clock = Clock(T0 + timedelta(seconds=1))
    async with make_bot(fake) as bot:
        dispatcher = outbox(db, {"telegram": TelegramChannel(bot)}, clock)
        progress = BroadcastProgress(dispatcher)
        assert await dispatcher.run_once() == 1
        assert await progress.step() == 1
        assert await progress.step() == 0  # nothing changed: no edit
        clock.now = T0 + timedelta(hours=1, seconds=1)
        assert await dispatcher.run_once() == 1
        assert await progress.step() == 1
        clock.now = T0 + timedelta(hours=2, seconds=1)
        assert await dispatcher.run_once() == 1  # Dewi's failed
        assert await progress.step() == 1
        assert await progress.step() == 0  # finished: told once

    first, edit, final = sender.inbox  # what the bot sent Rina, edits included
    assert [m["method"] for m in (first, edit, final)] == [
        "sendMessage", "editMessageText", "sendMessage",
    ]  # fmt: skip
    assert edit["message_id"] == first["message_id"]  # the same message, updated in place
    assert f"Pengumuman #{bid} sedang dikirim" in first["text"]
    assert "1 dari 4 selesai" in first["text"] and "2 dari 4 selesai" in edit["text"]
    assert f"Pengumuman #{bid} selesai dikirim" in final["text"]
    assert "Penerima: 4" in final["text"] and "Terkirim: 3" in final["text"]
    assert "Memblokir bot atau chat tidak ada lagi: 1" in final["text"]
    counted = await figures(db, bid)
    assert counted.adds_up() and (counted.sent, counted.unreachable, counted.waiting) == (3, 1, 0)
    done = await broadcast_row(db, bid)
    assert done.status == BroadcastStatus.DONE and done.finished_at is not None
    assert await status_of(db, people[3]) == ParticipantStatus.UNREACHABLE
    assert await status_of(db, people[0]) == ParticipantStatus.ACTIVE


async def test_on_whatsapp_the_sender_gets_milestones_and_the_figures_say_who_was_skipped(
    db: Database,
) -> None:
    channel = CollectingChannel("whatsapp")
    org = await add_org(db, "Dinas Sosial Kota Ambon")
    rina = await add_staff(
        db, org, "Rina Wati", address="628119003", channel="whatsapp", role="admin",
        wrote_at=T0 - timedelta(hours=2),
    )  # fmt: skip
    people = [
        await add_recipient(db, org, name, channel="whatsapp", address=f"62811100{n}")
        for n, name in enumerate(("Siti Aminah", "Agus Pratama", "Joko Susilo", "Dewi Sartika"))
    ]
    due = {people[0]: T0, people[1]: T0 + timedelta(hours=1)}
    due |= {people[2]: T0 + timedelta(hours=2), people[3]: T0 + timedelta(hours=2)}
    bid = await add_broadcast(db, org, rina, people, text=ANNOUNCEMENT, due=due)
    async with db.transaction() as tx:  # Joko stopped messages after it was written
        await tx.execute(
            update(Participant).where(Participant.id == people[2]).values(status="stopped")
        )
    channel.unreachable.add("628111003")  # Dewi's number is gone

    clock = Clock(T0 + timedelta(seconds=1))
    dispatcher = outbox(db, {"whatsapp": channel}, clock)
    progress = BroadcastProgress(dispatcher)
    told: list[str] = []
    for hours in (0, 1, 2):
        clock.now = T0 + timedelta(hours=hours, seconds=1)
        await dispatcher.run_once()
        before = len(channel.sent)
        await progress.step()
        await progress.step()  # looking again changes nothing: a milestone is told once
        told += [reply.text for to, reply in channel.sent[before:] if to == "628119003"]
    progress_replies = [reply for to, reply in channel.sent if to == "628119003"]
    assert all(r.edit_ref is None for r in progress_replies)  # WhatsApp cannot edit
    assert all(r.template is not None and r.template.key == "notice" for r in progress_replies)
    started, half, final = told
    assert "1 dari 4 selesai" in started and "2 dari 4 selesai" in half
    assert "Terkirim: 2" in final
    assert "Memblokir bot atau chat tidak ada lagi: 1" in final
    assert "Tidak dikirim: 1 (pesan dihentikan: 1)" in final
    counted = await figures(db, bid)
    assert counted.adds_up() and counted.skipped == {"participant stopped": 1}
    assert (await broadcast_row(db, bid)).status == BroadcastStatus.DONE


async def test_a_cancelled_broadcast_says_how_many_got_it(db: Database) -> None:
    channel = CollectingChannel("telegram")
    org = await add_org(db, "Dinas Sosial Kota Ambon")
    rina = await add_staff(db, org, "Rina Wati", address="9003", role="admin")
    people = [
        await add_recipient(db, org, name, channel="telegram", address=str(1001 + n))
        for n, name in enumerate(("Siti Aminah", "Agus Pratama"))
    ]
    due = {people[0]: T0, people[1]: T0 + timedelta(hours=1)}
    bid = await add_broadcast(db, org, rina, people, text=ANNOUNCEMENT, due=due)
    clock = Clock(T0 + timedelta(seconds=1))
    dispatcher = outbox(db, {"telegram": channel}, clock)
    await dispatcher.run_once()
    async with db.transaction() as tx:  # what cancelling does (composing's /siaran batal)
        found = await tx.get(Broadcast, bid)
        assert found is not None
        found.status, found.cancelled_at = BroadcastStatus.CANCELLED, T0
    clock.now = T0 + timedelta(hours=1, seconds=1)
    await dispatcher.run_once()  # the row left is cancelled when it falls due
    await BroadcastProgress(dispatcher).step()
    final = [reply.text for to, reply in channel.sent if to == "9003"][-1]
    assert f"Pengumuman #{bid} dibatalkan" in final
    assert "Terkirim: 1" in final and "Tidak dikirim karena dibatalkan: 1" in final
    counted = await figures(db, bid)
    assert counted.adds_up() and (counted.sent, counted.cancelled) == (1, 1)
    ended = await broadcast_row(db, bid)
    assert ended.status == BroadcastStatus.CANCELLED and ended.finished_at is not None


async def test_two_bot_processes_tell_the_sender_the_figures_once(db: Database) -> None:
    """Both look at the finished broadcast at the same moment: one of them finishes it and
    tells the sender; the other finds it finished (on PostgreSQL, as two processes would)."""
    channel = CollectingChannel("telegram")
    org = await add_org(db, "Dinas Sosial Kota Ambon")
    rina = await add_staff(db, org, "Rina Wati", address="9003", role="admin")
    pid = await add_recipient(db, org, "Siti Aminah", channel="telegram", address="1001")
    bid = await add_broadcast(db, org, rina, [pid], text=ANNOUNCEMENT, due=T0)
    clock = Clock(T0 + timedelta(seconds=1))
    one, two = outbox(db, {"telegram": channel}, clock), outbox(db, {"telegram": channel}, clock)
    await one.run_once()
    told = await asyncio.gather(BroadcastProgress(one).step(), BroadcastProgress(two).step())
    assert sorted(told) == [0, 1]
    finals = [r.text for to, r in channel.sent if to == "9003" and "selesai dikirim" in r.text]
    assert len(finals) == 1 and f"#{bid}" in finals[0]
