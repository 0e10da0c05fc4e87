"""Partnerships: one organisation's admin proposes, the other's admin confirms, either ends it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import handlers.partners.mitra  # noqa: F401  (registers /mitra)
from storage.db import Database
from storage.models import Partnership, PartnershipStatus
from tests.helpers.staff.partners import StaffChat, add_org, add_staff, audit_rows, run


@pytest.fixture(params=["telegram", "whatsapp"])
def chat_channel(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def three_orgs(db: Database, channel: str) -> tuple[StaffChat, StaffChat, StaffChat]:
    rutan, _p = await add_org(db, "Rutan Kelas IIA Pekalongan")
    city, _p = await add_org(db, "Dinas Sosial Kota Pekalongan")
    other, _p = await add_org(db, "LSM Harapan Baru")
    return (
        await add_staff(db, rutan, "Ibu Rina", channel=channel, address="9001"),
        await add_staff(db, city, "Pak Joko", channel=channel, address="9002"),
        await add_staff(db, other, "Bu Wati", channel=channel, address="9003"),
    )


async def status_of(db: Database, partnership_id: int) -> str:
    async with db.transaction() as tx:
        row = await tx.get(Partnership, partnership_id)
        assert row is not None
        return row.status


async def only_partnership(db: Database) -> Partnership:
    async with db.transaction() as tx:
        return (await tx.execute(select(Partnership))).scalar_one()


async def test_proposed_by_name_with_a_typo_the_partner_admin_is_told_and_confirms(
    db: Database, chat_channel: str
) -> None:
    rutan, city, _other = await three_orgs(db, chat_channel)
    proposed = await run(db, rutan, "mitra", "dinas sosial kota pekalonga")
    row = await only_partnership(db)
    assert row.status == PartnershipStatus.PENDING
    assert f"#{row.id}" in proposed.text()
    # the partner's admin is told, with a button that confirms
    assert [address for address, _reply in proposed.told] == [city.address]
    told = proposed.told[0][1]
    assert "Rutan Kelas IIA Pekalongan" in told.text
    assert [b.payload for b in told.buttons] == [f"mitra:terima {row.id}"]
    # the proposer alone cannot make it active
    await run(db, rutan, "mitra", f"terima {row.id}")
    assert await status_of(db, row.id) == PartnershipStatus.PENDING
    listed = await run(db, city, "mitra")
    assert "Rutan Kelas IIA Pekalongan" in listed.text()
    assert [b.payload for b in listed.replies[0].buttons] == [f"mitra:terima {row.id}"]
    confirmed = await run(db, city, "mitra", f"terima {row.id}")
    assert await status_of(db, row.id) == PartnershipStatus.ACTIVE
    assert [address for address, _reply in confirmed.told] == [rutan.address]
    assert "aktif" in (await run(db, rutan, "mitra")).text()


async def test_an_admin_of_a_third_organisation_cannot_confirm_or_end(
    db: Database, chat_channel: str
) -> None:
    rutan, city, other = await three_orgs(db, chat_channel)
    await run(db, rutan, "mitra", "Dinas Sosial Kota Pekalongan")
    row = await only_partnership(db)
    forged = await run(db, other, "mitra", f"terima {row.id}")
    assert await status_of(db, row.id) == PartnershipStatus.PENDING
    assert "Tidak ada ajakan" in forged.text() and "Pekalongan" not in forged.text()
    await run(db, city, "mitra", f"terima {row.id}")
    await run(db, other, "mitra", f"akhiri {row.id}")
    assert await status_of(db, row.id) == PartnershipStatus.ACTIVE
    listed = await run(db, other, "mitra")
    assert "belum punya mitra" in listed.text() and "Pekalongan" not in listed.text()


async def test_either_side_ends_it_and_each_step_is_audited(
    db: Database, chat_channel: str
) -> None:
    rutan, city, _other = await three_orgs(db, chat_channel)
    await run(db, rutan, "mitra", "ajak Dinas Sosial")
    row = await only_partnership(db)
    await run(db, city, "mitra", f"terima {row.id}")
    ended = await run(db, city, "mitra", f"akhiri {row.id}")
    assert await status_of(db, row.id) == PartnershipStatus.ENDED
    assert [address for address, _reply in ended.told] == [rutan.address]
    rows = await audit_rows(db, "partnership")
    assert [(r.staff_id, r.channel) for r in rows] == [
        (rutan.view.staff_id, chat_channel),
        (city.view.staff_id, chat_channel),
        (city.view.staff_id, chat_channel),
    ]
    assert [r.detail.split()[2] for r in rows if r.detail] == ["proposed", "confirmed", "ended"]
    # ended, it can be proposed again, and is pending again
    await run(db, city, "mitra", "Rutan Kelas IIA Pekalongan")
    assert await status_of(db, row.id) == PartnershipStatus.PENDING


async def test_an_organisation_that_does_not_exist_is_not_proposed_to(
    db: Database, chat_channel: str
) -> None:
    rutan, _city, _other = await three_orgs(db, chat_channel)
    said = await run(db, rutan, "mitra", "Kepolisian Resor Batang")
    assert "tidak menemukan" in said.text().lower()
    async with db.transaction() as tx:
        assert (await tx.execute(select(Partnership))).first() is None


async def test_proposing_back_to_an_organisation_that_proposed_accepts_its_proposal(
    db: Database, chat_channel: str
) -> None:
    rutan, city, _other = await three_orgs(db, chat_channel)
    await run(db, rutan, "mitra", "Dinas Sosial Kota Pekalongan")
    row = await only_partnership(db)
    said = await run(db, city, "mitra", "Rutan Kelas IIA Pekalongan")
    assert "resmi bermitra" in said.text()
    assert await status_of(db, row.id) == PartnershipStatus.ACTIVE
    again = await run(db, rutan, "mitra", "Dinas Sosial Kota Pekalongan")
    assert "sudah punya kemitraan" in again.text()
