"""The admin commands, run as the real `pendamping` command on the test's database."""

from __future__ import annotations

import shlex
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from handlers.programs.admin import add_organisation, add_program, add_sessions
from handlers.programs.changes import add_session
from handlers.programs.csv_import import SessionRow
from handlers.reminders.planning import enrol
from handlers.reminders.rules import ReminderPolicy
from storage.db import Database
from storage.models import Appointment, Occurrence, Participant, ProgramSession, ScheduledMessage
from tests.fakes.channel import Person
from tests.helpers.cli import run_cli
from tests.helpers.cli import run_command as in_process
from tests.helpers.paths import ROOT
from tests.helpers.signup import sign_up

WIB, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Jayapura")
POLICY = ReminderPolicy()


async def cli(database_url: str, command: str) -> tuple[int, str, str]:
    """The real command in a subprocess, typed as staff type it: `pendamping <command>`."""
    return await run_cli(*shlex.split(command), database_url=database_url, cwd=ROOT)


def days_ahead(days: int, zone: ZoneInfo = WIB) -> date:
    return (datetime.now(UTC).astimezone(zone) + timedelta(days=days)).date()


def at(day: date, hour: int, zone: ZoneInfo = WIB, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


async def rows(db: Database, **where: object) -> list[ScheduledMessage]:
    async with db.transaction() as tx:
        query = select(ScheduledMessage).filter_by(**where).order_by(ScheduledMessage.id)
        return list((await tx.execute(query)).scalars())


async def count(db: Database, model: type) -> int:
    async with db.transaction() as tx:
        return int(await tx.scalar(select(func.count()).select_from(model)) or 0)


async def add_bapas_ambon(db: Database, *, with_rutan: bool) -> None:
    """Bapas Ambon (WIT) runs "Konseling Ambon"; Rutan Pekalongan (WIB) runs "Pelatihan Las"."""
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        if with_rutan:
            rutan = await add_organisation(tx, "Rutan Pekalongan", "rutan", "Asia/Jakarta", now)
            await add_program(tx, rutan, "Pelatihan Las", "job_training", None, now)
        bapas = await add_organisation(tx, "Bapas Ambon", "bapas", "Asia/Jayapura", now)
        await add_program(tx, bapas, "Konseling Ambon", "counselling", None, now)


async def test_orgs_programs_sessions_add_and_import(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    code, out, err = await cli(database_url, 'orgs add --name "Rutan Pekalongan" --kind rutan')
    assert (code, out) == (0, "added organisation 1: Rutan Pekalongan (rutan, WIB)\n"), err
    code, out, err = await cli(
        database_url,
        'programs add --org "Rutan Pekalongan" --name "Pelatihan Las" --kind pelatihan '
        "--offsets 2880,120",
    )
    assert code == 0 and out.startswith("added program 1: Pelatihan Las (job_training)"), err
    day = days_ahead(10)
    code, out, err = await cli(
        database_url,
        f'sessions add --program "Pelatihan Las" --start "{day} 09:00" --end 12:00 '
        '--place "Aula Rutan" --city "kota pekalongan" --capacity 20 --open',
    )
    assert code == 0 and out.startswith("added session 1: Pelatihan Las"), err
    await add_bapas_ambon(db, with_rutan=False)

    ambon_day = days_ahead(12, WIT)
    csv_file = tmp_path / "jadwal.csv"
    csv_file.write_text(
        "program;title;date;start;end;timezone;place;capacity;city;open\n"
        f"Pelatihan Las;Las 2;{day:%d/%m/%Y};13.00;15.00;WIB;Aula Rutan;15;kota pekalongan;ya\n"
        f"2;;{ambon_day};10:00;11:30;WIT;Kantor Bapas Ambon;;kota ambon;tidak\n"
        f"Pelatihan Las;;{day};09:00;08:00;WIB;Aula Rutan;;;\n"
        f"Menjahit;;{day};09:00;10:00;WIB;Aula Rutan;;;\n"
        f"1;;{day};09:00;12:00;WIB;aula rutan;;;\n",
        encoding="utf-8-sig",
    )
    code, out, err = await cli(database_url, f"sessions import {csv_file}")
    assert (code, out) == (1, "imported 2 session(s) (ids 2, 3)\n")
    assert err.splitlines()[-4:] == [
        "line 4: end time 08:00 is before start time 09:00",
        "line 5: there is no program 'Menjahit': give its id or name (`pendamping programs list`)",
        "line 6: duplicates session 1 (same program, start and place)",
        "refused 3 row(s): fix them and import those rows again",
    ]
    assert await count(db, ProgramSession) == 3
    assert await rows(db) == []  # nobody is enrolled: nothing to send

    code, out, err = await cli(database_url, "sessions list")
    assert code == 0, err
    header, *lines = out.splitlines()
    assert header.split() == [
        "id", "program", "title", "start", "place", "status", "enrolled", "waitlisted",
    ]  # fmt: skip
    assert [line.split()[0] for line in lines] == ["1", "2", "3"]
    assert f"{day} 13:00 WIB" in lines[1] and "0/15" in lines[1]
    assert f"{ambon_day} 10:00 WIT" in lines[2] and "Konseling Ambon" in lines[2]
    async with db.transaction() as tx:
        query = select(ProgramSession).order_by(ProgramSession.id)
        added, pekalongan, ambon = (await tx.execute(query)).scalars()
    assert (added.starts_at, added.ends_at) == (at(day, 9), at(day, 12))
    assert added.timezone == "Asia/Jakarta"
    assert (added.city_key, added.capacity, added.open) == ("kota-pekalongan", 20, True)
    assert added.program.reminder_offsets == [2880, 120]
    assert (pekalongan.title, pekalongan.capacity) == ("Las 2", 15)
    assert pekalongan.starts_at == at(day, 13)
    assert (ambon.program_id, ambon.starts_at) == (2, at(ambon_day, 10, WIT))
    assert ambon.city_key == "kota-ambon"

    # The same file again, as a dry run: the good rows are now duplicates; nothing is written.
    code, out, err = await in_process(database_url, f"sessions import {csv_file} --dry-run")
    assert code == 1 and out.startswith("dry run: 0 session(s) would be imported")
    assert "line 2: duplicates session 2" in err and "line 3: duplicates session 3" in err
    code, out, _err = await in_process(database_url, "programs list")
    assert "2880,120 min before" in out and "1440,120 min before (default)" in out
    code, out, _err = await in_process(database_url, "orgs list")
    assert out.splitlines()[2].split() == ["2", "Bapas", "Ambon", "bapas", "WIT", "-"]
    assert await count(db, ProgramSession) == 3


async def test_enrol_cancel_move_and_attendance(
    db: Database, database_url: str, person: Person
) -> None:
    await add_bapas_ambon(db, with_rutan=True)
    await sign_up(person)  # Budi, Kabupaten Serang, WIB
    now = datetime.now(UTC)
    first_day, second_day, moved_day = days_ahead(3), days_ahead(5), days_ahead(4)
    async with db.transaction() as tx:
        [budi] = (await tx.execute(select(Participant))).scalars()
        made = await add_sessions(tx, [
            SessionRow(0, 1, at(first_day, 9), at(first_day, 12), "Asia/Jakarta", "Aula Rutan"),
            SessionRow(0, 1, at(second_day, 9), at(second_day, 12), "Asia/Jakarta", "Aula Rutan"),
        ], now, POLICY)  # fmt: skip
        first, second = (event for event, _enrolled in made)
        past = ProgramSession(
            program_id=1, starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1),
            timezone="Asia/Jakarta", place="Aula Rutan",
        )  # fmt: skip
        await add_session(tx, past, now, POLICY)
        await enrol(tx, budi, past, now, POLICY, confirm=True)
    p, s1, s2 = budi.id, first.id, second.id

    code, out, err = await cli(database_url, f'enrol --participant {p} --program "Pelatihan Las"')
    assert code == 0, err
    assert out.startswith(
        f"joined: participant {p}, program 1 (Pelatihan Las): enrolled in 2 upcoming session(s)"
    )
    planned = await rows(db, session_id=s1)
    e1 = int(at(first_day, 9).timestamp())
    assert [(r.key, r.kind, r.status) for r in planned] == [
        (f"confirm:s{s1}:p{p}:{e1}", "confirmation", "pending"),
        (f"remind:s{s1}:p{p}:1440:{e1}", "reminder", "pending"),
        (f"remind:s{s1}:p{p}:120:{e1}", "reminder", "pending"),
    ]
    assert [r.due_at for r in planned[1:]] == [at(days_ahead(2), 9), at(first_day, 7)]
    assert [(r.kind, r.status) for r in await rows(db, session_id=s2)] == [
        ("reminder", "pending")
    ] * 2

    code, out, err = await cli(database_url, f"sessions cancel {s2}")
    assert code == 0, err
    assert "1 participant(s) will be told; 2 unsent message(s) withdrawn" in out
    assert [(r.kind, r.status) for r in await rows(db, session_id=s2)] == [
        ("reminder", "cancelled"), ("reminder", "cancelled"), ("cancelled", "pending"),
    ]  # fmt: skip

    command = f'sessions move {s1} --start "{moved_day} 10:00" --place "Aula Baru"'
    code, out, err = await cli(database_url, command)
    assert code == 0, err
    assert out.startswith(f"moved session {s1}: Pelatihan Las, {moved_day} 10:00 WIB to 13:00")
    after = await rows(db, session_id=s1)
    assert [r.status for r in after[:3]] == ["cancelled"] * 3
    e2 = int(at(moved_day, 10).timestamp())
    assert after[3].key.startswith(f"moved:s{s1}:p{p}:")  # one notice per move
    assert [(r.key, r.kind, r.status) for r in after[3:]][1:] == [
        (f"remind:s{s1}:p{p}:1440:{e2}", "reminder", "pending"),
        (f"remind:s{s1}:p{p}:120:{e2}", "reminder", "pending"),
    ]
    assert [r.due_at for r in after[4:]] == [at(days_ahead(3), 10), at(moved_day, 8)]

    command = f"attendance mark --session {past.id} --participant {p} --status tidak_hadir"
    code, out, err = await cli(database_url, command)
    assert code == 0, err
    assert (
        out
        == f"session {past.id}: 1 participant(s) marked absent; each gets one follow-up message\n"
    )
    assert [(r.key, r.kind, r.status) for r in await rows(db, session_id=past.id)] == [
        (f"followup:s{past.id}:p{p}", "followup", "pending")
    ]


async def test_refusals_say_what_to_do_and_write_nothing(
    db: Database, database_url: str, person: Person, tmp_path: Path
) -> None:
    await add_bapas_ambon(db, with_rutan=True)
    await sign_up(person)
    other = Person(person.inbox, person.channel, address="2002", profile_name="Siti")
    await sign_up(other)
    await other.says("/hapus")
    await other.presses("erase:yes")
    halfway = Person(person.inbox, person.channel, address="3003", profile_name="Rudi")
    await halfway.says("halo")
    await halfway.says("setuju")
    day = days_ahead(6)
    add = f'sessions add --program 1 --start "{day} 09:00" --end 12:00 --place Aula'
    code, out, err = await in_process(database_url, f"{add} --capacity 1")
    assert code == 0, err
    before = len(await rows(db))

    code, out, err = await in_process(database_url, "enrol --participant 2 --session 1")
    assert (code, out) == (1, "")
    assert "participant 2 erased their data and cannot be enrolled" in err
    code, out, err = await in_process(database_url, "enrol --participant 3 --session 1")
    assert code == 1 and "has not finished signing up" in err
    code, out, err = await in_process(database_url, "enrol --participant 1 --session 1")
    assert (code, out.split(":")[0]) == (0, "enrolled")
    code, out, err = await in_process(database_url, "enrol --participant 1 --session 1")
    assert (code, out.split(":")[0]) == (0, "already enrolled")
    enrolled = len(await rows(db))
    assert enrolled == before + 3

    command = 'sessions add --program 1 --start "besok pagi" --end 12:00 --place Aula'
    code, _out, err = await in_process(database_url, command)
    assert code == 2 and "--start 'besok pagi' is not a date and time: write it like" in err
    code, _out, err = await in_process(database_url, f'{add} --city "kota ambon"')
    assert code == 2 and "Kota Ambon is in WIT, but the times are in WIB: give --timezone" in err
    code, _out, err = await in_process(database_url, f'sessions move 1 --start "{day} 09:00"')
    assert code == 1 and "a move needs a new --start" in err
    command = "attendance mark --session 1 --participant 1 --status hadir"
    code, _out, err = await in_process(database_url, command)
    assert code == 1 and "take attendance once it has begun" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("program,tanggal,start,end,timezone,place\n")
    code, _out, err = await in_process(database_url, f"sessions import {bad}")
    assert code == 2 and "unknown column(s) tanggal" in err and "missing column(s) date" in err
    code, _out, err = await in_process(database_url, "appointments cancel 9")
    assert code == 1 and "there is no appointment 9" in err
    assert len(await rows(db)) == enrolled
    assert await count(db, ProgramSession) == 1


async def test_weekly_appointment_plans_two_weeks_of_reminders(
    db: Database, database_url: str, person: Person
) -> None:
    await add_bapas_ambon(db, with_rutan=False)
    await sign_up(person)  # lives in WIB; reports at Bapas Ambon, WIT
    day = days_ahead(2, WIT)
    code, out, err = await cli(
        database_url,
        f'appointments add --participant 1 --org "Bapas Ambon" --kind wajib_lapor '
        f'--start "{day} 09:00" --every weekly --until {days_ahead(60, WIT)} '
        '--place "Kantor Bapas Ambon" --bring "kartu wajib lapor" --caseworker "Bu Rina"',
    )
    assert code == 0, err
    assert out.startswith(
        f"added appointment 1: reporting with Bapas Ambon, first {day} 09:00 WIT, every week until"
    )
    assert "2 occurrence(s) in the next 14 days planned" in out
    async with db.transaction() as tx:
        [appointment] = (await tx.execute(select(Appointment))).scalars()
        query = select(Occurrence).order_by(Occurrence.id)
        occurrences = list((await tx.execute(query)).scalars())
    assert (appointment.kind, appointment.recurrence) == ("reporting", "weekly:1")
    assert appointment.timezone == "Asia/Jayapura"
    week_later = day + timedelta(days=7)
    assert [o.starts_at for o in occurrences] == [at(day, 9, WIT), at(week_later, 9, WIT)]
    first, second = (o.id for o in occurrences)
    planned = await rows(db)
    assert {r.key: r.status for r in planned} == {
        f"confirm:o{first}": "pending",
        f"remind:o{first}:1440": "pending", f"remind:o{first}:120": "pending",
        f"remind:o{second}:1440": "pending", f"remind:o{second}:120": "pending",
    }  # fmt: skip
    # 2 hours before 09.00 WIT is 05.00 WIB, quiet hours for Budi: the evening before, 20.59 WIB.
    two_hours = next(r for r in planned if r.key == f"remind:o{second}:120")
    assert two_hours.due_at == at(week_later - timedelta(days=1), 20, WIB, minute=59)

    code, out, _err = await in_process(database_url, "appointments list --participant 1")
    assert f"{day} 09:00 WIT" in out and "every week until" in out and "active" in out
    code, out, err = await in_process(database_url, "appointments cancel 1")
    assert code == 0, err
    assert out.startswith("cancelled appointment 1: 2 upcoming occurrence(s) cancelled")
    assert "5 unsent reminder(s) withdrawn; the participant will be told" in out
    statuses = {r.key: r.status for r in await rows(db)}
    assert statuses.pop(f"cancelled:o{first}:p1") == "pending"  # one message about the cancellation
    assert set(statuses.values()) == {"cancelled"}
    async with db.transaction() as tx:
        assert set((await tx.execute(select(Occurrence.cancelled))).scalars()) == {True}
