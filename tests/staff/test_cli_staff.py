"""`pendamping staff list|revoke|role|rule`, `participants assign` and `audit list`: every
action is audited as the command line's (no staff member, channel "cli")."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from handlers.staff.scope import staff_of
from storage.db import Database
from storage.models import Address, AssignmentRule, Participant, Staff
from tests.helpers.participants import add_participant
from tests.helpers.staff.cli import NOW, add_org, add_staff, audit_rows, pendamping


async def chat_staff(db: Database, channel: str, value: str) -> int | None:
    """Whom the scope check takes this chat's next message to be from (None: nobody)."""
    async with db.transaction() as tx:
        address = (
            await tx.execute(
                select(Address).where(Address.channel == channel, Address.value == value)
            )
        ).scalar_one()
        found = await staff_of(tx, address)
        return found.staff_id if found is not None else None


async def test_the_staff_list_shows_roles_organisations_status_and_chat_channels_only(
    db: Database, database_url: str
) -> None:
    ambon = await add_org(db, "Bapas Ambon")
    rutan = await add_org(db, "Rutan Pekalongan", "rutan")
    await add_staff(
        db,
        ambon,
        "Maria Latuconsina",
        "admin",
        (("telegram", "5550001"), ("whatsapp", "6281200000001")),
    )
    await add_staff(db, rutan, "Andi Wijaya")
    code, out, err = await pendamping(database_url, "staff list")
    assert code == 0, err
    header, maria, andi = out.splitlines()
    assert header.split() == ["id", "name", "role", "organisation", "status", "chats"]
    assert maria.split() == [
        "1",
        "Maria",
        "Latuconsina",
        "admin",
        "Bapas",
        "Ambon",
        "active",
        "telegram,",
        "whatsapp",
    ]
    assert andi.split() == ["2", "Andi", "Wijaya", "caseworker", "Rutan", "Pekalongan", "active"]
    assert "5550001" not in out and "6281200000001" not in out
    _code, out, _err = await pendamping(database_url, 'staff list --org "Rutan Pekalongan"')
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["2"]


async def test_revoking_takes_every_staff_power_from_all_their_chats_at_once(
    db: Database, database_url: str
) -> None:
    ambon = await add_org(db, "Bapas Ambon")
    maria = await add_staff(
        db, ambon, "Maria", "admin", (("telegram", "5550001"), ("whatsapp", "6281200000001"))
    )
    assert await chat_staff(db, "telegram", "5550001") == maria
    code, out, err = await pendamping(database_url, f"staff revoke {maria}")
    assert (code, out) == (
        0,
        f"revoked staff member {maria}: their chats have no staff powers any more\n",
    ), err
    assert await chat_staff(db, "telegram", "5550001") is None
    assert await chat_staff(db, "whatsapp", "6281200000001") is None
    async with db.transaction() as tx:
        staff = await tx.get(Staff, maria)
        assert staff is not None and staff.status == "revoked" and staff.revoked_at is not None
    [row] = await audit_rows(db, "revoke")
    assert (row.staff_id, row.channel, row.organisation_id, row.detail) == (
        None,
        "cli",
        ambon,
        f"staff {maria}",
    )
    code, _out, err = await pendamping(database_url, f"staff revoke {maria}")
    assert code == 1 and "was revoked already" in err
    code, _out, err = await pendamping(database_url, "staff revoke 99")
    assert code == 1 and "there is no staff member 99" in err


async def test_a_role_change_is_applied_and_audited(db: Database, database_url: str) -> None:
    ambon = await add_org(db, "Bapas Ambon")
    andi = await add_staff(db, ambon, "Andi")
    code, out, err = await pendamping(database_url, f"staff role {andi} admin")
    assert (code, out) == (0, f"staff member {andi} is now admin\n"), err
    [row] = await audit_rows(db, "role")
    assert (row.staff_id, row.channel, row.detail) == (
        None,
        "cli",
        f"staff {andi} caseworker -> admin",
    )
    code, _out, err = await pendamping(database_url, f"staff role {andi} admin")
    assert code == 1 and "is admin already" in err
    code, _out, err = await pendamping(database_url, f"staff role {andi} boss")
    assert code == 2 and "invalid choice: 'boss'" in err


async def test_rules_are_added_for_a_city_or_a_program_and_listed(
    db: Database, database_url: str
) -> None:
    ambon = await add_org(db, "Bapas Ambon")
    rutan = await add_org(db, "Rutan Pekalongan", "rutan")
    andi = await add_staff(db, ambon, "Andi Wijaya")
    sari = await add_staff(db, rutan, "Sari")
    code, out, err = await pendamping(
        database_url, f'staff rule add --org 1 --caseworker {andi} --city "kota ambon"'
    )
    assert (code, out) == (
        0,
        f"added rule 1: new sign-ups of city kota-ambon go to caseworker {andi}\n",
    ), err
    code, _out, err = await pendamping(
        database_url, 'programs add --org 2 --name "Pelatihan Las" --kind pelatihan'
    )
    assert code == 0, err
    code, out, err = await pendamping(
        database_url, f'staff rule add --org 2 --caseworker {sari} --program "Pelatihan Las"'
    )
    assert code == 0 and "program Pelatihan Las" in out, err
    # A caseworker of another organisation, or a place we do not know, is refused.
    code, _out, err = await pendamping(
        database_url, f'staff rule add --org 2 --caseworker {andi} --city "kota ambon"'
    )
    assert (
        code == 1 and f"staff member {andi} is not an active staff member of organisation 2" in err
    )
    code, _out, err = await pendamping(
        database_url, f'staff rule add --org 1 --caseworker {andi} --city "atlantis"'
    )
    assert code == 2 and "'atlantis' is not a kabupaten/kota we know" in err
    code, out, err = await pendamping(database_url, "staff rule list")
    assert code == 0, err
    header, first, second = out.splitlines()
    assert header.split() == ["id", "organisation", "city", "program", "caseworker"]
    assert first.split() == ["1", "Bapas", "Ambon", "kota-ambon", "-", str(andi), "Andi", "Wijaya"]
    assert second.split() == [
        "2",
        "Rutan",
        "Pekalongan",
        "-",
        "Pelatihan",
        "Las",
        str(sari),
        "Sari",
    ]
    _code, out, _err = await pendamping(database_url, "staff rule list --org 2")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["2"]
    async with db.transaction() as tx:
        assert len(list((await tx.execute(select(AssignmentRule))).scalars())) == 2
    assert [r.detail for r in await audit_rows(db, "rule")] == [
        f"rule 1: caseworker {andi}",
        f"rule 2: caseworker {sari}",
    ]


async def test_an_operator_finds_the_unassigned_and_assigns_them(
    db: Database, database_url: str
) -> None:
    ambon = await add_org(db, "Bapas Ambon")
    rutan = await add_org(db, "Rutan Pekalongan", "rutan")
    andi = await add_staff(db, ambon, "Andi")
    sari = await add_staff(db, rutan, "Sari")
    budi = await add_participant(db, "Budi Santoso", now=NOW)
    code, out, err = await pendamping(database_url, "participants list --unassigned")
    assert code == 0, err
    assert [line.split()[0] for line in out.splitlines()[1:]] == [str(budi)]
    code, _out, err = await pendamping(
        database_url, f"participants assign {budi} --org 1 --caseworker {sari}"
    )
    assert (
        code == 1 and f"staff member {sari} is not an active staff member of organisation 1" in err
    )
    code, out, err = await pendamping(
        database_url, f"participants assign {budi} --org 1 --caseworker {andi}"
    )
    assert (code, out) == (0, f"participant {budi}: Bapas Ambon, caseworker {andi}\n"), err
    async with db.transaction() as tx:
        person = await tx.get(Participant, budi)
        assert person is not None and (person.organisation_id, person.caseworker_id) == (
            ambon,
            andi,
        )
    _code, out, _err = await pendamping(database_url, "participants list --unassigned")
    assert out.startswith("no participant without an organisation")
    [row] = await audit_rows(db, "assign")
    assert (row.staff_id, row.channel, row.participant_id, row.organisation_id) == (
        None,
        "cli",
        budi,
        ambon,
    )
    assert rutan != ambon


async def test_the_audit_list_tells_who_did_what_about_whom_and_shows_the_erased_as_erased(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    ambon = await add_org(db, "Bapas Ambon")
    andi = await add_staff(db, ambon, "Andi Wijaya")
    budi = await add_participant(db, "Budi Santoso", now=NOW)
    dewi = await add_participant(db, "Dewi Lestari", now=NOW, erased=True)
    for who in (budi, dewi):
        code, _out, err = await pendamping(
            database_url, f"participants assign {who} --org 1 --caseworker {andi}"
        )
        assert code == 0, err
    code, _out, err = await pendamping(
        database_url, f"participants export --output {tmp_path / 'p.csv'}"
    )
    assert code == 0, err
    code, out, err = await pendamping(database_url, "audit list")
    assert code == 0, err
    header, export, assign_dewi, assign_budi = out.splitlines()
    assert header.split() == ["at", "staff", "action", "participant", "org", "channel", "detail"]
    assert export.split()[2:] == [
        "(command",
        "line)",
        "export",
        "-",
        "-",
        "cli",
        "2",
        "participant(s)",
    ]
    assert assign_dewi.split()[2:8] == [
        "(command",
        "line)",
        "assign",
        str(dewi),
        "(erased)",
        str(ambon),
    ]
    assert assign_budi.split()[2:9] == [
        "(command",
        "line)",
        "assign",
        str(budi),
        "Budi",
        "Santoso",
        str(ambon),
    ]
    assert "Dewi" not in out
    _code, out, _err = await pendamping(database_url, f"audit list --participant {budi}")
    assert len(out.splitlines()) == 2 and "Budi Santoso" in out
    _code, out, _err = await pendamping(database_url, "audit list --limit 1")
    assert len(out.splitlines()) == 2 and " export " in out
    _code, out, _err = await pendamping(database_url, "audit list --org 1 --since 2026-01-01")
    assert [line.split()[4] for line in out.splitlines()[1:]] == ["assign", "assign"]
    _code, out, _err = await pendamping(database_url, "audit list --since 2999-01-01")
    assert out == "no audit rows match\n"
    _code, out, _err = await pendamping(database_url, f"audit list --staff {andi}")
    assert out == "no audit rows match\n"  # Andi did nothing himself: the command line did
    code, _out, err = await pendamping(database_url, "audit list --since yesterday")
    assert code == 2 and "must be a date like 2026-12-01, not 'yesterday'" in err
