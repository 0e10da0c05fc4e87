"""An export holds what its reader may see: a caseworker's organisation (never another's), an
admin's the whole organisation, a partner only the participant referred to it and only the
referred program's sessions; nothing once the referral is withdrawn."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import Database
from storage.models import Referral, ReferralStatus
from tests.helpers.exports import NOW, export_as, read_csv, world


def ids(content: bytes, column: str = "ID") -> list[int]:
    return [int(row[column]) for row in read_csv(content)]


async def test_a_caseworker_exports_their_organisation_and_nothing_of_another(
    db: Database,
) -> None:
    w = await world(db, "telegram")

    ours = [w.budi, w.formula, w.erased]
    assert ids(await export_as(db, w.caseworker_a, "participants", "csv")) == ours
    assert ids(await export_as(db, w.admin_a, "participants", "csv")) == ours
    assert ids(await export_as(db, w.caseworker_b, "participants", "csv")) == [w.dewi]

    a_attendance = read_csv(await export_as(db, w.caseworker_a, "attendance", "csv"))
    assert w.dewi not in {int(r["ID peserta"]) for r in a_attendance}
    assert "Pelatihan Tani" not in {r["Program/pertemuan"] for r in a_attendance}
    b_attendance = read_csv(await export_as(db, w.caseworker_b, "attendance", "csv"))
    assert [(int(r["ID peserta"]), r["Program/pertemuan"]) for r in b_attendance] == [
        (w.dewi, "Pelatihan Tani")
    ]
    b_answers = read_csv(await export_as(db, w.caseworker_b, "rsvps", "csv"))
    assert [int(r["ID peserta"]) for r in b_answers] == [w.dewi]
    assert "Budi" not in str(b_attendance + b_answers)


async def test_a_partner_sees_only_the_referred_participant_and_program(db: Database) -> None:
    w = await world(db, "whatsapp")

    people = read_csv(await export_as(db, w.partner_c, "participants", "csv"))
    assert [(int(r["ID"]), r["Nama"]) for r in people] == [(w.budi, "Budi Santoso")]

    attendance = read_csv(await export_as(db, w.partner_c, "attendance", "csv"))
    assert [(int(r["ID peserta"]), r["Program/pertemuan"], r["Kehadiran"]) for r in attendance] == [
        (w.budi, "Pelatihan Menjahit", "Hadir")
    ]  # not the Rutan's welding, not the counselling, not C's own computer class he also took
    answers = read_csv(await export_as(db, w.partner_c, "rsvps", "csv"))
    assert [r["Program/pertemuan"] for r in answers] == ["Pelatihan Menjahit"]

    async with db.transaction() as tx:
        referral = (await tx.execute(select(Referral))).scalar_one()
        referral.status, referral.withdrawn_at = ReferralStatus.WITHDRAWN, NOW
    for kind in ("participants", "attendance", "rsvps"):
        content = await export_as(db, w.partner_c, kind, "csv")
        assert content.count(b"\n") == 1 and b"ID" in content, kind  # the header, no rows


async def test_a_referral_to_no_program_in_particular_shows_the_partners_own_programs(
    db: Database,
) -> None:
    w = await world(db, "telegram")
    async with db.transaction() as tx:
        referral = (await tx.execute(select(Referral))).scalar_one()
        referral.program_id = None

    attendance = read_csv(await export_as(db, w.partner_c, "attendance", "csv"))
    assert [(int(r["ID peserta"]), r["Program/pertemuan"]) for r in attendance] == [
        (w.budi, "Kelas Komputer"),
        (w.budi, "Pelatihan Menjahit"),
    ]  # C's two programs; never the Rutan's welding class or its counselling
