"""Scheduling an appointment from the phone: kind, day, time, place, confirm, with days and
times typed as staff say them; the participant gets the usual confirmation and reminders; an
"Offer a new time" on a request ends in one and deals with the request; scope on every step."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.inbox import Inbox
from storage.db import Database
from storage.models import Appointment, Occurrence
from tests.fakes.channel import CollectingChannel
from tests.helpers.reminders import outbox
from tests.helpers.sessions_staff import (
    Phone,
    answer,
    audit_of,
    button,
    fits_whatsapp,
    reporting_asked_to_reschedule,
    text_of,
    world,
)


async def appointments(db: Database) -> list[Appointment]:
    async with db.transaction() as tx:
        return list((await tx.execute(select(Appointment).order_by(Appointment.id))).scalars())


async def occurrence_ids(db: Database, appointment: int) -> list[int]:
    async with db.transaction() as tx:
        query = select(Occurrence.id).where(Occurrence.appointment_id == appointment)
        return list((await tx.execute(query)).scalars())


async def test_a_counselling_appointment_typed_in_indonesian(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    phone = Phone(inbox, channel, w.caseworker.address)

    who = await phone.presses("staff:cmd:jadwalkan")  # from the staff menu
    assert "Ketik nomornya" in text_of(who)
    kind = await phone.says(str(w.budi))
    day = await phone.presses(button(kind, "Konseling"))
    assert "Hari apa?" in text_of(day)
    time = await phone.says("besok")
    assert "Jam berapa?" in text_of(time)
    place = await phone.says("9 pagi")
    assert "Di mana?" in text_of(place)
    confirm = await phone.says("Ruang Konseling Bapas")
    text = text_of(confirm)
    assert "Jadwalkan <b>Konseling</b> untuk <b>Budi Santoso</b>" in text
    assert "Selasa, 1 Desember 2026 pukul 09.00 WIB" in text
    done = await phone.presses(button(confirm, "Ya, jadwalkan"))

    assert "Beres: Konseling untuk Budi Santoso" in text_of(done)
    [made] = await appointments(db)
    assert (made.participant_id, made.kind, made.place, made.caseworker) == (
        w.budi, "counselling", "Ruang Konseling Bapas", "Bu Rina",
    )  # fmt: skip
    assert made.starts_at == datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 09.00 WIB
    [occurrence] = await occurrence_ids(db, made.id)
    planned = [r for r in await outbox(db) if r.occurrence_id == occurrence]
    assert {r.kind for r in planned} == {"confirmation", "reminder"}
    assert {r.participant_id for r in planned} == {w.budi}
    audited = await audit_of(db, "appointment")
    assert [(r.participant_id, r.detail) for r in audited] == [
        (w.budi, f"appointment={made.id} kind=counselling")
    ]
    if channel.name == "whatsapp":
        for replies in (who, kind, day, time, place, confirm, done):
            fits_whatsapp(replies)


async def test_reporting_from_the_card_button_with_chosen_day_time_and_last_place(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    phone = Phone(inbox, channel, w.caseworker.address)
    for text in (f"/jadwalkan {w.sari}", "konseling", "12 Desember", "14:30", "Kantor Bapas"):
        await phone.says(text)
    await phone.says("ya")

    kind = await phone.presses(f"staff:appt:{w.budi}")
    day = await phone.presses(button(kind, "Wajib lapor"))
    time = await phone.presses(button(day, "Hari ini"))
    late = await phone.presses(button(time, "09.00"))  # 09.00 today has passed (it is 12.00)
    assert "Waktu itu sudah lewat" in text_of(late)
    place = await phone.presses(button(late, "15.00"))
    confirm = await phone.presses(button(place, "Kantor Bapas"))  # where they met last time
    done = await phone.presses(button(confirm, "Ya, jadwalkan"))

    assert "Beres: Wajib lapor untuk Budi Santoso" in text_of(done)
    first, second = await appointments(db)
    assert (first.participant_id, first.starts_at) == (
        w.sari, datetime(2026, 12, 12, 7, 30, tzinfo=UTC)
    )  # fmt: skip
    assert (second.kind, second.place) == ("reporting", "Kantor Bapas")
    assert second.starts_at == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 15.00 WIB today
    if channel.name == "whatsapp":
        fits_whatsapp(kind + day + time + late + place + confirm + done)


async def test_unclear_days_and_times_are_asked_again(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    phone = Phone(inbox, channel, w.caseworker.address)
    await phone.says(f"/jadwalkan {w.budi}")
    await phone.says("konseling")

    again = await phone.says("kapan-kapan")
    assert "hari itu belum saya pahami" in text_of(again) and "Hari apa?" in text_of(again)
    await phone.says("senin")
    unclear = await phone.says("pagi-pagi")
    assert "jam itu belum saya pahami" in text_of(unclear)
    cancelled = await phone.says("batal")
    assert "Dibatalkan" in text_of(cancelled)
    assert await appointments(db) == []


async def test_offering_a_new_time_for_a_cant_come_answer(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    request = await answer(db, w.sari, w.later, "no")
    phone = Phone(inbox, channel, w.caseworker.address)
    listed = await phone.says("/jadwalulang")
    opened = await phone.presses(button(listed, "Sari Dewi"))

    kind = await phone.presses(button(opened, "Tawarkan waktu baru"))
    await phone.presses(button(kind, "Konseling"))
    for text in ("rabu", "jam 2 siang", "Kantor Bapas"):
        await phone.says(text)
    done = await phone.says("ya")

    assert "Beres: Konseling untuk Sari Dewi" in text_of(done)
    [made] = await appointments(db)
    assert made.starts_at == datetime(2026, 12, 2, 7, 0, tzinfo=UTC)  # Wednesday 14.00 WIB
    handled = await audit_of(db, "handled")
    assert [r.detail for r in handled] == [f"answer=e{request} appointment={made.id}"]
    assert "Sari" not in text_of(await phone.says("/jadwalulang"))


async def test_scheduling_for_someone_out_of_reach_is_not_found(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    caseworker = Phone(inbox, channel, w.caseworker.address)
    stranger = Phone(inbox, channel, w.stranger.address)

    for phone, someone in ((caseworker, w.agus), (caseworker, w.wati), (stranger, w.budi)):
        for attempt in (
            phone.says(f"/jadwalkan {someone}"),
            phone.presses(f"staff:appt:{someone}"),
        ):
            replies = await attempt
            assert "Tidak ada peserta dengan nomor itu yang bisa Anda tangani." in text_of(replies)
    await caseworker.says("/jadwalkan")
    typed = await caseworker.says(str(w.agus))  # a colleague's participant
    assert "Tidak ada peserta dengan nomor itu yang bisa Anda tangani." in text_of(typed)
    stale = await caseworker.presses("staff:apy:")  # a confirm button with no question open
    assert "Tombol itu sudah tidak berlaku." in text_of(stale)
    assert await appointments(db) == []
    assert await audit_of(db, "appointment") == []


async def test_a_new_reporting_time_for_an_appointment_they_cannot_make(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    occurrence = await reporting_asked_to_reschedule(db, w.org, w.budi)
    phone = Phone(inbox, channel, w.caseworker.address)
    listed = await phone.says("/jadwalulang")
    assert "Wajib lapor di Bapas Kelas I Semarang, Rab 2/12 10.00 WIB" in text_of(listed)
    opened = await phone.presses(button(listed, "Budi Santoso"))
    assert "Alasan: Motor rusak" in text_of(opened)
    assert "Pindah ke sesi lain" not in [b.title for b in opened[-1].buttons]

    day = await phone.presses(button(opened, "Tawarkan waktu baru"))
    assert "Hari apa?" in text_of(day)  # the kind is the appointment's own: not asked
    await phone.says("kamis")
    place = await phone.says("10.00")
    confirm = await phone.presses(button(place, "Kantor Bapas Semara"))
    done = await phone.presses(button(confirm, "Ya, jadwalkan"))

    assert "Beres: Wajib lapor untuk Budi Santoso" in text_of(done)
    made = (await appointments(db))[-1]
    assert (made.kind, made.place) == ("reporting", "Kantor Bapas Semarang")
    assert made.starts_at == datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # Thursday 10.00 WIB
    handled = await audit_of(db, "handled")
    assert [r.detail for r in handled] == [f"answer=o{occurrence} appointment={made.id}"]
    if channel.name == "whatsapp":
        fits_whatsapp(listed + opened + day + place + confirm + done)
