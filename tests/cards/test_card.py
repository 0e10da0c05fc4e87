"""A participant's card: profile, chats and when they last wrote, organisation and caseworker,
what is coming with the answers given, attendance with its rate, requests for another date with
their reasons, notes and referrals, each section capped for a phone; a partner sees only its own
programs' part; loading it costs the same statements whatever the history; every card audited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.inbox import Inbox
from storage.db import Database
from storage.models import Referral, ReferralStatus
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.cards import (
    CARD_ACTIONS,
    Answer,
    Statements,
    add_program,
    add_session,
    appointment_with,
    chat,
    enrol_with,
    flag,
    now,
    set_status,
    staff_id,
    whatsapp_limits_kept,
)
from tests.helpers.participants import add_participant
from tests.helpers.staff.chat import add_organisation, audit_rows, join_as_staff, place


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))


def section(text: str, heading: str) -> str:
    """The lines of one section of a card (up to the next blank line)."""
    start = text.index(heading)
    end = text.find("\n\n", start)
    return text[start : end if end != -1 else len(text)]


async def test_the_card_shows_every_section_short_enough_for_a_phone(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    worker = Person(inbox, channel, address="2002")
    await join_as_staff(worker, db, org, role="caseworker", name="Sari Wulandari")
    sari = await staff_id(db, "Sari Wulandari")
    t = now()
    agus = await add_participant(
        db, "Agus Pratama", now=t, city="Kota Pekalongan", category="former_inmate"
    )
    await place(db, agus, org, caseworker_id=sari)
    await chat(db, agus, "telegram", "55501", wrote=t - timedelta(days=2))
    await chat(db, agus, "whatsapp", "6281234567890", wrote=t - timedelta(hours=3))
    las = await add_program(db, org, "Pelatihan Las")
    for days, answer in (
        (1, Answer(rsvp="yes")),
        (2, Answer(rsvp="no")),
        (3, Answer()),
        (5, Answer(rsvp="reschedule", reason="motor saya rusak", days="senin")),
    ):
        await enrol_with(db, agus, await add_session(db, las, t + timedelta(days=days)), answer)
    await appointment_with(db, agus, org, t + timedelta(days=6), Answer(rsvp="yes"))
    for days, attendance in ((30, "attended"), (20, "attended"), (10, "absent"), (3, "attended")):
        await enrol_with(
            db,
            agus,
            await add_session(db, las, t - timedelta(days=days), title=f"Las hari {days}"),
            Answer(attendance=attendance),
        )
    await appointment_with(
        db, agus, org, t - timedelta(days=8),
        Answer(rsvp="reschedule", reason="jadwal kerja bentrok", handled=True),
    )  # fmt: skip
    await flag(db, agus)
    partner = await add_organisation(db, "Dinas Tenaga Kerja")
    las_partner = await add_program(db, partner, "Pelatihan Menjahit")
    async with db.transaction() as tx:
        tx.add(
            Referral(
                participant_id=agus, organisation_id=org, partner_id=partner,
                program_id=las_partner, status=ReferralStatus.ACTIVE,
            )
        )  # fmt: skip
    for n in range(4):
        await worker.says(f"/catatan {agus} Catatan nomor {n}")

    replies = await worker.says(f"/peserta {agus}")
    text = replies[-1].text

    assert text.startswith(f"<b>#{agus} Agus Pratama</b>\nMantan narapidana · Kota Pekalongan")
    assert "Status: aktif" in text
    assert "Chat: Telegram, WhatsApp" in text
    assert "Terakhir menulis: " in text
    assert "Lembaga: Rutan Pekalongan · pendamping: Sari Wulandari" in text
    assert "Pesan yang menunggu petugas: 1" in text
    coming = section(text, "Jadwal mendatang")
    assert coming.count("• ") == 3 and "… dan 2 lainnya" in coming
    assert "Pelatihan Las · hadir" in coming and "Pelatihan Las · tidak bisa" in coming
    assert "belum menjawab" in coming
    attendance = section(text, "Kehadiran")
    assert "Kehadiran: hadir 3, tidak hadir 1 (75%)" in attendance
    assert "Las hari 3 · hadir" in attendance and "Las hari 10 · tidak hadir" in attendance
    assert "… dan 1 lainnya" in attendance  # four marked, three shown
    requests = section(text, "Minta jadwal lain")
    assert "“motor saya rusak” (hari: senin) · belum ditangani" in requests
    assert "“jadwal kerja bentrok” · sudah ditangani" in requests
    notes = section(text, "Catatan")
    assert "Catatan nomor 3" in notes and "Catatan nomor 1" in notes
    assert "Catatan nomor 0" not in notes and "… dan 1 lainnya" in notes
    assert "Sari Wulandari: Catatan nomor 3" in notes
    assert "Dinas Tenaga Kerja · Pelatihan Menjahit · setuju" in section(text, "Rujukan")
    assert [b.title for b in replies[-1].buttons] == CARD_ACTIONS
    assert whatsapp_limits_kept(replies)
    assert len(text) < 2000
    views = [r for r in await audit_rows(db) if r.action == "view"]
    assert [(r.participant_id, r.staff_id, r.detail) for r in views] == [(agus, sari, "card")]


async def test_stopped_unreachable_and_erased_people_are_shown_as_such(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    admin = Person(inbox, channel, address="1001")
    await join_as_staff(admin, db, org, role="admin", name="Budi Santoso")
    t = now()
    stopped = await add_participant(db, "Wati Susanti", now=t)
    gone = await add_participant(db, "Rudi Hartono", now=t)
    erased = await add_participant(db, "-", now=t, erased=True)
    await set_status(db, stopped, "stopped")
    await set_status(db, gone, "unreachable")
    for pid in (stopped, gone, erased):
        await place(db, pid, org)

    assert "Status: <b>PESAN DIHENTIKAN</b>" in (await admin.says(f"/peserta {stopped}"))[-1].text
    assert "Status: <b>TIDAK TERJANGKAU</b>" in (await admin.says(f"/peserta {gone}"))[-1].text
    card = (await admin.says(f"/peserta {erased}"))[-1].text
    assert f"<b>#{erased} (dihapus)</b>" in card and "Status: <b>DIHAPUS</b>" in card
    assert "Terakhir menulis: belum pernah" in card


async def test_a_partner_sees_only_its_own_programs_part_and_no_notes(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    partner = await add_organisation(db, "Dinas Tenaga Kerja")
    elsewhere = await add_organisation(db, "LSM Harapan")
    worker = Person(inbox, channel, address="2002")
    partner_worker = Person(inbox, channel, address="4004")
    await join_as_staff(worker, db, org, role="caseworker", name="Sari Wulandari")
    await join_as_staff(partner_worker, db, partner, role="caseworker", name="Rina Hartati")
    t = now()
    agus = await add_participant(db, "Agus Pratama", now=t, city="Kota Pekalongan")
    await place(db, agus, org, caseworker_id=await staff_id(db, "Sari Wulandari"))
    await chat(db, agus, "telegram", "55501", wrote=t - timedelta(hours=1))
    ours = await add_program(db, org, "Konseling Kelompok")
    theirs = await add_program(db, partner, "Pelatihan Menjahit")
    await enrol_with(db, agus, await add_session(db, ours, t + timedelta(days=1)), Answer("no"))
    await enrol_with(db, agus, await add_session(db, theirs, t + timedelta(days=2)), Answer("yes"))
    await enrol_with(
        db, agus, await add_session(db, theirs, t - timedelta(days=2)), Answer(attendance="absent")
    )
    await flag(db, agus, urgent=True)
    async with db.transaction() as tx:
        for to, status in ((partner, ReferralStatus.ACTIVE), (elsewhere, ReferralStatus.ACTIVE)):
            tx.add(
                Referral(
                    participant_id=agus, organisation_id=org, partner_id=to,
                    program_id=theirs if to == partner else None, status=status,
                )
            )  # fmt: skip
    await worker.says(f"/catatan {agus} Sedang mencari kerja di bengkel")

    listed = await partner_worker.presses("staff:pp:a1")
    assert "ada pesan mendesak" not in listed[0].text  # the other organisation's business
    replies = await partner_worker.presses(f"staff:p:{agus}")
    card = replies[-1].text
    assert "Agus Pratama" in card
    assert "Pelatihan Menjahit · hadir" in card
    assert "Konseling Kelompok" not in card
    assert "Kehadiran: hadir 0, tidak hadir 1 (0%)" in card
    assert "bengkel" not in card and "Catatan" not in card
    assert "Pesan yang menunggu" not in card and "Terakhir menulis" not in card
    assert "Dinas Tenaga Kerja · Pelatihan Menjahit · setuju" in card
    assert "LSM Harapan" not in card
    assert [b.title for b in replies[-1].buttons] == ["Peserta", "Menu"]
    refused = await partner_worker.says(f"/catatan {agus} Coba")
    assert "hanya bisa ditambah oleh pendampingnya" in refused[-1].text


async def test_the_card_costs_the_same_statements_whatever_the_history(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    admin = Person(inbox, channel, address="1001")
    await join_as_staff(admin, db, org, role="admin", name="Budi Santoso")
    t = now()
    program = await add_program(db, org, "Pelatihan Las")
    counts = []
    for size in (1, 12):
        pid = await add_participant(db, f"Peserta {size}", now=t)
        await place(db, pid, org)
        for n in range(size):
            sid = await add_session(db, program, t + timedelta(days=n - size // 2, hours=1))
            await enrol_with(db, pid, sid, Answer(rsvp="yes", attendance="attended"))
            await appointment_with(db, pid, org, t + timedelta(days=n + 1), Answer())
            await chat(db, pid, "telegram", f"{size}{n}", wrote=t)
            await flag(db, pid)
        for n in range(size):
            await admin.says(f"/catatan {pid} Catatan {n}")
        await inbox.flush()  # the replies before are sent: their bookkeeping is not counted
        with Statements(db) as statements:
            replies = await admin.says(f"/peserta {pid}")
            await inbox.flush()
        assert f"Peserta {size}" in replies[-1].text
        counts.append(statements.count)
    assert counts[0] == counts[1] and counts[0] > 10, counts
