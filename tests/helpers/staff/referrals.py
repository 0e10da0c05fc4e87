"""A Rutan and a city office in an active partnership, a participant of the Rutan, and a third
organisation that must see nothing: the set-up of the referral tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from handlers.partners.partnerships import confirm, propose
from handlers.staff.scope import StaffView, participant_in_scope, visible
from storage.db import Database
from storage.models import Participant, Referral, StaffRole
from tests.fakes.channel import Person
from tests.helpers.reminders import participant_id
from tests.helpers.signup import sign_up
from tests.helpers.staff.partners import NOW, StaffChat, add_org, add_staff, set_organisation


@dataclass
class World:
    participant: int
    caseworker: StaffChat  # the Rutan's, assigned to the participant
    partner_admin: StaffChat  # the city office's
    partner_caseworker: StaffChat
    stranger: StaffChat  # an admin of a third organisation
    partner_org: int
    program: int  # the city office's program


async def world(db: Database, person: Person) -> World:
    channel = person.channel.name
    rutan, _none = await add_org(db, "Rutan Kelas IIA Pekalongan")
    city, programs = await add_org(
        db, "Dinas Sosial Kota Pekalongan", programs=("Pelatihan Menjahit",)
    )
    third, _none = await add_org(db, "LSM Harapan Baru")
    caseworker = await add_staff(
        db, rutan, "Ibu Rina", role=StaffRole.CASEWORKER, channel=channel, address="9001"
    )
    partner_admin = await add_staff(db, city, "Pak Joko", channel=channel, address="9002")
    partner_cw = await add_staff(
        db, city, "Mas Dedi", role=StaffRole.CASEWORKER, channel=channel, address="9003"
    )
    stranger = await add_staff(db, third, "Bu Wati", channel=channel, address="9004")
    async with db.transaction() as tx:
        row = await propose(
            tx, organisation_id=rutan, partner_id=city, staff=None, channel="cli", now=NOW
        )
        await confirm(
            tx, partnership_id=row.id, organisation_id=city, staff=None, channel="cli", now=NOW
        )
    await sign_up(person)
    pid = await participant_id(db, person.address)
    await set_organisation(db, pid, rutan, caseworker.view.staff_id)
    return World(pid, caseworker, partner_admin, partner_cw, stranger, city, programs[0])


async def seen_by(db: Database, staff: StaffView) -> list[int]:
    """The participants `staff`'s lists show."""
    async with db.transaction() as tx:
        query = select(Participant.id).where(visible(staff)).order_by(Participant.id)
        return list((await tx.execute(query)).scalars())


async def in_scope(db: Database, staff: StaffView, participant: int, *, act: bool = False) -> bool:
    async with db.transaction() as tx:
        return await participant_in_scope(tx, staff, str(participant), act=act) is not None


async def referral(db: Database) -> Referral:
    async with db.transaction() as tx:
        return (await tx.execute(select(Referral).order_by(Referral.id.desc()))).scalars().first()  # type: ignore[return-value]
