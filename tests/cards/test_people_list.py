"""/peserta: a caseworker's people, most urgent first, a page at a time; the organisation's
others a button away; search by name, city or phone however the number is typed; every list
and search audited; WhatsApp's limits kept on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.inbox import Inbox
from storage.db import Database
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.cards import (
    CARD_ACTIONS,
    Answer,
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


def shown_ids(reply_buttons: tuple[object, ...]) -> list[int]:
    """The participants a list shows, in order (each row's button opens their card)."""
    return [
        int(b.payload.rsplit(":", 1)[1])  # type: ignore[attr-defined]
        for b in reply_buttons
        if b.payload.startswith("staff:p:")  # type: ignore[attr-defined]
    ]


async def test_my_people_come_most_urgent_first(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    worker = Person(inbox, channel, address="2002")
    await join_as_staff(worker, db, org, role="caseworker", name="Sari Wulandari")
    sari = await staff_id(db, "Sari Wulandari")
    program = await add_program(db, org, "Pelatihan Las")
    t = now()
    past = await add_session(db, program, t - timedelta(days=3))
    long_ago = await add_session(db, program, t - timedelta(days=40))
    ahead = await add_session(db, program, t + timedelta(days=2))

    async def person(name: str, *, wrote: timedelta | None = None) -> int:
        pid = await add_participant(db, name, now=t, city="Pekalongan")
        await place(db, pid, org, caseworker_id=sari)
        if wrote is not None:
            await chat(db, pid, "telegram", f"9{pid}", wrote=t - wrote)
        return pid

    quiet = await person("Rudi Hartono", wrote=timedelta(days=20))
    active = await person("Joko Susilo", wrote=timedelta(hours=2))
    old_miss = await person("Eko Prasetyo")
    await enrol_with(db, old_miss, long_ago, Answer(attendance="absent"))
    handled = await person("Dian Sastro")
    await enrol_with(db, handled, ahead, Answer(rsvp="reschedule", handled=True))
    stopped = await person("Wati Susanti")
    await set_status(db, stopped, "stopped")
    flagged = await person("Yanto Kurnia")
    await flag(db, flagged)
    missed = await person("Agus Pratama")
    await enrol_with(db, missed, past, Answer(attendance="absent"))
    cant = await person("Siti Aminah", wrote=timedelta(hours=1))
    await enrol_with(db, cant, ahead, Answer(rsvp="no"))
    asks = await person("Bambang Wiratmoko")
    await appointment_with(db, asks, org, t + timedelta(days=4), Answer(rsvp="reschedule"))
    danger = await person("Tono Sugiarto")
    await flag(db, danger, urgent=True)
    await flag(db, danger)

    replies = await worker.says("/peserta")

    assert shown_ids(replies[0].buttons) == [
        danger, cant, asks, missed, flagged, stopped, active, quiet, handled, old_miss,
    ]  # fmt: skip
    # the rest by their last message (never: last), then the newest participant first
    text = replies[0].text
    assert "Peserta saya (10)" in text
    assert f"#{danger} Tono Sugiarto · Pekalongan\n   ⚠️ ada pesan mendesak" in text
    assert f"#{cant} Siti Aminah · Pekalongan\n   tidak bisa / minta jadwal lain" in text
    assert f"#{missed} Agus Pratama · Pekalongan\n   tidak hadir di sesi" in text
    assert f"#{stopped} Wati Susanti · Pekalongan\n   pesan dihentikan" in text
    assert "Halaman 1 dari 1" in replies[-1].text
    assert whatsapp_limits_kept(replies)


async def test_pages_of_ten_and_the_organisations_others_read_only(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    worker = Person(inbox, channel, address="2002")
    other_worker = Person(inbox, channel, address="3003")
    await join_as_staff(worker, db, org, role="caseworker", name="Sari Wulandari")
    await join_as_staff(other_worker, db, org, role="caseworker", name="Budi Santoso")
    sari, budi = await staff_id(db, "Sari Wulandari"), await staff_id(db, "Budi Santoso")
    t = now()
    mine = []
    for n in range(12):
        pid = await add_participant(db, f"Agus{n} Pratama", now=t, city="Pekalongan")
        await place(db, pid, org, caseworker_id=sari)
        mine.append(pid)
    budis = await add_participant(db, "Dewi Lestari", now=t, city="Batang")
    await place(db, budis, org, caseworker_id=budi)

    first = await worker.says("/peserta")
    assert shown_ids(first[0].buttons) == list(reversed(mine))[:10]  # all alike: newest first
    assert "Halaman 1 dari 2" in first[-1].text
    titles = [b.title for b in first[-1].buttons]
    assert titles == ["Halaman berikutnya", "Semua peserta", "Menu"]
    second = await worker.presses(first[-1].buttons[0].payload)
    assert shown_ids(second[0].buttons) == [mine[1], mine[0]]
    assert [b.title for b in second[-1].buttons] == [
        "Halaman sebelumnya", "Semua peserta", "Menu",
    ]  # fmt: skip
    assert "Dewi" not in first[0].text + second[0].text

    everyone = await worker.presses(first[-1].buttons[1].payload)
    assert "Peserta yang bisa saya lihat (13)" in everyone[0].text
    assert budis in shown_ids(everyone[0].buttons) + shown_ids(
        (await worker.presses(everyone[-1].buttons[0].payload))[0].buttons
    )
    card = await worker.presses(f"staff:p:{budis}")  # Budi's, read-only: no note button
    assert "Dewi Lestari" in card[-1].text
    assert [b.title for b in card[-1].buttons] == ["Peserta", "Menu"]
    own = await worker.presses(f"staff:p:{mine[0]}")
    assert [b.title for b in own[-1].buttons] == CARD_ACTIONS

    forged = await worker.presses("staff:pp:x99999999999999")
    assert shown_ids(forged[0].buttons) == shown_ids(first[0].buttons)  # page 1 of mine
    for replies in (first, second, everyone, card, own):
        assert whatsapp_limits_kept(replies)
    rows = [(r.action, r.detail) for r in await audit_rows(db) if r.staff_id == sari]
    assert [a for a, _d in rows if a == "search"] == ["search"] * 5
    assert ("view", "card") in rows


async def test_an_admin_sees_the_organisation_and_no_one_elses(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org_a = await add_organisation(db, "Rutan Pekalongan")
    org_b = await add_organisation(db, "Bapas Semarang")
    admin = Person(inbox, channel, address="1001")
    await join_as_staff(admin, db, org_a, role="admin", name="Budi Santoso")
    t = now()
    ours = await add_participant(db, "Agus Pratama", now=t, city="Pekalongan")
    unassigned = await add_participant(db, "Rina Wati", now=t, city="Batang")
    await place(db, ours, org_a)
    await place(db, unassigned, org_a)
    theirs = await add_participant(db, "Dewi Lestari", now=t, city="Pekalongan")
    await place(db, theirs, org_b)

    replies = await admin.says("/peserta")
    assert sorted(shown_ids(replies[0].buttons)) == sorted([ours, unassigned])
    assert "Peserta yang bisa saya lihat (2)" in replies[0].text
    assert [b.title for b in replies[-1].buttons] == ["Menu"]  # one page, no "mine" to switch


async def test_search_by_name_city_and_phone_however_typed(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org_a = await add_organisation(db, "Rutan Pekalongan")
    org_b = await add_organisation(db, "Bapas Semarang")
    worker = Person(inbox, channel, address="2002")
    await join_as_staff(worker, db, org_a, role="caseworker", name="Sari Wulandari")
    t = now()
    agus = await add_participant(
        db, "Agus Pratama", now=t, city="Kota Pekalongan", phone="+6281234567890"
    )
    agung = await add_participant(db, "Agung Hartono", now=t, city="Kabupaten Batang")
    rina = await add_participant(db, "Rina Wati", now=t, city="Kota Pekalongan")
    await chat(db, rina, "whatsapp", "6285712345678", wrote=t)  # her number only on WhatsApp
    for pid in (agus, agung, rina):
        await place(db, pid, org_a)
    theirs = await add_participant(
        db, "Agus Salim", now=t, city="Kota Pekalongan", phone="+6281399998888"
    )
    await place(db, theirs, org_b)

    by_name = await worker.says("/peserta ag")
    assert sorted(shown_ids(by_name[0].buttons)) == sorted([agus, agung])
    assert "Ketemu 2" in by_name[0].text
    by_city = await worker.says("/peserta PEKALONGAN")
    assert sorted(shown_ids(by_city[0].buttons)) == sorted([agus, rina])
    one = await worker.says("/peserta hartono")  # one match: the card at once
    assert f"#{agung} Agung Hartono" in one[-1].text and "Jadwal mendatang" in one[-1].text
    for typed in ("0812-3456-7890", "+62 812 3456 7890", "6281234567890", "0812 3456 7890"):
        found = await worker.says(f"/peserta {typed}")
        assert f"#{agus} Agus Pratama" in found[-1].text, typed
    on_whatsapp = await worker.says("/peserta 0857 1234 5678")
    assert f"#{rina} Rina Wati" in on_whatsapp[-1].text

    nobody = await worker.says("/peserta 0813 9999 8888")  # another organisation's
    assert "Tidak ada yang ketemu" in nobody[-1].text
    salim = await worker.says("/peserta salim")
    assert "Tidak ada yang ketemu" in salim[-1].text and "Salim" not in salim[-1].text
    short = await worker.says("/peserta a")
    assert "minimal dua huruf" in short[-1].text
    by_id = await worker.says(f"/peserta #{agus}")
    assert f"#{agus} Agus Pratama" in by_id[-1].text

    for replies in (by_name, by_city, one, on_whatsapp):
        assert whatsapp_limits_kept(replies)
    rows = [(r.action, r.detail) for r in await audit_rows(db) if r.staff_id is not None]
    searches = [d for a, d in rows if a == "search"]
    assert "search by text found=2 shown=2" in searches
    assert "search by phone found=1 shown=1" in searches
    assert "search by phone found=0 shown=0" in searches
    assert all("Agus" not in (d or "") and "0812" not in (d or "") for _a, d in rows)
    assert [a for a, _d in rows].count("view") == 7  # one, four phones, WhatsApp, by id


async def test_a_search_with_more_than_a_page_says_so(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    worker = Person(inbox, channel, address="2002")
    await join_as_staff(worker, db, org, role="admin", name="Sari Wulandari")
    t = now()
    for n in range(13):
        await place(db, await add_participant(db, f"Budi{n}", now=t, city="Serang"), org)
    replies = await worker.says("/peserta serang")
    assert len(shown_ids(replies[-1].buttons)) == 10
    assert "Ketemu 13" in replies[-1].text and "10 yang pertama" in replies[-1].text
    assert whatsapp_limits_kept(replies)


async def test_a_page_past_the_end_shows_the_last_one(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    admin = Person(inbox, channel, address="1001")
    await join_as_staff(admin, db, org, role="admin", name="Budi Santoso")
    people = []
    for n in range(12):
        people.append(await add_participant(db, f"Budi{n}", now=now(), city="Serang"))
        await place(db, people[-1], org)
    replies = await admin.presses("staff:pp:a7")  # an old button: people left since
    assert shown_ids(replies[0].buttons) == [people[1], people[0]]
    assert "Halaman 2 dari 2" in replies[-1].text
