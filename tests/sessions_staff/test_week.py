"""/sesi: the organisation's sessions from yesterday to a week ahead, with seats and answers;
a session opened shows names only of the people the staff member may see; another
organisation's session is answered like one that does not exist."""

from __future__ import annotations

from bot.inbox import Inbox
from storage.db import Database
from tests.fakes.channel import CollectingChannel
from tests.helpers.sessions_staff import (
    Phone,
    answer,
    audit_of,
    button,
    fits_whatsapp,
    text_of,
    world,
)


async def test_the_week_shows_each_session_with_seats_and_answers(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    await answer(db, w.budi, w.later, "yes")
    await answer(db, w.sari, w.later, "reschedule", reason="Ada sidang", days="mon,wed")
    phone = Phone(inbox, channel, w.caseworker.address)

    replies = await phone.says("/sesi")

    text = text_of(replies)
    assert f"#{w.today} Sen 30/11 09.00 WIB" in text
    assert f"#{w.later} Kam 3/12 09.00 WIB" in text
    # Thursday: Sari gave up her seat, so Agus moved up from the waiting list: 2 of 2 seats.
    assert "Kursi 2/2 · Hadir 1 · Tidak bisa 0 · Jadwal ulang 1 · Belum menjawab 1" in text
    assert "Kursi 3/10 · Hadir 0 · Tidak bisa 0 · Jadwal ulang 0 · Belum menjawab 3" in text
    assert f"#{w.next_week} " not in text  # ten days ahead: not this week
    assert f"#{w.other_session} " not in text  # another organisation's
    assert "Budi" not in text  # the week shows counts, never names
    assert [b.title for b in replies[-1].buttons] == [
        "30/11 09.00 Pelatih…",
        "3/12 09.00 Pelatiha…",
        "Menu",
    ]
    if channel.name == "whatsapp":
        fits_whatsapp(replies)
    assert [row.detail for row in await audit_of(db, "view")] == ["sessions page=1 shown=2"]


async def test_a_session_opened_names_the_people_the_caseworker_may_see(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    await answer(db, w.budi, w.later, "yes")
    await answer(db, w.sari, w.later, "no")
    phone = Phone(inbox, channel, w.caseworker.address)
    week = await phone.says("/sesi")

    replies = await phone.presses(button(week, "3/12 09.00"))

    text = text_of(replies)
    assert "Pelatihan Las" in text and "Aula Bapas" in text
    assert f"#{w.budi} Budi Santoso: Hadir" in text
    assert f"#{w.sari} Sari Dewi: Tidak bisa" in text
    # Agus is a colleague's, in the same organisation: seen, read-only.
    assert f"#{w.agus} Agus Salim: Belum menjawab" in text
    assert "Catat kehadiran" not in [b.title for b in replies[-1].buttons]  # not begun yet
    viewed = {row.participant_id for row in await audit_of(db, "view") if row.participant_id}
    assert viewed == {w.budi, w.sari, w.agus}
    if channel.name == "whatsapp":
        fits_whatsapp(replies)


async def test_another_organisations_sessions_are_not_found(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    stranger = Phone(inbox, channel, w.stranger.address)
    nothing = text_of(await stranger.says("/sesi 999999"))
    assert "Tidak ada sesi dengan nomor itu" in nothing

    for attempt in (
        stranger.says(f"/sesi {w.today}"),
        stranger.presses(f"staff:ses:{w.today}"),
        stranger.presses(f"staff:att:{w.today}.1"),
        stranger.presses(f"staff:atm:{w.today}.{w.budi}.0"),
        stranger.presses(f"staff:atall:{w.today}"),
    ):
        replies = await attempt
        assert text_of(replies).startswith(nothing.split("\n")[0])
        assert "Budi" not in text_of(replies)
    week = text_of(await stranger.says("/sesi"))
    assert f"#{w.other_session} " in week and f"#{w.today} " not in week
    assert await audit_of(db, "attendance") == []
