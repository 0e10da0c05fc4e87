"""/catatan: a dated note by staff who may act on the participant, typed at once, asked for, or
from the card's button; read by the organisation's staff on the card, never by partners, never
shown to the participant in a chat, in their data export; erased with them (the dated row stays);
another organisation's ids are answered like ids nobody has; every note audited."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from bot.inbox import Inbox
from handlers.participants.export import write_csv
from storage.db import Database
from storage.erasure import erase_participant
from storage.models import Message, Note, Participant
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.cards import chat, now, staff_id, whatsapp_limits_kept
from tests.helpers.participants import add_participant
from tests.helpers.staff.chat import add_organisation, audit_rows, join_as_staff, place


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))


async def notes(db: Database) -> list[Note]:
    async with db.transaction() as tx:
        return list((await tx.execute(select(Note).order_by(Note.id))).scalars())


async def test_a_caseworker_adds_notes_three_ways_and_reads_them_on_the_card(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    worker = Person(inbox, channel, address="2002")
    await join_as_staff(worker, db, org, role="caseworker", name="Sari Wulandari")
    sari = await staff_id(db, "Sari Wulandari")
    agus = await add_participant(db, "Agus Pratama", now=now())
    await place(db, agus, org, caseworker_id=sari)

    typed = await worker.says(f"/catatan {agus} Datang ke kantor, sudah dapat KTP baru")
    assert f"Catatan untuk #{agus} sudah disimpan" in typed[-1].text
    asked = await worker.says(f"/catatan #{agus}")
    assert f"Ketik catatan tentang #{agus}" in asked[-1].text
    await worker.says("Ibunya sakit, minta jadwal diundur")
    card = await worker.says(f"/peserta {agus}")
    [note_button] = [b for b in card[-1].buttons if b.title == "Tambah catatan"]
    again = await worker.presses(note_button.payload)
    assert f"Ketik catatan tentang #{agus}" in again[-1].text
    done = await worker.says("Sudah diterima kerja di bengkel las")
    assert f"Catatan untuk #{agus} sudah disimpan" in done[-1].text

    saved = await notes(db)
    assert [(n.participant_id, n.staff_id, n.organisation_id) for n in saved] == [
        (agus, sari, org)
    ] * 3
    assert [n.text for n in saved] == [
        "Datang ke kantor, sudah dapat KTP baru",
        "Ibunya sakit, minta jadwal diundur",
        "Sudah diterima kerja di bengkel las",
    ]
    shown = (await worker.says(f"/peserta {agus}"))[-1].text
    assert shown.index("bengkel las") < shown.index("Ibunya sakit") < shown.index("KTP baru")
    noted = [r for r in await audit_rows(db) if r.action == "note"]
    assert [(r.participant_id, r.staff_id, r.detail) for r in noted] == [
        (agus, sari, f"note={n.id}") for n in saved
    ]
    async with db.transaction() as tx:
        logged = " ".join(m.body or "" for m in (await tx.execute(select(Message))).scalars())
    assert "KTP" not in logged and "bengkel" not in logged  # not in the message log
    for replies in (typed, asked, card, again, done):
        assert whatsapp_limits_kept(replies)


async def test_cancelling_or_a_stale_button_saves_no_note(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    admin = Person(inbox, channel, address="1001")
    await join_as_staff(admin, db, org, role="admin", name="Budi Santoso")
    agus = await add_participant(db, "Agus Pratama", now=now())
    await place(db, agus, org)
    usage = await admin.says("/catatan")
    assert "Ketik /catatan, nomor peserta" in usage[-1].text
    asked = await admin.says(f"/catatan {agus}")
    stale = await admin.presses("not-a-staff-button")
    assert await notes(db) == [] and stale
    cancelled = await admin.presses(asked[-1].buttons[0].payload)
    assert "Dibatalkan" in cancelled[-1].text
    await admin.says("Teks ini bukan catatan")
    assert await notes(db) == []


async def test_only_staff_who_may_act_add_notes_and_other_organisations_ids_do_not_exist(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org_a = await add_organisation(db, "Rutan Pekalongan")
    org_b = await add_organisation(db, "Bapas Semarang")
    worker = Person(inbox, channel, address="2002")
    colleague = Person(inbox, channel, address="3003")
    await join_as_staff(worker, db, org_a, role="caseworker", name="Sari Wulandari")
    await join_as_staff(colleague, db, org_a, role="caseworker", name="Budi Santoso")
    agus = await add_participant(db, "Agus Pratama", now=now())
    await place(db, agus, org_a, caseworker_id=await staff_id(db, "Sari Wulandari"))
    theirs = await add_participant(db, "Dewi Lestari", now=now())
    await place(db, theirs, org_b)
    nobody = theirs + 1000

    read_only = await colleague.says(f"/catatan {agus} Saya juga kenal dia")
    assert "hanya bisa ditambah oleh pendampingnya atau admin" in read_only[-1].text
    assert await colleague.presses(f"staff:note:{agus}") == read_only

    unknown = [r.text for r in await worker.says(f"/catatan {nobody} Halo")]
    assert "Tidak ada peserta dengan nomor itu" in unknown[0]
    for attempt in (
        worker.says(f"/catatan {theirs} Halo"),
        worker.says(f"/catatan #{theirs}"),
        worker.presses(f"staff:note:{theirs}"),
        worker.says(f"/peserta {theirs}"),
        worker.says(f"/peserta #{theirs}"),
        worker.presses(f"staff:p:{theirs}"),
        worker.presses("staff:note:99999999999999999999999"),
        worker.presses("staff:note:abc"),
    ):
        assert [r.text for r in await attempt] == unknown
    await worker.says("Teks setelah tombol palsu")  # no question was opened by the refusals
    assert await notes(db) == []
    assert all(r.participant_id != theirs for r in await audit_rows(db))


async def test_notes_are_erased_with_the_participant_and_are_in_their_data_export(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    admin = Person(inbox, channel, address="1001")
    await join_as_staff(admin, db, org, role="admin", name="Budi Santoso")
    agus = await add_participant(db, "Agus Pratama", now=now())
    rina = await add_participant(db, "Rina Wati", now=now())
    for pid in (agus, rina):
        await place(db, pid, org)
    await admin.says(f"/catatan {agus} Agus pindah ke rumah kakaknya di Batang")
    await admin.says(f"/catatan {rina} =Rina ikut kelas menjahit")

    out = io.StringIO()
    async with db.transaction() as tx:
        await write_csv(tx, out)
    exported = {row["id"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert exported[str(agus)]["notes"].endswith(": Agus pindah ke rumah kakaknya di Batang")
    assert exported[str(rina)]["notes"][:1] != "="  # never run as a formula

    async with db.transaction() as tx:
        person = await tx.get(Participant, agus)
        assert person is not None
        await erase_participant(tx, person, now())
    [gone, kept] = await notes(db)
    assert (gone.participant_id, gone.text, gone.erased) == (agus, "", True)
    assert kept.text == "=Rina ikut kelas menjahit" and not kept.erased
    card = (await admin.says(f"/peserta {agus}"))[-1].text
    assert "Budi Santoso: (dihapus bersama data peserta)" in card and "Batang" not in card
    out = io.StringIO()
    async with db.transaction() as tx:
        await write_csv(tx, out)
    assert "Batang" not in out.getvalue()


async def test_the_participant_never_sees_a_note_in_the_chat(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    admin = Person(inbox, channel, address="1001")
    await join_as_staff(admin, db, org, role="admin", name="Budi Santoso")
    agus = await add_participant(db, "Agus Pratama", now=now(), city="Kota Pekalongan")
    await place(db, agus, org)
    await chat(db, agus, channel.name, "5001", wrote=None)
    await admin.says(f"/catatan {agus} Curiga kambuh, pantau minggu ini")
    participant = Person(inbox, channel, address="5001")

    seen = [
        *await participant.says("/profil"),
        *await participant.says("/jadwal"),
        *await participant.says("/bantuan"),
    ]
    assert any("Agus Pratama" in r.text for r in seen)  # their own data is shown
    assert all("kambuh" not in r.text and "catatan" not in r.text.lower() for r in seen)
