"""The real bot on WhatsApp against the fake Graph API: a participant who last wrote 30 hours ago
is asked about a referral through the "update" template; "Buka" shows the question, and
"Setuju" lets the partner see them."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from handlers.partners.partnerships import confirm, propose
from handlers.partners.referrals import refer
from storage import migrate
from storage.db import Database
from storage.models import Address, Participant, ReferralStatus
from tests.fakes.whatsapp import FakeGraphAPI
from tests.fakes.whatsapp.webhooks import WhatsAppUser
from tests.helpers.staff.partners import add_org, add_staff
from tests.helpers.staff.referrals import in_scope, referral
from tests.helpers.whatsapp.bot import Phone, graph_api, running_bot, titles, whatsapp_settings

SITI = WhatsAppUser(phone="6281234567001", user_id="ID.7001234567890001", name="Siti Aminah")


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphAPI]:
    async with graph_api() as server:
        yield server


async def test_asked_outside_the_24_hours_by_template_and_agreed_by_button(
    fake: FakeGraphAPI, database_url: str
) -> None:
    db = Database(database_url)
    await migrate.upgrade(db)
    now = datetime.now(UTC)
    rutan, _none = await add_org(db, "Rutan Kelas IIA Pekalongan")
    city, programs = await add_org(db, "Dinas Sosial Kota Pekalongan", programs=("Menjahit",))
    partner = await add_staff(db, city, "Pak Joko", channel="telegram", address="9002")
    async with db.transaction() as tx:
        siti = Participant(
            status="active", name="Siti Aminah", timezone="Asia/Jakarta", language="id",
            interests=[], consent_at=now, registered_at=now, organisation_id=rutan,
        )  # fmt: skip
        tx.add(siti)
        await tx.flush()
        tx.add(
            Address(
                participant_id=siti.id, channel="whatsapp", value=SITI.user_id, alias=SITI.phone,
                last_inbound_at=now - timedelta(hours=30),
            )
        )  # fmt: skip
        row = await propose(
            tx, organisation_id=rutan, partner_id=city, staff=None, channel="cli", now=now
        )
        await confirm(
            tx, partnership_id=row.id, organisation_id=city, staff=None, channel="cli", now=now
        )
        await refer(
            tx, participant=siti, organisation_id=rutan, partner_id=city, program_id=programs[0],
            staff=None, channel="cli", now=now - timedelta(seconds=1),
        )  # fmt: skip
        pid = siti.id
    await db.dispose()
    siti_id = SITI.user_id or ""
    fake.person_wrote(siti_id, time.time() - 30 * 3600)
    async with running_bot(whatsapp_settings(fake, database_url), fake) as bot:
        phone = Phone(bot, SITI)
        [announced] = await fake.wait_for(siti_id, 1, timeout=15)
        phone.seen = 1
        assert announced.kind == "template" and titles(announced) == ["Buka"]
        assert not await in_scope(bot.db, partner.view, pid)
        [question] = await phone.taps("Buka")
        assert question.kind == "interactive" and titles(question) == ["Setuju", "Tidak"]
        assert "Dinas Sosial Kota Pekalongan" in question.text and "Menjahit" in question.text
        [thanks] = await phone.taps("Setuju")
        assert "Terima kasih" in thanks.text
        assert (await referral(bot.db)).status == ReferralStatus.ACTIVE
        assert await in_scope(bot.db, partner.view, pid)
    assert fake.answers == {}  # no free text was refused: the window was respected
