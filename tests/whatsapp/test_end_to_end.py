"""The real bot (`pendamping run` with WhatsApp) against the fake Graph API, every message a signed
webhook post as Meta makes it: sign-up, /jadwal, joining a session, reminders answered by button,
by quick reply and by word, the 24-hour window, statuses, forged and repeated posts."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from handlers.outbox.queue import enqueue
from handlers.outbox.recipients import Recipient
from handlers.programs.refs import EventKind, EventRef
from storage import migrate
from storage.db import Database
from storage.models import (
    Address,
    Enrolment,
    Message,
    OutboxKind,
    Participant,
    ScheduledMessage,
)
from tests.fakes.telegram import FakeTelegramAPI
from tests.fakes.whatsapp import FakeGraphAPI
from tests.fakes.whatsapp.webhooks import WhatsAppUser, encode, post_delivery, status, text
from tests.helpers.reminders import make_session
from tests.helpers.whatsapp.bot import Phone, graph_api, running_bot, titles, whatsapp_settings

JAKARTA = ZoneInfo("Asia/Jakarta")
SITI = WhatsAppUser(phone="6281234567001", user_id="ID.7001234567890001", name="Siti Aminah")


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphAPI]:
    async with graph_api() as server:
        yield server


async def sign_up(siti: Phone) -> None:
    """The whole sign-up on WhatsApp: buttons, a list row, and typed answers."""
    [consent] = await siti.says("halo")
    assert titles(consent) == ["Setuju", "Tidak setuju", "English"]
    assert consent.kind == "interactive" and consent.message["interactive"]["type"] == "button"
    await siti.taps("Setuju")
    await siti.taps("Ya, benar")  # the name WhatsApp shows
    await siti.taps("Remaja")  # a row of a list: five groups do not fit in three buttons
    await siti.says("kota ambon")
    [phone] = await siti.says("ya")
    assert "+62 812-3456-7001" in phone.text  # WhatsApp tells us the number: one tap saves it
    assert titles(phone) == ["Pakai nomor ini", "Lewati"]
    await siti.taps("Pakai nomor ini")
    await siti.says("pelatihan")
    await siti.taps("Pagi (06-10)")
    await siti.says("tidak")
    [done] = await siti.says("benar")
    assert "Pendaftaran Anda selesai" in done.text
    assert "BANTUAN" in done.text and "/bantuan" not in done.text  # the words WhatsApp users type


async def participant_of(db: Database, identifier: str) -> Participant:
    async with db.transaction() as tx:
        query = (
            select(Participant)
            .join(Address)
            .where((Address.value == identifier) | (Address.alias == identifier))
        )
        return (await tx.execute(query)).scalar_one()


async def seeded(
    db: Database, user: WhatsAppUser, *, wrote_hours_ago: float, reminder: bool = True
) -> tuple[int, int]:
    """A participant signed up on WhatsApp who last wrote `wrote_hours_ago` hours ago, enrolled
    in a session three hours from now whose 2-hour reminder is due (if `reminder`).
    Returns (participant id, session id)."""
    await migrate.upgrade(db)
    now = datetime.now(UTC)
    starts = now + timedelta(hours=3)
    session_id = await make_session(db, starts_local=starts.astimezone(JAKARTA))
    value, alias = (user.user_id, user.phone) if user.user_id else (user.phone, None)
    async with db.transaction() as tx:
        participant = Participant(
            status="active", name="Siti Aminah", timezone="Asia/Jakarta", language="id",
            interests=[], consent_at=now, registered_at=now,
        )  # fmt: skip
        tx.add(participant)
        await tx.flush()
        tx.add(
            Address(
                participant_id=participant.id, channel="whatsapp", value=value, alias=alias,
                last_inbound_at=now - timedelta(hours=wrote_hours_ago),
            )
        )  # fmt: skip
        tx.add(Enrolment(participant_id=participant.id, session_id=session_id))
        if reminder:
            await enqueue(
                tx, kind=OutboxKind.REMINDER, recipient=Recipient(participant.id),
                key=f"e2e:{session_id}", due_at=now - timedelta(seconds=1),
                about=EventRef(EventKind.SESSION, session_id), event_at=starts,
                offset_minutes=120,
            )  # fmt: skip
        return participant.id, session_id


async def rsvp_of(db: Database, session_id: int) -> str | None:
    async with db.transaction() as tx:
        query = select(Enrolment.rsvp).where(Enrolment.session_id == session_id)
        return (await tx.execute(query)).scalar_one()


async def outbox_rows(db: Database) -> list[ScheduledMessage]:
    async with db.transaction() as tx:
        query = select(ScheduledMessage).order_by(ScheduledMessage.id)
        return list((await tx.execute(query)).scalars())


async def test_sign_up_jadwal_and_joining_a_session_all_on_whatsapp(
    fake: FakeGraphAPI, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = whatsapp_settings(fake, database_url)
    async with running_bot(settings, fake) as bot:
        starts = (datetime.now(UTC) + timedelta(days=3)).astimezone(JAKARTA)
        await make_session(bot.db, starts_local=starts, open_=True)
        siti = Phone(bot, SITI)
        await sign_up(siti)
        participant = await participant_of(bot.db, SITI.phone or "")
        assert (participant.status, participant.name) == ("active", "Siti Aminah")
        assert participant.phone == "+6281234567001"

        [schedule] = await siti.says("JADWAL")
        assert "Pelatihan Las Dasar" in schedule.text
        [joined] = await siti.taps("Ikut: Pelatihan Las…")
        assert "Anda terdaftar di *Pelatihan Las Dasar*" in joined.text
        [schedule] = await siti.says("jadwal")
        assert "Pelatihan Las Dasar" in schedule.text and "Ikut" not in str(titles(schedule))
        [menu] = await siti.says("menu")
        assert menu.message["interactive"]["type"] == "list"  # six options: a list, not buttons
        assert "Jadwal saya" in titles(menu)
    assert "inbound address=" in caplog.text  # the log was captured
    for personal in ("6281234567001", "ID.7001234567890001", "Siti", "Aminah", "ambon", "halo"):
        assert personal.lower() not in caplog.text.lower(), personal
    # Everything the bot sent was accepted by the (strict) fake, and every reply is logged sent.
    assert fake.answers == {}
    db = Database(database_url)
    async with db.transaction() as tx:
        statuses = set(
            (await tx.execute(select(Message.status).where(Message.direction == "out"))).scalars()
        )
    await db.dispose()
    assert statuses == {"sent"}


async def test_a_reminder_answered_hadir_by_button_and_tidak_bisa_by_word(
    fake: FakeGraphAPI, database_url: str
) -> None:
    db = Database(database_url)
    _pid, session_id = await seeded(db, SITI, wrote_hours_ago=2)
    await db.dispose()
    siti_phone = SITI.user_id or ""
    fake.person_wrote(siti_phone, time.time() - 2 * 3600)
    async with running_bot(whatsapp_settings(fake, database_url), fake) as bot:
        siti = Phone(bot, SITI)
        [reminder] = await fake.wait_for(siti_phone, 1, timeout=15)
        siti.seen = 1
        assert reminder.kind == "interactive"  # inside the 24 hours: the free-form message
        assert reminder.text.startswith("🔔 Pengingat: *Pelatihan Las Dasar*")
        assert titles(reminder) == ["Hadir", "Tidak bisa", "Minta jadwal ulang"]
        [thanks, *_rest] = await siti.taps("Hadir")
        assert await rsvp_of(bot.db, session_id) == "yes"
        assert "Terima kasih" in thanks.text
        await siti.says("maaf tidak bisa datang")
        assert await rsvp_of(bot.db, session_id) == "no"
        # WhatsApp cannot take buttons off a sent message: the reminder's third still works.
        [why] = await siti.taps("Minta jadwal ulang")
        assert titles(why) == ["Lewati"]
        [days] = await siti.says("anak saya sakit")
        assert days.message["interactive"]["type"] == "list"  # seven days and "Selesai"
        await siti.taps("Senin")
        await siti.taps("Selesai")
        assert await rsvp_of(bot.db, session_id) == "reschedule"
        async with httpx.AsyncClient() as http:
            metrics = (await http.get(bot.url.replace("/webhooks/whatsapp", "/metrics"))).text
        assert 'pendamping_inbound_messages_total{channel="whatsapp",kind="button"}' in metrics
        assert 'pendamping_outbound_messages_total{channel="whatsapp",status="sent"}' in metrics


async def test_a_reminder_30_hours_after_the_last_message_goes_as_a_template_and_its_quick_reply_counts(
    fake: FakeGraphAPI, database_url: str
) -> None:
    db = Database(database_url)
    _pid, session_id = await seeded(db, SITI, wrote_hours_ago=30)
    await db.dispose()
    siti_id = SITI.user_id or ""
    fake.person_wrote(siti_id, time.time() - 30 * 3600)
    async with running_bot(whatsapp_settings(fake, database_url), fake) as bot:
        siti = Phone(bot, SITI)
        [reminder] = await fake.wait_for(siti_id, 1, timeout=15)
        siti.seen = 1
        assert reminder.kind == "template"
        assert reminder.message["template"]["name"] == "pendamping_pengingat_jadwal"
        assert reminder.message["template"]["language"]["code"] == "id"
        assert titles(reminder) == ["Hadir", "Tidak bisa", "Jadwal ulang"]
        answer = await siti.taps("Hadir")  # the quick reply opens the window again
        assert await rsvp_of(bot.db, session_id) == "yes"
        assert answer and all(r.kind != "template" for r in answer)  # free-form again
    assert fake.answers == {}  # no free text was ever refused: the window was respected


async def test_a_window_refusal_reported_later_sends_the_template_once(
    database_url: str,
) -> None:
    """Meta may accept a free-form message and only later report it `failed` with 131047 (the
    window had closed after all): the reminder goes again as its template, once."""
    async with graph_api(window_failure="status") as fake:
        db = Database(database_url)
        await seeded(db, SITI, wrote_hours_ago=1)  # we think the window is open
        await db.dispose()
        siti_id = SITI.user_id or ""
        fake.person_wrote(siti_id, time.time() - 25 * 3600)  # Meta thinks it closed
        async with running_bot(whatsapp_settings(fake, database_url), fake) as bot:
            [template] = await fake.wait_for(siti_id, 1, timeout=15)
            assert template.kind == "template"
            assert fake.answers == {131047: 1}
            # A second report of the same failure changes nothing: wait for a message we cause.
            siti = Phone(bot, SITI)
            siti.seen = 1
            [menu] = await siti.says("menu")
            assert "Ada yang bisa saya bantu" in menu.text
            # (The planner has also planned her check-ins, days ahead: not this test's business.)
            rows = [r for r in await outbox_rows(bot.db) if r.kind == OutboxKind.REMINDER]
        assert [(r.status, r.template_only) for r in rows] == [("sent", True)]
        assert [r.kind for r in fake.messages_to(siti_id)] == ["template", "interactive"]


async def test_forged_unsigned_and_repeated_posts_change_nothing(
    fake: FakeGraphAPI, database_url: str
) -> None:
    async with running_bot(whatsapp_settings(fake, database_url), fake) as bot:
        delivery = encode(text(SITI, "halo"))
        unsigned = await post_delivery(bot.url, delivery, None)
        forged = await post_delivery(bot.url, delivery, "not-the-app-secret")
        assert (unsigned.status_code, forged.status_code) == (401, 403)
        siti = Phone(bot, SITI)
        # The same delivery twice (Meta retries when an answer is slow): answered once.
        first = await siti.sends(text(SITI, "halo", wamid="wamid.E2E-REPEATED-0000000001"))
        again = await siti.sends(text(SITI, "halo", wamid="wamid.E2E-REPEATED-0000000001"))
        assert len(first) == 1 and again == []
        async with bot.db.transaction() as tx:
            addresses = list((await tx.execute(select(Address))).scalars())
            inbound = list(
                (await tx.execute(select(Message).where(Message.direction == "in"))).scalars()
            )
        assert len(addresses) == 1 and len(inbound) == 1


async def test_statuses_are_recorded_and_an_undeliverable_person_is_marked_unreachable(
    fake: FakeGraphAPI, database_url: str
) -> None:
    async with running_bot(whatsapp_settings(fake, database_url), fake) as bot:
        siti = Phone(bot, SITI)
        [consent] = await siti.says("halo")
        await siti.taps("Setuju")
        first, second = siti.inbox[1:3]
        for delivery in (
            status(consent.wamid, "delivered", SITI),
            status(consent.wamid, "read", SITI),
            status(first.wamid, "delivered", SITI),
            status(second.wamid, "failed", SITI, error_code=131026, title="Message undeliverable"),
        ):
            assert (await bot.post(encode(delivery))).status_code == 200
        await bot.settled()
        async with bot.db.transaction() as tx:
            rows = {
                m.external_id: m
                for m in (
                    await tx.execute(select(Message).where(Message.direction == "out"))
                ).scalars()
            }
            address = (await tx.execute(select(Address))).scalar_one()
        assert rows[consent.wamid].status == "read" and rows[consent.wamid].read_at is not None
        assert rows[first.wamid].status == "delivered"
        assert rows[second.wamid].status == "failed"
        assert (rows[second.wamid].error or "").startswith("131026")
        assert address.blocked_at is not None  # no more messages until they write again


async def test_a_person_known_only_by_a_bsuid_signs_up_and_stays_one_person_when_the_phone_appears(
    fake: FakeGraphAPI, database_url: str
) -> None:
    async with running_bot(whatsapp_settings(fake, database_url), fake) as bot:
        hidden = WhatsAppUser(user_id="ID.7009999999999999", name="Rudi")
        rudi = Phone(bot, hidden)
        [consent] = await rudi.says("halo")
        assert consent.message.get("recipient") == "ID.7009999999999999"
        assert "to" not in consent.message
        await rudi.taps("Setuju")
        later = Phone(bot, WhatsAppUser(phone="6281298765432", user_id=hidden.user_id, name="Rudi"))
        later.seen = len(later.inbox)
        await later.says("Rudi Hartono")  # the name question, answered from the same person
        async with bot.db.transaction() as tx:
            addresses = list((await tx.execute(select(Address))).scalars())
            people = list((await tx.execute(select(Participant))).scalars())
        assert [(a.value, a.alias) for a in addresses] == [("ID.7009999999999999", "6281298765432")]
        assert len(people) == 1 and people[0].name == "Rudi Hartono"


async def test_telegram_and_whatsapp_in_one_deployment_the_same_person_linked_with_a_code(
    fake: FakeGraphAPI, database_url: str
) -> None:
    """Siti signed up on Telegram; she writes from WhatsApp, asks to link, gets a code in
    Telegram, types it on WhatsApp: one participant with two chats, reminders to the newer."""
    db = Database(database_url)
    await migrate.upgrade(db)
    async with db.transaction() as tx:
        siti = Participant(
            status="active", name="Siti Aminah", timezone="Asia/Jakarta", language="id",
            interests=[], phone="+6281234567001",
            consent_at=datetime.now(UTC), registered_at=datetime.now(UTC),
        )  # fmt: skip
        tx.add(siti)
        await tx.flush()
        tx.add(Address(participant_id=siti.id, channel="telegram", value="5001"))
    await db.dispose()
    async with FakeTelegramAPI() as telegram:
        user = telegram.user(5001, first_name="Siti")
        settings = whatsapp_settings(
            fake,
            database_url,
            telegram_bot_token=telegram.token,
            telegram_api_url=telegram.url,
            telegram_process="same",
        )
        async with running_bot(settings, fake) as bot:
            await telegram.wait_for_call("getupdates", timeout=15)
            user.send_text("/jadwal")  # she uses the bot on Telegram
            assert "Belum ada sesi" in (await user.next_message(timeout=10))["text"]
            phone = Phone(bot, SITI)
            await phone.says("HUBUNGKAN")
            code_message = await user.next_message(timeout=10)
            code = re.search(r"\b(\d{6})\b", code_message["text"])
            assert code is not None, code_message["text"]
            [linked, *_menu] = await phone.says(code.group(1))
            assert "terhubung" in linked.text.lower()
            [profile, *_rest] = await phone.says("PROFIL")
            assert "Telegram, WhatsApp" in profile.text
            async with bot.db.transaction() as tx:
                addresses = list((await tx.execute(select(Address).order_by(Address.id))).scalars())
                people = list((await tx.execute(select(Participant))).scalars())
    assert len(people) == 1
    assert [(a.channel, a.participant_id) for a in addresses] == [
        ("telegram", people[0].id),
        ("whatsapp", people[0].id),
    ]
