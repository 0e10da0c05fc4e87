"""Assignment: the rules apply when a sign-up completes (on either channel), and staff reassign
only participants they may act on, to caseworkers of the participant's organisation."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.inbox import Inbox
from handlers.flow import FlowSettings
from handlers.staff.assignment import Reassigned, assign_at_signup, reassign
from handlers.staff.scope import StaffView, participant_in_scope
from storage.db import Database
from storage.models import AssignmentRule, Membership, Participant, Program, Staff
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.participants import add_participant
from tests.helpers.signup import sign_up
from tests.helpers.staff.cli import NOW, add_org, add_staff, audit_rows, pendamping

CHANNELS = ("telegram", "whatsapp")


@pytest.fixture(params=CHANNELS)
async def someone(
    request: pytest.FixtureRequest, db: Database, settings: FlowSettings
) -> AsyncIterator[Person]:
    """A person about to sign up, on Telegram and on WhatsApp (the collecting fake under both
    names)."""
    channel = CollectingChannel(name=request.param)
    inbox = Inbox(db, settings, {channel.name: channel})
    yield Person(
        inbox, channel, address="6281300000001", profile_name="Budi Santoso",
        contact_button=request.param == "telegram",
    )  # fmt: skip
    await inbox.close()


async def add_rule(
    db: Database, org: int, caseworker: int, *, city: str | None = None, program: int | None = None
) -> int:
    async with db.transaction() as tx:
        rule = AssignmentRule(
            organisation_id=org, caseworker_id=caseworker, city_key=city, program_id=program
        )
        tx.add(rule)
        await tx.flush()
        return rule.id


async def placed(db: Database) -> tuple[int | None, int | None]:
    async with db.transaction() as tx:
        person = (await tx.execute(select(Participant))).scalar_one()
        return person.organisation_id, person.caseworker_id


async def test_a_city_rule_gives_a_new_sign_up_its_organisation_and_caseworker(
    db: Database, database_url: str, someone: Person
) -> None:
    ambon = await add_org(db, "Bapas Ambon")
    serang = await add_org(db, "Bapas Serang")
    await add_rule(db, ambon, await add_staff(db, ambon, "Andi"), city="kota-ambon")
    sari = await add_staff(db, serang, "Sari")
    rule = await add_rule(db, serang, sari, city="kab-serang")
    await sign_up(someone)  # lives in kab. serang
    assert await placed(db) == (serang, sari)
    async with db.transaction() as tx:  # so Sari may now act on them, and Andi sees nothing
        person = (await tx.execute(select(Participant))).scalar_one()
        assert await participant_in_scope(tx, view(sari, serang), person.id, act=True) is person
        assert await participant_in_scope(tx, view(sari + 1, ambon, "admin"), person.id) is None
    [row] = await audit_rows(db, "assign")
    assert (row.staff_id, row.channel, row.organisation_id, row.detail) == (
        None, someone.channel.name, serang, f"sign-up, rule {rule}",
    )  # fmt: skip
    _code, out, _err = await pendamping(database_url, "audit list")
    assert out.splitlines()[1].split()[2:5] == ["(the", "bot)", "assign"]


async def test_a_revoked_caseworkers_rule_no_longer_applies_and_one_organisation_takes_everyone(
    db: Database, someone: Person
) -> None:
    serang = await add_org(db, "Bapas Serang")
    sari = await add_staff(db, serang, "Sari")
    await add_rule(db, serang, sari, city="kab-serang")
    async with db.transaction() as tx:
        staff = await tx.get(Staff, sari)
        assert staff is not None
        staff.status = "revoked"
    await sign_up(someone)
    assert await placed(db) == (serang, None)  # the only organisation, no caseworker


async def test_with_no_rule_and_several_organisations_nobody_but_the_command_line_sees_them(
    db: Database, someone: Person
) -> None:
    await add_org(db, "Bapas Ambon")
    await add_org(db, "Bapas Serang")
    await sign_up(someone)
    assert await placed(db) == (None, None)
    assert await audit_rows(db, "assign") == []


async def test_a_start_code_naming_an_organisation_places_the_sign_up_there(
    db: Database, someone: Person
) -> None:
    await add_org(db, "Bapas Ambon")
    serang = await add_org(db, "Bapas Serang")
    await someone.says(f"/start org{serang}")
    await sign_up(someone)
    assert await placed(db) == (serang, None)


async def test_the_first_programs_rule_wins_over_the_citys(db: Database) -> None:
    ambon = await add_org(db, "Bapas Ambon")
    rutan = await add_org(db, "Rutan Pekalongan", "rutan")
    await add_rule(db, ambon, await add_staff(db, ambon, "Andi"), city="kota-ambon")
    sari = await add_staff(db, rutan, "Sari")
    person = await add_participant(db, "Budi Santoso", now=NOW)
    async with db.transaction() as tx:
        program = Program(organisation_id=rutan, name="Pelatihan Las", kind="job_training")
        tx.add(program)
        await tx.flush()
        tx.add(Membership(participant_id=person, program_id=program.id))
    await add_rule(db, rutan, sari, program=program.id)
    async with db.transaction() as tx:
        participant = await tx.get(Participant, person)
        assert participant is not None
        participant.city_key = "kota-ambon"
        await assign_at_signup(tx, participant, channel="whatsapp", now=NOW)
        assert (participant.organisation_id, participant.caseworker_id) == (rutan, sari)


def view(staff_id: int, org: int, role: str = "caseworker") -> StaffView:
    return StaffView(staff_id, org, role, "Staff", "id")


@pytest.mark.parametrize("channel", CHANNELS)
async def test_reassigning_is_refused_out_of_scope_and_to_another_organisations_caseworker(
    db: Database, channel: str
) -> None:
    ambon = await add_org(db, "Bapas Ambon")
    serang = await add_org(db, "Bapas Serang")
    andi = await add_staff(db, ambon, "Andi")
    dewi = await add_staff(db, ambon, "Dewi")
    admin = await add_staff(db, ambon, "Maria", "admin")
    sari = await add_staff(db, serang, "Sari", "admin")
    budi = await add_participant(db, "Budi Santoso", now=NOW)
    async with db.transaction() as tx:
        participant = await tx.get(Participant, budi)
        assert participant is not None
        participant.organisation_id, participant.caseworker_id = ambon, andi
    async with db.transaction() as tx:
        # Another organisation's admin; a caseworker who only reads this participant.
        assert (
            await reassign(tx, view(sari, serang, "admin"), budi, sari, NOW, channel=channel)
            == Reassigned.NO_PARTICIPANT
        )
        assert (
            await reassign(tx, view(dewi, ambon), budi, dewi, NOW, channel=channel)
            == Reassigned.NO_PARTICIPANT
        )
        assert (
            await reassign(tx, view(andi, ambon), str(budi + 1000), dewi, NOW, channel=channel)
            == Reassigned.NO_PARTICIPANT
        )
        # Their own caseworker may pass them on, but only within the organisation.
        assert (
            await reassign(tx, view(andi, ambon), budi, sari, NOW, channel=channel)
            == Reassigned.NO_CASEWORKER
        )
    assert await audit_rows(db, "assign") == []
    async with db.transaction() as tx:
        assert (
            await reassign(tx, view(admin, ambon, "admin"), f"#{budi}", dewi, NOW, channel=channel)
            == Reassigned.DONE
        )
    async with db.transaction() as tx:
        participant = await tx.get(Participant, budi)
        assert participant is not None and participant.caseworker_id == dewi
    [row] = await audit_rows(db, "assign")
    assert (row.staff_id, row.channel, row.participant_id, row.detail) == (
        admin,
        channel,
        budi,
        f"caseworker {dewi}",
    )
