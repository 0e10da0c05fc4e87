"""The real bot on WhatsApp against the fake Graph API: a caseworker who joined with an invite
opens /sesi, the session that began an hour ago, and marks one person absent and the other
present with list rows and reply buttons; the absent one's follow-up is planned."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from storage import migrate
from storage.db import Database
from storage.models import AuditEntry, ScheduledMessage, Staff
from tests.fakes.whatsapp.webhooks import WhatsAppUser
from tests.helpers.sessions_staff import begun_session
from tests.helpers.staff.chat import add_organisation, make_invite
from tests.helpers.whatsapp.bot import Phone, graph_api, options_of, running_bot, whatsapp_settings


def title_of(phone: Phone, payload: str) -> str:
    """The title of the row or button that sends `payload`, on the latest message with one."""
    for received in reversed(phone.inbox):
        for sent, title, _kind in options_of(received):
            if sent == payload:
                return title
    raise AssertionError(f"nothing sends {payload!r}")


async def test_a_caseworker_takes_attendance_on_whatsapp(database_url: str) -> None:
    db = Database(database_url)
    await migrate.upgrade(db)
    org = await add_organisation(db, "Bapas Kelas I Semarang")
    code = await make_invite(db, org, now=datetime.now(UTC), name="Rina Wulandari")
    await db.dispose()
    async with (
        graph_api() as fake,
        running_bot(whatsapp_settings(fake, database_url), fake) as bot,
    ):
        rina = Phone(bot, WhatsAppUser(phone="6281234567002", name="Rina"))
        await rina.says(f"KODE {code}")
        await rina.taps("Ya")
        async with bot.db.transaction() as tx:
            staff_id = (await tx.execute(select(Staff.id))).scalar_one()
        session, (budi, sari) = await begun_session(
            bot.db, org, staff_id, datetime.now(UTC).replace(microsecond=0)
        )

        week = await rina.says("/sesi")
        assert "Kursi 2/10" in week[-1].text
        opened = await rina.taps(title_of(rina, f"staff:ses:{session}"))
        assert "Budi Santoso: Belum menjawab" in opened[-1].text
        checklist = await rina.taps("Catat kehadiran")
        assert "belum dicatat 2" in checklist[-1].text
        await rina.taps("Budi Santoso")
        after = await rina.taps("Tidak hadir")
        assert "Budi Santoso: tidak hadir" in after[-1].text
        await rina.taps("Sari Dewi")
        done = await rina.taps("Hadir")
        assert "Semua sudah dicatat" in done[-1].text

        async with bot.db.transaction() as tx:
            follow_ups = (
                await tx.execute(
                    select(ScheduledMessage.participant_id).where(
                        ScheduledMessage.kind == "followup"
                    )
                )
            ).scalars()
            assert list(follow_ups) == [budi]
            marks = (
                await tx.execute(
                    select(AuditEntry.participant_id, AuditEntry.detail, AuditEntry.channel)
                    .where(AuditEntry.action == "attendance")
                    .order_by(AuditEntry.id)
                )
            ).all()
        assert [tuple(m) for m in marks] == [
            (budi, f"session={session} absent", "whatsapp"),
            (sari, f"session={session} attended", "whatsapp"),
        ]
