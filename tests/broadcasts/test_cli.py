"""`pendamping broadcast`: preview, send (now and at a local time), list, show, cancel, audited."""

from __future__ import annotations

from storage.db import Database
from storage.models import ParticipantStatus, ScheduledStatus
from tests.helpers.broadcasts import Person, add_org, add_person, add_program, broadcast_rows
from tests.helpers.cli import run_command
from tests.helpers.staff.cli import audit_rows, pendamping


async def test_preview_send_list_show_cancel(db: Database, database_url: str) -> None:
    org = await add_org(db, "Bapas Kelas I Jakarta")
    program = await add_program(db, org, "Las")
    bekasi = "kota-bekasi"
    chosen = [
        await add_person(db, Person(org, city_key=bekasi, programs=(program,))),
        await add_person(
            db, Person(org, city_key=bekasi, programs=(program,), chats=("whatsapp",))
        ),
        await add_person(
            db, Person(org, city_key=bekasi, programs=(program,), language="en", discreet=True)
        ),
    ]
    await add_person(db, Person(org, city_key=bekasi))  # not in the program
    await add_person(db, Person(org, programs=(program,)))  # another city
    await add_person(
        db, Person(org, city_key=bekasi, programs=(program,), status=ParticipantStatus.STOPPED)
    )
    what = (
        f"--org {org} --city 'kota bekasi' --program {program} "
        "--text 'Pelatihan las di Bapas mulai Senin.' --text-en 'Welding starts Monday at Bapas.'"
    )

    code, out, err = await run_command(database_url, f"broadcast preview {what}")
    assert code == 0, err
    assert "Recipients: 3 (Telegram 2, WhatsApp 1)" in out
    assert "Left out: 1 (stopped messages 1)" in out
    assert "Pelatihan las di Bapas mulai Senin." in out
    assert "Welding starts Monday at … ." not in out and "Welding starts Monday at …." in out
    assert "Recipients in discreet mode: 1." in out
    assert await audit_rows(db, "broadcast") == []

    code, out, err = await run_command(database_url, f"broadcast send {what}")
    assert code == 1 and "add --yes" in err  # not a terminal: nothing sent without --yes
    code, out, err = await run_command(database_url, f"broadcast send {what} --yes")
    assert code == 0, err
    broadcast_id = int(out.split("broadcast ")[-1].split(":")[0])
    assert "3 recipients, sending now" in out
    rows = await broadcast_rows(db, broadcast_id)
    assert [r.participant_id for r in rows] == chosen

    code, out, err = await run_command(database_url, f"broadcast list --org {org}")
    assert code == 0 and f"{broadcast_id}" in out and "waiting 3" in out
    code, out, err = await run_command(database_url, f"broadcast show {broadcast_id}")
    assert code == 0 and "city_keys=kota-bekasi" in out and f"program_ids={program}" in out

    code, out, err = await run_command(database_url, f"broadcast cancel {broadcast_id}")
    assert code == 0 and "cancelled 3" in out
    assert {r.status for r in await broadcast_rows(db, broadcast_id)} == {ScheduledStatus.CANCELLED}
    code, out, err = await run_command(database_url, f"broadcast cancel {broadcast_id}")
    assert code == 1 and "not running or scheduled" in err

    entries = await audit_rows(db, "broadcast")
    assert [e.detail.split()[:2] for e in entries if e.detail] == [
        [f"broadcast={broadcast_id}", "send"],
        [f"broadcast={broadcast_id}", "cancel"],
    ]
    assert "recipients=3" in (entries[0].detail or "")
    assert "city_keys=kota-bekasi" in (entries[0].detail or "")
    assert all(e.staff_id is None and e.organisation_id == org for e in entries)


async def test_send_at_a_local_time(db: Database, database_url: str) -> None:
    org = await add_org(db, "Bapas Ambon")
    await add_person(db, Person(org, timezone="Asia/Jayapura"))
    code, out, err = await run_command(
        database_url, f"broadcast send --org {org} --text 'Halo' --at '2030-12-05 09:00' --yes"
    )
    assert code == 0, err
    assert "sending at 2030-12-05 09:00 local time" in out
    code, out, err = await pendamping(
        database_url, f"broadcast send --org {org} --text 'Halo' --at 'besok' --yes"
    )
    assert code == 2 and "2026-12-05 09:00" in err
