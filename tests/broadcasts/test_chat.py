"""/siaran in chat, on Telegram and WhatsApp: write, choose the audience step by step, preview
(the discreet warning and a neutral version), send now or at a local time, list and stop; only
admins, and only their own organisation."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.flow import FlowSettings
from handlers.types import Reply
from storage.db import Database
from storage.models import ParticipantStatus, ScheduledStatus
from tests.helpers.broadcasts import (
    Person,
    add_org,
    add_person,
    add_program,
    add_session,
    broadcast_rows,
)
from tests.helpers.sessions_staff import fits_whatsapp
from tests.helpers.staff.chat import join_as_staff
from tests.helpers.staff.cli import audit_rows
from tests.helpers.two_channels import two_channels

CHANNELS = ["telegram", "whatsapp"]
MONTHS = dict(
    enumerate(
        ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"], 1
    )
)
TEXT = "Pelatihan las di Bapas mulai Senin 7 Desember."


def titles(replies: list[Reply]) -> list[str]:
    return [b.title for r in replies for b in r.buttons]


def said(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


@pytest.mark.parametrize("channel_name", CHANNELS)
async def test_an_admin_broadcasts_to_one_citys_program_members(
    db: Database, settings: FlowSettings, channel_name: str
) -> None:
    org = await add_org(db, "Bapas Kelas I Jakarta")
    program = await add_program(db, org, "Las")
    bekasi = "kota-bekasi"
    chosen = [
        await add_person(db, Person(org, city_key=bekasi, programs=(program,))),
        await add_person(db, Person(org, city_key=bekasi, programs=(program,), discreet=True)),
        await add_person(
            db, Person(org, city_key=bekasi, programs=(program,), chats=("whatsapp",))
        ),
    ]
    await add_person(db, Person(org, city_key=bekasi))  # not in the program
    await add_person(db, Person(org, city_key="kota-bogor", programs=(program,)))
    await add_person(
        db, Person(org, city_key=bekasi, programs=(program,), status=ParticipantStatus.STOPPED)
    )
    async with two_channels(db, settings) as bot:
        admin = bot.person(channel_name, profile_name="Rina Admin")
        await join_as_staff(admin, db, org, role="admin", name="Rina Admin")

        asked = await admin.says("/siaran")  # nothing sent yet: straight to writing
        assert "Tulis pengumumannya dalam bahasa Indonesia" in said(asked)
        english = await admin.says(TEXT)
        assert titles(english) == ["Lewati"]
        audience = await admin.presses("staff:bc_skip:en")
        assert "Semua peserta lembaga Anda" in said(audience)
        assert "Penerima: 5 (Telegram 4, WhatsApp 1)" in said(audience)
        assert "Tidak menerima: 1 (pesan dihentikan 1)" in said(audience)
        assert len(titles(audience)) == 10
        fits_whatsapp(audience)

        cities = await admin.presses("staff:bc_kind:city")
        assert titles(cities)[:2] == ["Kota Bekasi", "Kota Bogor"]
        fits_whatsapp(cities)
        audience = await admin.presses("staff:bc_add:city/kota-bekasi")
        assert "Kota/kabupaten: Kota Bekasi" in said(audience)
        assert "Penerima: 4 (Telegram 3, WhatsApp 1)" in said(audience)
        await admin.presses("staff:bc_kind:prog")
        audience = await admin.says(str(program))  # a program's number typed
        assert "Program: Las" in said(audience)
        assert "Penerima: 3 (Telegram 2, WhatsApp 1)" in said(audience)

        preview = await admin.presses("staff:bc_kind:done")
        shown = said(preview)
        assert "Penerima dengan mode rahasia: 1" in shown
        assert TEXT in shown  # as most see it
        assert "Pelatihan las di … mulai Senin 7 Desember." in shown  # as the discreet one would
        assert titles(preview[-1:]) == ["Kirim sekarang", "Jadwalkan", "Versi netral", "Batal"]
        fits_whatsapp(preview)

        await admin.presses("staff:bc_go:neutral")
        refused = await admin.says("Pelatihan las di Lapas.")
        assert "masih menyebut nama lembaga" in said(refused)
        preview = await admin.says("Pelatihan las mulai Senin 7 Desember.")
        assert "mode rahasia: 1" not in said(preview)  # no warning now
        assert "Pelatihan las mulai Senin 7 Desember." in said(preview)

        done = await admin.presses("staff:bc_go:now")
        assert "sedang dikirim ke 3 orang" in said(done)
        broadcast_id = int(said(done).split("#")[1].split()[0])
        rows = await broadcast_rows(db, broadcast_id)
        assert [r.participant_id for r in rows] == chosen
        again = await admin.presses("staff:bc_go:now")  # an old button pressed again
        assert "sudah tidak terbuka" in said(again)
        assert len(await broadcast_rows(db, broadcast_id)) == 3

        listed = await admin.says("/siaran")
        assert f"#{broadcast_id}" in said(listed) and "menunggu 3" in said(listed)
        assert titles(listed) == ["Siaran baru", f"Hentikan #{broadcast_id}"]
        ask = await admin.presses(f"staff:bc_stop:{broadcast_id}")
        assert titles(ask) == ["Ya, hentikan", "Tidak, biarkan"]
        stopped = await admin.presses(f"staff:bc_stopped:{broadcast_id}")
        assert "sudah dihentikan" in said(stopped) and "dibatalkan 3" in said(stopped)
    assert {r.status for r in await broadcast_rows(db, broadcast_id)} == {ScheduledStatus.CANCELLED}
    entries = await audit_rows(db, "broadcast")
    assert [(e.detail or "").split()[1] for e in entries] == ["send", "cancel"]
    assert all(e.staff_id is not None and e.channel == channel_name for e in entries)
    assert f"program_ids={program}" in (entries[0].detail or "")


@pytest.mark.parametrize("channel_name", CHANNELS)
async def test_scheduled_for_tomorrow_morning_in_each_zone(
    db: Database, settings: FlowSettings, channel_name: str
) -> None:
    org = await add_org(db, "Bapas Kelas I Jakarta")
    zones = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
    people = {await add_person(db, Person(org, timezone=zone)): zone for zone in zones}
    async with two_channels(db, settings) as bot:
        admin = bot.person(channel_name, profile_name="Rina Admin")
        await join_as_staff(admin, db, org, role="admin", name="Rina Admin")
        await admin.says("/siaran")
        await admin.says("Besok ada bazar kerja di balai kota.")
        await admin.says("lewati")
        await admin.says("lanjut")
        asked = await admin.says("Jadwalkan")  # a button's title typed
        assert "Kapan pesan ini sampai?" in said(asked)
        unread = await admin.says("kapan-kapan")
        assert "belum paham" in said(unread)
        done = await admin.says("besok 09.00")
    assert "dijadwalkan untuk 3 orang" in said(done) and "pukul 09.00" in said(done)
    broadcast_id = int(said(done).split("#")[1].split()[0])
    tomorrow = datetime.now(UTC).astimezone(ZoneInfo("Asia/Jakarta")).date() + timedelta(days=1)
    for row in await broadcast_rows(db, broadcast_id):
        assert row.participant_id is not None
        local = row.due_at.astimezone(ZoneInfo(people[row.participant_id]))
        assert (local.date(), local.time()) == (tomorrow, time(9, 0))


async def test_only_admins_and_only_their_own_organisation(
    db: Database, settings: FlowSettings
) -> None:
    org = await add_org(db, "Bapas Kelas I Jakarta")
    other = await add_org(db, "Bapas Ambon")
    their_program = await add_program(db, other, "Menjahit")
    await add_person(db, Person(org))
    await add_person(db, Person(other, programs=(their_program,)))
    async with two_channels(db, settings) as bot:
        caseworker = bot.person("whatsapp", "6281200000001", profile_name="Budi")
        await join_as_staff(caseworker, db, org, role="caseworker", name="Budi")
        refused = await caseworker.says("/siaran")
        assert "Tidak ada perintah staf /siaran" in said(refused)

        admin = bot.person("telegram", profile_name="Rina Admin")
        await join_as_staff(admin, db, org, role="admin", name="Rina Admin")
        await admin.says("/siaran")
        await admin.says("Halo semua")
        await admin.says("lewati")
        await admin.presses("staff:bc_kind:prog")
        refused = await admin.presses(f"staff:bc_add:prog/{their_program}")
        assert "Pilihan itu tidak ada di lembaga Anda" in said(refused)
        refused = await admin.says(str(their_program))
        assert "Pilihan itu tidak ada di lembaga Anda" in said(refused)
        stop = await admin.presses("staff:bc_stop:999")
        assert "sudah tidak berjalan" in said(stop)


async def test_by_session_interest_app_language_and_not_responding(
    db: Database, settings: FlowSettings
) -> None:
    org = await add_org(db, "Bapas Kelas I Jakarta")
    program = await add_program(db, org, "Las")
    starts = datetime.now(UTC).replace(hour=2, minute=0, second=0, microsecond=0)
    session = await add_session(db, program, starts + timedelta(days=2))
    day = (starts + timedelta(days=2)).astimezone(ZoneInfo("Asia/Jakarta"))
    await add_person(db, Person(org, sessions=(session,), interests=["legal"]))
    await add_person(db, Person(org, sessions=(session,), chats=("whatsapp",), language="en"))
    await add_person(db, Person(org, sessions=(session,), expired_checkins=2))
    async with two_channels(db, settings) as bot:
        admin = bot.person("whatsapp", profile_name="Rina Admin")
        await join_as_staff(admin, db, org, role="admin", name="Rina Admin")
        for text in ("/siaran", "Jadwal berubah.", "lewati"):
            await admin.says(text)
        sessions = await admin.presses("staff:bc_kind:sess")
        assert titles(sessions) == [f"{day.day} {MONTHS[day.month]} Las", "Kembali"]
        audience = await admin.presses(f"staff:bc_add:sess/{session}")
        assert f"Sesi: {day.day} {MONTHS[day.month]} Las (#{session})" in said(audience)
        assert "Penerima: 3" in said(audience)
        steps = {
            "int": ("staff:bc_add:int/legal", "Minat: Bantuan hukum", "Penerima: 1"),
            "chan": ("staff:bc_add:chan/whatsapp", "Aplikasi: WhatsApp", "Penerima: 0"),
        }
        for kind, (press, line, figure) in steps.items():
            await admin.presses(f"staff:bc_kind:{kind}")
            audience = await admin.presses(press)
            assert line in said(audience) and figure in said(audience), said(audience)
        empty = await admin.presses("staff:bc_kind:done")
        assert "tidak ada yang bisa menerimanya" in said(empty)
        audience = await admin.presses("staff:bc_kind:all")  # start again: everyone
        assert "Semua peserta lembaga Anda" in said(audience)
        await admin.presses("staff:bc_kind:lang")
        audience = await admin.presses("staff:bc_add:lang/en")
        assert "Bahasa: bahasa Inggris" in said(audience) and "Penerima: 1" in said(audience)
        audience = await admin.presses("staff:bc_kind:all")
        audience = await admin.presses("staff:bc_kind:silent")
        assert "Tidak menjawab kabar" in said(audience) and "Penerima: 1" in said(audience)
