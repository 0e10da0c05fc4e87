"""The real bot on WhatsApp against the fake Graph API: a check-in answered "1" brings the
caseworker's alert at once; outside the caseworker's 24 hours it goes as the alert template,
whose "Buka" shows every answer and "Saya tangani" takes it on from the lock screen; inside them
it carries the buttons, and "Saya tangani" works from the phone."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storage import migrate
from storage.db import Database
from storage.models import Address, AuditEntry, Flag, Participant
from tests.fakes.whatsapp import FakeGraphAPI
from tests.fakes.whatsapp.webhooks import WhatsAppUser
from tests.helpers.digest import add_org, add_staff
from tests.helpers.whatsapp.bot import (
    Phone,
    arrives,
    graph_api,
    is_template,
    running_bot,
    template_text,
    titles,
    whatsapp_settings,
)

YUSUF = WhatsAppUser(phone="6281234560001", name="Yusuf Latuconsina")
BUDI = WhatsAppUser(phone="6281234569001", name="Budi Santoso")
ANSWERS = ("1", "cari kerja", "gak ada tempat tinggal", "kerja", "ya", "lewati")


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphAPI]:
    async with graph_api() as server:
        yield server


async def _seed(database_url: str, budi_wrote_hours_ago: float) -> None:
    """Yusuf in Ambon, signed up; Budi his caseworker, on WhatsApp."""
    db = Database(database_url)
    await migrate.upgrade(db)
    now = datetime.now(UTC)
    org = await add_org(db, "Bapas Ambon")
    budi = await add_staff(
        db, org, "Budi Santoso", address=BUDI.phone or "", channel="whatsapp", zone="WIT",
        wrote_at=now - timedelta(hours=budi_wrote_hours_ago),
    )  # fmt: skip
    async with db.transaction() as tx:
        yusuf = Participant(
            status="active", name="Yusuf Latuconsina", timezone="Asia/Jayapura", language="id",
            interests=[], consent_at=now, registered_at=now, organisation_id=org,
            caseworker_id=budi,
        )  # fmt: skip
        tx.add(yusuf)
        await tx.flush()
        tx.add(
            Address(
                participant_id=yusuf.id, channel="whatsapp", value=YUSUF.phone, last_inbound_at=now
            )
        )
    await db.dispose()


async def _check_in(yusuf: Phone) -> None:
    await yusuf.says("KABAR")
    for answer in ANSWERS:
        await yusuf.says(answer)


async def test_a_checkin_answered_1_alerts_the_caseworker_as_the_alert_template(
    fake: FakeGraphAPI, database_url: str
) -> None:
    await _seed(database_url, budi_wrote_hours_ago=30)
    fake.person_wrote(BUDI.phone or "", time.time() - 30 * 3600)
    async with running_bot(whatsapp_settings(fake, database_url), fake) as bot:
        await _check_in(Phone(bot, YUSUF))
        # (At 07.00 WIT his morning digest may come first.)
        alert = await arrives(fake, BUDI.phone or "", is_template("pendamping_peringatan"))
        lock_screen = template_text(alert)
        assert lock_screen.startswith("Peringatan: Yusuf Latuconsina (#")
        assert "merasa sangat buruk" in lock_screen and "tempat tinggal" in lock_screen
        assert "Tempat tinggal aman: Tidak" not in lock_screen  # the answers wait for "Buka"
        budi = Phone(bot, BUDI)
        budi.seen = len(budi.inbox)
        [shown] = await budi.taps_on(alert, "Buka")
        assert "Peringatan: Yusuf Latuconsina" in shown.text
        assert "Sangat buruk" in shown.text and "Tempat tinggal aman: Tidak" in shown.text
        assert titles(shown) == ["Saya tangani", "Selesai", "Lihat kartu"]
        # "Saya tangani" straight from the template, as from the lock screen
        [taken] = await budi.taps_on(alert, "Saya tangani")
        assert "Anda menangani peringatan" in taken.text
        async with bot.db.transaction() as tx:
            flags = list((await tx.execute(select(Flag))).scalars())
            looks = (
                await tx.execute(select(AuditEntry.action).where(AuditEntry.action == "view"))
            ).scalars()
        assert flags and all(flag.acknowledged_at is not None for flag in flags)
        assert list(looks) == ["view"]  # opening the alert was a look at their data
    assert fake.answers == {}  # no free text was refused: the window was respected


async def test_inside_the_window_the_alert_has_its_buttons_and_saya_tangani_works(
    fake: FakeGraphAPI, database_url: str
) -> None:
    await _seed(database_url, budi_wrote_hours_ago=1)
    fake.person_wrote(BUDI.phone or "", time.time() - 3600)
    async with running_bot(whatsapp_settings(fake, database_url), fake) as bot:
        await _check_in(Phone(bot, YUSUF))
        alert = await arrives(fake, BUDI.phone or "", lambda m: "Peringatan: Yusuf" in m.text)
        assert alert.kind == "interactive"
        assert "Peringatan: Yusuf Latuconsina" in alert.text
        assert titles(alert) == ["Saya tangani", "Selesai", "Lihat kartu"]
        budi = Phone(bot, BUDI)
        budi.seen = len(budi.inbox)
        [taken] = await budi.taps_on(alert, "Saya tangani")
        assert "Anda menangani peringatan" in taken.text
        async with bot.db.transaction() as tx:
            flags = list((await tx.execute(select(Flag))).scalars())
        assert flags and all(flag.acknowledged_at is not None for flag in flags)
