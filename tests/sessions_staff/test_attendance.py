"""Attendance from the phone: a checklist of the people not marked yet, a person then "Hadir" or
"Tidak hadir"; "did not come" plans the kind follow-up; everyone not marked yet in one go; only
the people the staff member may act on; every mark audited."""

from __future__ import annotations

from sqlalchemy import select

from bot.inbox import Inbox
from storage.db import Database
from storage.models import Enrolment
from tests.fakes.channel import CollectingChannel
from tests.helpers.participants import add_participant
from tests.helpers.reminders import outbox
from tests.helpers.sessions_staff import (
    NOW,
    Phone,
    audit_of,
    button,
    enrol_in,
    fits_whatsapp,
    text_of,
    world,
)
from tests.helpers.staff.chat import place


async def attendance(db: Database, session: int) -> dict[int, str | None]:
    async with db.transaction() as tx:
        rows = await tx.execute(
            select(Enrolment.participant_id, Enrolment.attendance).where(
                Enrolment.session_id == session
            )
        )
        return {pid: mark for pid, mark in rows.all()}


async def test_the_caseworker_marks_one_came_and_one_absent_who_gets_the_follow_up(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    phone = Phone(inbox, channel, w.caseworker.address)
    week = await phone.says("/sesi")
    session = await phone.presses(button(week, "30/11 09.00"))
    checklist = await phone.presses(button(session, "Catat kehadiran"))

    text = text_of(checklist)
    assert "Hadir 0 · tidak hadir 0 · belum dicatat 2" in text
    names = [b.title for b in checklist[-1].buttons]
    assert names[:2] == ["Budi Santoso", "Sari Dewi"]
    assert "Agus Salim" not in names  # a colleague's participant: read-only for her

    asked = await phone.presses(button(checklist, "Budi Santoso"))
    assert "Apakah <b>Budi Santoso</b> hadir?" in text_of(asked)
    after_budi = await phone.presses(button(asked, "Hadir"))
    assert "✅ Budi Santoso: hadir." in text_of(after_budi)
    assert after_budi[-1].buttons[0].title == "Sari Dewi"

    asked = await phone.presses(button(after_budi, "Sari Dewi"))
    done = await phone.presses(button(asked, "Tidak hadir"))
    assert "❌ Sari Dewi: tidak hadir." in text_of(done)
    assert "Semua sudah dicatat" in text_of(done)

    assert await attendance(db, w.today) == {w.budi: "attended", w.sari: "absent", w.agus: None}
    follow_ups = [row for row in await outbox(db) if row.kind == "followup"]
    assert [(r.participant_id, r.session_id, r.status) for r in follow_ups] == [
        (w.sari, w.today, "pending")
    ]
    marks = await audit_of(db, "attendance")
    assert [(r.participant_id, r.detail, r.staff_id, r.channel) for r in marks] == [
        (w.budi, f"session={w.today} attended", w.caseworker.view.staff_id, channel.name),
        (w.sari, f"session={w.today} absent", w.caseworker.view.staff_id, channel.name),
    ]
    if channel.name == "whatsapp":
        for replies in (week, session, checklist, asked, after_budi, done):
            fits_whatsapp(replies)


async def test_a_mark_corrected_to_came_withdraws_the_follow_up(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    phone = Phone(inbox, channel, w.caseworker.address)
    await phone.presses(f"staff:atm:{w.today}.{w.sari}.0")
    corrections = await phone.presses(f"staff:attc:{w.today}.1")
    assert "❌ Sari Dewi" in [b.title for b in corrections[-1].buttons]

    asked = await phone.presses(button(corrections, "❌ Sari Dewi"))
    assert "tercatat sekarang: tidak hadir" in text_of(asked)
    await phone.presses(button(asked, "Hadir"))

    assert (await attendance(db, w.today))[w.sari] == "attended"
    follow_ups = [row for row in await outbox(db) if row.kind == "followup"]
    assert [r.status for r in follow_ups] == ["cancelled"]


async def test_everyone_not_marked_yet_came_in_one_go(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    admin = Phone(inbox, channel, w.admin.address)
    await admin.presses(f"staff:atm:{w.today}.{w.agus}.0")  # an admin acts on everyone
    checklist = await admin.presses(f"staff:att:{w.today}.1")

    asked = await admin.presses(button(checklist, "Semua sisa: Hadir"))
    assert "Catat 2 orang yang belum dicatat sebagai hadir?" in text_of(asked)
    done = await admin.presses(button(asked, "Ya, semua hadir"))

    assert "✅ 2 orang dicatat hadir." in text_of(done)
    assert await attendance(db, w.today) == {
        w.budi: "attended",
        w.sari: "attended",
        w.agus: "absent",
    }
    assert {r.participant_id for r in await audit_of(db, "attendance")} == {w.budi, w.sari, w.agus}
    assert [r.participant_id for r in await outbox(db) if r.kind == "followup"] == [w.agus]
    if channel.name == "whatsapp":
        fits_whatsapp(checklist + asked + done)


async def test_a_caseworker_cannot_mark_someone_she_may_only_read(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    phone = Phone(inbox, channel, w.caseworker.address)

    forged = await phone.presses(f"staff:atm:{w.today}.{w.agus}.0")
    asked = await phone.presses(f"staff:atp:{w.today}.{w.agus}")

    for replies in (forged, asked):
        assert "Tidak ada peserta dengan nomor itu yang bisa Anda tangani." in text_of(replies)
    assert (await attendance(db, w.today))[w.agus] is None
    assert [r for r in await outbox(db) if r.kind == "followup"] == []
    assert await audit_of(db, "attendance") == []


async def test_attendance_waits_until_the_session_has_begun(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    phone = Phone(inbox, channel, w.caseworker.address)
    session = await phone.says(f"/sesi {w.later}")
    assert "Catat kehadiran" not in [b.title for b in session[-1].buttons]
    assert "setelah sesi dimulai" in text_of(session)

    early = await phone.presses(f"staff:atm:{w.later}.{w.budi}.0")
    assert "setelah sesi dimulai" in text_of(early)
    assert set((await attendance(db, w.later)).values()) == {None}
    assert await audit_of(db, "attendance") == []


async def test_a_long_checklist_comes_in_pages_that_fit_a_whatsapp_list(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    for n in range(6):
        pid = await add_participant(db, f"Peserta Nomor {n + 1}", now=NOW)
        await place(db, pid, w.org, w.caseworker.view.staff_id)
        await enrol_in(db, pid, w.today)
    phone = Phone(inbox, channel, w.caseworker.address)

    first = await phone.presses(f"staff:att:{w.today}.1")
    titles = [b.title for b in first[-1].buttons]
    assert titles == [
        "Budi Santoso", "Sari Dewi", "Peserta Nomor 1", "Peserta Nomor 2", "Peserta Nomor 3",
        "Peserta Nomor 4", "Semua sisa: Hadir", "Halaman berikutnya", "Selesai",
    ]  # fmt: skip
    second = await phone.presses(button(first, "Halaman berikutnya"))
    assert [b.title for b in second[-1].buttons][:2] == ["Peserta Nomor 5", "Peserta Nomor 6"]
    assert "belum dicatat 8" in text_of(second)
    if channel.name == "whatsapp":
        fits_whatsapp(first + second)
