"""Check-ins on the card ("Kabar"): the last three with their answers and the mood trend,
"tidak merespons" in the profile, nothing for a partner, the same statements whatever the
history; and in the people list, a check-in alert counts as urgent and the unresponsive rank
with those who stopped."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.inbox import Inbox
from storage.db import Database
from storage.models import Referral, ReferralStatus
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.cards import (
    Statements,
    add_program,
    now,
    set_status,
    staff_id,
    whatsapp_limits_kept,
)
from tests.helpers.checkin_views import add_checkin
from tests.helpers.participants import add_participant
from tests.helpers.staff.chat import add_organisation, join_as_staff, place


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n\n", start)
    return text[start : end if end != -1 else len(text)]


async def test_the_card_shows_the_last_three_check_ins_and_the_mood_trend(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Bapas Ambon")
    worker = Person(inbox, channel, address="2002")
    await join_as_staff(worker, db, org, role="caseworker", name="Sari Wulandari")
    t = now()
    agus = await add_participant(db, "Agus Pratama", now=t - timedelta(days=60))
    await place(db, agus, org, caseworker_id=await staff_id(db, "Sari Wulandari"))
    await add_checkin(db, agus, t - timedelta(days=40), mood=2, activity="looking")
    await add_checkin(db, agus, t - timedelta(days=30), status="expired")
    await add_checkin(db, agus, t - timedelta(days=20), status="partial", mood=3,
                      activity="training")  # fmt: skip
    words = "<b>Sudah</b> kerja di bengkel las, tapi " + "kontrakan mau habis bulan ini " * 4
    await add_checkin(
        db, agus, t - timedelta(days=2), mood=4, activity="work", housing="no",
        needs=("work", "documents"), wants_contact=True, words=words, media="file-abc",
        channel=channel.name,
    )  # fmt: skip

    replies = await worker.says(f"/peserta {agus}")

    kabar = section(replies[-1].text, "<b>Kabar</b>").split("\n")
    assert len(kabar) == 5  # heading, three check-ins, the trend
    latest, partial, unanswered, trend = kabar[1:]
    assert (
        "· lengkap · 🙂 4 · Bekerja · tempat tinggal: TIDAK · "
        "minta: Pekerjaan, Dokumen KTP/KK/BPJS · ingin dihubungi · pesan suara: "
        "“&lt;b&gt;Sudah&lt;/b&gt; kerja di bengkel las" in latest
    )
    assert latest.endswith("…”") and "<b>Sudah" not in latest  # clipped, and escaped
    assert partial.endswith("· sebagian · 😐 3 · Ikut pelatihan")
    assert unanswered.endswith("· tidak dijawab")
    assert "Mencari kerja" not in "\n".join(kabar)  # the fourth one back is not listed...
    assert trend == "Perasaan: 🙁 😐 🙂 (🙁 2 → 🙂 4, naik)"  # ...but its mood counts
    assert "TIDAK MERESPONS" not in replies[-1].text
    assert whatsapp_limits_kept(replies)


async def test_someone_whose_last_two_check_ins_went_unanswered_is_not_responding(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Bapas Ambon")
    admin = Person(inbox, channel, address="1001")
    await join_as_staff(admin, db, org, role="admin", name="Budi Santoso")
    t = now()
    wati = await add_participant(db, "Wati Susanti", now=t - timedelta(days=60))
    joko = await add_participant(db, "Joko Susilo", now=t - timedelta(days=60))
    for pid in (wati, joko):
        await place(db, pid, org)
    await add_checkin(db, wati, t - timedelta(days=30), mood=2)
    await add_checkin(db, wati, t - timedelta(days=16), status="expired")
    await add_checkin(db, wati, t - timedelta(days=2), status="expired")
    await add_checkin(db, joko, t - timedelta(days=16), status="expired")
    await add_checkin(db, joko, t - timedelta(days=2), mood=5)

    card = (await admin.says(f"/peserta {wati}"))[-1].text
    assert "Status: aktif · <b>TIDAK MERESPONS</b>" in card
    assert "Perasaan:" not in card  # a single mood is no trend
    card = (await admin.says(f"/peserta {joko}"))[-1].text
    assert "Status: aktif\n" in card and "TIDAK MERESPONS" not in card
    assert "· lengkap · 😄 5" in card


async def test_a_partner_sees_no_check_ins(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Bapas Ambon")
    partner = await add_organisation(db, "Dinas Tenaga Kerja")
    worker = Person(inbox, channel, address="2002")
    partner_worker = Person(inbox, channel, address="4004")
    await join_as_staff(worker, db, org, role="caseworker", name="Sari Wulandari")
    await join_as_staff(partner_worker, db, partner, role="caseworker", name="Rina Hartati")
    t = now()
    agus = await add_participant(db, "Agus Pratama", now=t - timedelta(days=60))
    await place(db, agus, org, caseworker_id=await staff_id(db, "Sari Wulandari"))
    theirs = await add_program(db, partner, "Pelatihan Menjahit")
    async with db.transaction() as tx:
        tx.add(
            Referral(participant_id=agus, organisation_id=org, partner_id=partner,
                     program_id=theirs, status=ReferralStatus.ACTIVE)
        )  # fmt: skip
    for days in (16, 2):
        await add_checkin(db, agus, t - timedelta(days=days), status="expired")
    await add_checkin(db, agus, t - timedelta(days=40), mood=1, words="mau mati saja")

    ours = (await worker.says(f"/peserta {agus}"))[-1].text
    assert "<b>Kabar</b>" in ours and "mau mati" in ours and "TIDAK MERESPONS" in ours
    card = (await partner_worker.says(f"/peserta {agus}"))[-1].text
    assert "Agus Pratama" in card
    for private in ("Kabar", "mau mati", "Perasaan", "TIDAK MERESPONS", "😞"):
        assert private not in card, private


async def test_the_card_costs_the_same_statements_however_many_check_ins(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Bapas Ambon")
    admin = Person(inbox, channel, address="1001")
    await join_as_staff(admin, db, org, role="admin", name="Budi Santoso")
    t = now()
    counts = []
    for size in (1, 9):
        pid = await add_participant(db, f"Peserta {size}", now=t - timedelta(days=400))
        await place(db, pid, org)
        for n in range(size):
            await add_checkin(db, pid, t - timedelta(days=30 * (n + 1)), mood=n % 5 + 1,
                              needs=("work", "health"), flags=("wants_contact",))  # fmt: skip
        await inbox.flush()
        with Statements(db) as statements:
            replies = await admin.says(f"/peserta {pid}")
            await inbox.flush()
        assert "<b>Kabar</b>" in replies[-1].text
        counts.append(statements.count)
    assert counts[0] == counts[1] and counts[0] > 10, counts


async def test_the_people_list_puts_check_in_alerts_first_and_the_unresponsive_with_the_silent(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Bapas Ambon")
    worker = Person(inbox, channel, address="2002")
    await join_as_staff(worker, db, org, role="caseworker", name="Sari Wulandari")
    sari = await staff_id(db, "Sari Wulandari")
    t = now()

    async def person(name: str) -> int:
        pid = await add_participant(db, name, now=t - timedelta(days=60))
        await place(db, pid, org, caseworker_id=sari)
        return pid

    calm = await person("Joko Susilo")
    await add_checkin(db, calm, t - timedelta(days=2), mood=4)
    quiet = await person("Rudi Hartono")
    for days in (16, 2):
        await add_checkin(db, quiet, t - timedelta(days=days), status="expired")
    stopped = await person("Wati Susanti")
    await set_status(db, stopped, "stopped")
    asks = await person("Agus Pratama")  # not an urgent flag, but a check-in's
    await add_checkin(db, asks, t - timedelta(days=1), mood=3, wants_contact=True,
                      flags=("wants_contact",))  # fmt: skip

    replies = await worker.says("/peserta")

    shown = [
        int(str(b.payload).rsplit(":", 1)[1])
        for b in replies[0].buttons
        if str(b.payload).startswith("staff:p:")
    ]
    assert shown[0] == asks
    assert set(shown[1:3]) == {quiet, stopped}  # silent, in either order
    assert shown[3] == calm
    assert f"#{asks} Agus Pratama" in replies[0].text
