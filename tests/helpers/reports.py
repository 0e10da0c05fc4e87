"""A seeded November 2026 for the report tests: Rutan A (WIB) with people who signed up,
stopped, checked in (answered, in part, not at all, across the month's edges in WIB) and
attended two programs; Bapas B, whose people and answers A must never count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage.db import Database
from storage.models import (
    Address,
    Checkin,
    CheckinHelp,
    CheckinStatus,
    Enrolment,
    Participant,
    ParticipantStatus,
    ProgramSession,
    StaffRole,
)
from tests.helpers.participants import add_participant
from tests.helpers.staff.partners import StaffChat, add_org, add_staff

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Tuesday 1 December, 10.00 WIB


def at(day: int, hour: int = 3, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@dataclass
class Month:
    org_a: int
    org_b: int
    admin_a: StaffChat
    caseworker_a: StaffChat
    budi: int  # A's, the caseworker's
    sari: int  # A's, new in November, nobody's
    joko: int  # A's, new in November, stopped in November, the caseworker's


async def _checkin(
    db: Database,
    participant: int,
    org: int,
    started: datetime,
    status: str,
    *,
    mood: int | None = None,
    activity: str | None = None,
    housing: str | None = None,
    needs: tuple[str, ...] = (),
) -> None:
    async with db.transaction() as tx:
        row = Checkin(
            participant_id=participant,
            organisation_id=org,
            started_at=started,
            finished_at=started + timedelta(minutes=2),
            status=status,
            channel="telegram",
            mood=mood,
            activity=activity,
            housing=housing,
            help_answered=bool(needs),
            note_answered=False,
            media_stored=False,
        )
        tx.add(row)
        await tx.flush()
        for need in needs:
            tx.add(CheckinHelp(checkin_id=row.id, need=need))


async def _session(db: Database, program: int, starts: datetime, seats: dict[int, str]) -> None:
    async with db.transaction() as tx:
        session = ProgramSession(
            program_id=program,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            timezone="Asia/Jakarta",
            place="Aula",
            status="scheduled",
        )
        tx.add(session)
        await tx.flush()
        for participant, attendance in seats.items():
            tx.add(
                Enrolment(
                    participant_id=participant,
                    session_id=session.id,
                    attendance=attendance,
                    created_at=starts,
                )
            )


async def seeded_month(
    db: Database, channel: str = "telegram", *, addresses: tuple[str, str] = ("9001", "9002")
) -> Month:
    """`addresses`: the admin's and the caseworker's chats on `channel`."""
    org_a, (welding, sewing) = await add_org(
        db, "Rutan Kelas IIA Pekalongan", programs=("Pelatihan Las", "Kelas Menjahit")
    )
    org_b, (farming,) = await add_org(db, "Bapas Semarang", programs=("Pelatihan Tani",))
    admin_a = await add_staff(db, org_a, "Pak Harto", channel=channel, address=addresses[0])
    caseworker_a = await add_staff(
        db, org_a, "Ibu Rina", role=StaffRole.CASEWORKER, channel=channel, address=addresses[1]
    )
    budi = await add_participant(db, "Budi", now=at(1, month=10))
    sari = await add_participant(db, "Sari", now=at(10))
    joko = await add_participant(db, "Joko", now=at(5))
    old_stop = await add_participant(db, "Agus", now=at(1, month=9))
    late = await add_participant(db, "Rudi", now=at(30, 22))  # 1 December, 05.00 WIB
    signing = await add_participant(db, "Wati", now=at(12))
    dewi = await add_participant(db, "Dewi", now=at(3))
    async with db.transaction() as tx:
        for pid, org, caseworker in (
            (budi, org_a, caseworker_a.view.staff_id),
            (sari, org_a, None),
            (joko, org_a, caseworker_a.view.staff_id),
            (old_stop, org_a, None),
            (late, org_a, None),
            (signing, org_a, None),
            (dewi, org_b, None),
        ):
            person = await tx.get(Participant, pid)
            assert person is not None
            person.organisation_id, person.caseworker_id = org, caseworker
        person = await tx.get(Participant, signing)
        assert person is not None
        person.status = ParticipantStatus.REGISTERING
    async with db.transaction() as tx:
        for pid, stopped in ((joko, at(20)), (old_stop, at(15, month=10))):
            person = await tx.get(Participant, pid)
            assert person is not None
            person.status, person.updated_at = ParticipantStatus.STOPPED, stopped

    done = CheckinStatus.COMPLETE
    await _checkin(db, budi, org_a, at(4), done, mood=4, activity="work", housing="yes",
                   needs=("work", "documents"))  # fmt: skip
    await _checkin(db, sari, org_a, at(12), done, mood=2, activity="looking", housing="no",
                   needs=("work",))  # fmt: skip
    # 31 October 18.00 UTC is 1 November 01.00 WIB: November's
    await _checkin(db, budi, org_a, at(31, 18, month=10), CheckinStatus.PARTIAL, mood=3)
    await _checkin(db, sari, org_a, at(20), CheckinStatus.EXPIRED)
    await _checkin(db, joko, org_a, at(8), done, mood=5, activity="training", housing="yes",
                   needs=("none",))  # fmt: skip
    # 30 November 17.30 UTC is 1 December 00.30 WIB: not November's
    await _checkin(db, budi, org_a, at(30, 17) + timedelta(minutes=30), done, mood=1,
                   activity="none", housing="no", needs=("capital",))  # fmt: skip
    await _checkin(db, dewi, org_b, at(6), done, mood=1, activity="work", housing="no",
                   needs=("legal",))  # fmt: skip

    await _session(db, welding, at(10), {budi: "attended", sari: "absent", joko: "attended"})
    await _session(db, welding, at(20, month=10), {budi: "attended"})  # October's
    await _session(db, sewing, at(15), {budi: "absent"})
    await _session(db, farming, at(12), {dewi: "attended"})
    return Month(org_a, org_b, admin_a, caseworker_a, budi, sari, joko)


async def wrote(db: Database, channel: str, address: str, at: datetime) -> None:
    """The staff chat `address` last wrote to the bot at `at` (WhatsApp's 24-hour window)."""
    async with db.transaction() as tx:
        row = (
            await tx.execute(
                select(Address).where(Address.channel == channel, Address.value == address)
            )
        ).scalar_one()
        row.last_inbound_at = at
