"""The staff commands in the chat: /peserta (scope, pages, cards), /undang (an invite from the
chat, joined on the other channel), /audit (the organisation's log, erased participants shown
as erased); ids of another organisation's people answered like ids nobody has."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.inbox import Inbox
from handlers.flow import FlowSettings
from storage.db import Database
from storage.erasure import erase_participant
from storage.models import (
    Message,
    Participant,
    Referral,
    ReferralStatus,
    Staff,
    StaffStatus,
)
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.participants import add_participant
from tests.helpers.staff.chat import add_organisation, audit_rows, join_as_staff, place


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    """Every test here runs on both channels' names (the collecting fake channel)."""
    return CollectingChannel(name=str(request.param))


NOW = datetime.now(UTC)


async def staff_id_of(db: Database, name: str) -> int:
    async with db.transaction() as tx:
        return (await tx.execute(select(Staff.id).where(Staff.name == name))).scalar_one()


async def test_a_caseworker_sees_their_organisation_only_and_every_look_is_audited(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org_a = await add_organisation(db, "Rutan Pekalongan")
    org_b = await add_organisation(db, "Bapas Semarang")
    worker = Person(inbox, channel, address="2002")
    await join_as_staff(worker, db, org_a, role="caseworker", name="Sari Wulandari")
    sari = await staff_id_of(db, "Sari Wulandari")
    ours = []
    for n in range(12):
        pid = await add_participant(db, f"Agus{n} Pratama", now=NOW, city="Pekalongan")
        await place(db, pid, org_a, caseworker_id=sari if n == 0 else None)
        ours.append(pid)
    theirs = await add_participant(db, "Dewi Lestari", now=NOW, city="Semarang")
    await place(db, theirs, org_b)
    nobody = theirs + 1000

    first = await worker.says("/peserta")
    assert "halaman 1 dari 2" in first[-1].text
    assert f"#{ours[-1]} Agus11" in first[-1].text and "Pekalongan" in first[-1].text
    assert f"#{ours[0]} " not in first[-1].text  # newest first: the first one is on page 2
    second = await worker.presses(first[-1].buttons[0].payload)
    assert f"#{ours[0]} Agus0" in second[-1].text
    assert "Dewi" not in first[-1].text + second[-1].text

    card = await worker.says(f"/peserta {ours[0]}")
    assert "Agus0 Pratama" in card[-1].text and "Sari Wulandari" in card[-1].text
    assert "Rutan Pekalongan" in card[-1].text and channel.name not in card[-1].text.lower()

    unknown = await worker.says(f"/peserta {nobody}")
    foreign = await worker.says(f"/peserta {theirs}")
    pressed = await worker.presses(f"staff:p:{theirs}")
    forged_page = await worker.presses("staff:pp:99999999999999999999")
    assert [r.text for r in foreign] == [r.text for r in unknown]
    assert [r.text for r in pressed] == [r.text for r in unknown]
    assert "Dewi" not in " ".join(r.text for r in forged_page)

    async with db.transaction() as tx:
        logged = " ".join(m.body or "" for m in (await tx.execute(select(Message))).scalars())
    assert "Agus" not in logged  # what staff saw is not kept where erasure could not reach it
    rows = [(r.action, r.participant_id, r.organisation_id) for r in await audit_rows(db)]
    assert rows[1:] == [
        ("search", None, org_a),
        ("search", None, org_a),
        ("view", ours[0], org_a),
        ("search", None, org_a),
    ]
    assert all(pid != theirs for _action, pid, _org in rows)


async def test_an_admin_invites_a_caseworker_who_joins_on_the_other_channel(
    db: Database, settings: FlowSettings, channel: CollectingChannel
) -> None:
    other_name = "whatsapp" if channel.name == "telegram" else "telegram"
    other_channel = CollectingChannel(name=other_name)
    settings = FlowSettings(telegram_username="pendamping_bot", whatsapp_number="6281100000000")
    inbox = Inbox(db, settings, {channel.name: channel, other_name: other_channel})
    try:
        org = await add_organisation(db, "Rutan Pekalongan")
        admin = Person(inbox, channel, address="1001")
        await join_as_staff(admin, db, org, role="admin", name="Budi Santoso")

        role = await admin.says("/undang")
        assert [b.payload for b in role[-1].buttons][:2] == [
            "staff:invite_role:caseworker",
            "staff:invite_role:admin",
        ]
        name = await admin.presses("staff:invite_role:caseworker")
        assert "nama lengkap" in name[-1].text
        made = (await admin.says("Sari Wulandari"))[-1].text
        code = made.split("<b>")[2].split("</b>")[0]
        assert f"https://t.me/pendamping_bot?start={code}" in made
        assert f"https://wa.me/6281100000000?text=KODE%20{code}" in made

        newcomer = Person(inbox, other_channel, address="6281234567890")
        asked = await newcomer.says(f"KODE {code}")
        assert "Sari Wulandari" in asked[-1].text and "Pendamping" in asked[-1].text
        joined = await newcomer.presses("claim:yes")
        assert [b.payload for b in joined[-1].buttons] == [
            "staff:cmd:peserta",
            "staff:cmd:ringkasan",
            "staff:cmd:rujuk",
            "staff:cmd:gantinomor",
        ]

        async with db.transaction() as tx:
            logged = " ".join(m.body or "" for m in (await tx.execute(select(Message))).scalars())
        assert code not in logged  # shown once, never kept
        rows = [(r.action, r.channel) for r in await audit_rows(db)]
        assert rows == [("claim", channel.name), ("invite", channel.name), ("claim", other_name)]
    finally:
        await inbox.close()


async def test_admins_read_their_organisations_audit_log_with_erased_people_marked(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org_a = await add_organisation(db, "Rutan Pekalongan")
    org_b = await add_organisation(db, "Bapas Semarang")
    admin = Person(inbox, channel, address="1001")
    other_admin = Person(inbox, channel, address="3003")
    await join_as_staff(admin, db, org_a, role="admin", name="Budi Santoso")
    await join_as_staff(other_admin, db, org_b, role="admin", name="Rina Hartati")
    kept = await add_participant(db, "Agus Pratama", now=NOW)
    gone = await add_participant(db, "Wati Susanti", now=NOW)
    await place(db, kept, org_a)
    await place(db, gone, org_a)
    await admin.says(f"/peserta {kept}")
    await admin.says(f"/peserta {gone}")
    async with db.transaction() as tx:
        participant = await tx.get(Participant, gone)
        assert participant is not None
        await erase_participant(tx, participant, NOW)

    log = (await admin.says("/audit"))[-1].text

    assert f"peserta #{kept}" in log and f"peserta #{kept} (dihapus)" not in log
    assert f"peserta #{gone} (dihapus)" in log
    assert "Budi Santoso · melihat" in log and "bergabung sebagai staf" in log
    assert "Rina" not in log
    assert "Wati" not in log
    theirs = (await other_admin.says("/audit"))[-1].text
    assert "Budi" not in theirs and "Rina Hartati · bergabung sebagai staf" in theirs


async def test_an_admin_cannot_touch_another_organisations_staff_or_people(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org_a = await add_organisation(db, "Rutan Pekalongan")
    org_b = await add_organisation(db, "Bapas Semarang")
    admin = Person(inbox, channel, address="1001")
    stranger_worker = Person(inbox, channel, address="3003")
    await join_as_staff(admin, db, org_a, role="admin", name="Budi Santoso")
    await join_as_staff(stranger_worker, db, org_b, role="caseworker", name="Rina Hartati")
    rina = await staff_id_of(db, "Rina Hartati")
    theirs = await add_participant(db, "Dewi Lestari", now=NOW, city="Semarang")
    await place(db, theirs, org_b, caseworker_id=rina)
    nobody_staff = rina + 1000

    team = (await admin.says("/staf"))[-1]
    assert "Rina" not in team.text and all(str(rina) not in b.payload for b in team.buttons)
    unknown = [r.text for r in await admin.says(f"/staf {nobody_staff}")]
    for attempt in (
        admin.says(f"/staf {rina}"),
        admin.presses(f"staff:revoke:{rina}"),
        admin.presses(f"staff:revoke_yes:{rina}"),
    ):
        assert [r.text for r in await attempt] == unknown
    no_card = [r.text for r in await admin.says(f"/peserta {theirs + 1000}")]
    assert [r.text for r in await admin.says(f"/peserta {theirs}")] == no_card
    assert [r.text for r in await admin.presses(f"staff:p:{theirs}")] == no_card
    listed = " ".join(r.text for r in await admin.says("/peserta"))
    assert "Dewi" not in listed
    log = (await admin.says("/audit"))[-1].text
    assert "Rina" not in log and f"#{theirs}" not in log

    async with db.transaction() as tx:
        member = await tx.get(Staff, rina)
        assert member is not None and member.status == StaffStatus.ACTIVE
    still = await stranger_worker.says("/peserta")
    assert "Dewi" in still[-1].text
    assert all(
        r.participant_id != theirs for r in await audit_rows(db) if r.organisation_id == org_a
    )


async def test_a_partners_look_at_a_referred_participant_is_in_the_owners_audit_log(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org_a = await add_organisation(db, "Rutan Pekalongan")
    partner = await add_organisation(db, "Dinas Tenaga Kerja")
    admin = Person(inbox, channel, address="1001")
    worker = Person(inbox, channel, address="3003")
    await join_as_staff(admin, db, org_a, role="admin", name="Budi Santoso")
    await join_as_staff(worker, db, partner, role="caseworker", name="Rina Hartati")
    referred = await add_participant(db, "Agus Pratama", now=NOW)
    other = await add_participant(db, "Wati Susanti", now=NOW)
    await place(db, referred, org_a)
    await place(db, other, org_a)
    async with db.transaction() as tx:
        tx.add(
            Referral(
                participant_id=referred,
                organisation_id=org_a,
                partner_id=partner,
                status=ReferralStatus.ACTIVE,
            )
        )

    listed = (await worker.says("/peserta"))[-1].text
    card = (await worker.says(f"/peserta {referred}"))[-1].text
    hidden = (await worker.says(f"/peserta {other}"))[-1].text
    log = (await admin.says("/audit"))[-1].text

    assert "Agus" in listed and "Wati" not in listed
    assert "Agus Pratama" in card and "Wati" not in hidden
    assert f"Rina Hartati · melihat · peserta #{referred}" in log
    assert "Rina Hartati · melihat daftar peserta" not in log  # the partner's list is theirs
