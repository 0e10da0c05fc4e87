"""Staff see what participants passed on (urgent first) and can mark it dealt with."""

from __future__ import annotations

from storage.db import Database
from tests.fakes.channel import Person
from tests.helpers.cli import run_command
from tests.helpers.reminders import register


async def test_flags_list_shows_danger_first_with_the_message(
    db: Database, database_url: str, person: Person
) -> None:
    await register(person, "kota pekalongan")
    await person.says("pak, kapan pelatihan las dimulai?")
    await person.says("saya dipukuli orang tadi malam")
    code, out, err = await run_command(database_url, "flags list")
    assert code == 0, err
    lines = out.splitlines()
    assert "DANGER: violence" in lines[0] and "Budi Santoso" in lines[0]
    assert lines[1].strip() == "saya dipukuli orang tadi malam"
    assert "message" in lines[2] and lines[3].strip() == "pak, kapan pelatihan las dimulai?"
    flag_id = lines[0].split()[0].removeprefix("#")
    code, out, _err = await run_command(database_url, f"flags resolve {flag_id}")
    assert code == 0 and "resolved" in out
    code, out, _err = await run_command(database_url, "flags list")
    assert "violence" not in out and "pelatihan las" in out
    code, _out, _err = await run_command(database_url, f"flags resolve {flag_id}")
    assert code == 1


async def test_an_organisation_contact_is_set_checked_and_shown_in_help(
    db: Database, database_url: str, person: Person
) -> None:
    code, _out, err = await run_command(
        database_url, "orgs add --name 'Bapas Kelas II Ambon' --kind bapas --contact 'Bu Rina'"
    )
    assert code == 1 and "phone number or a WhatsApp link" in err
    code, _out, err = await run_command(
        database_url, "orgs add --name 'Bapas Kelas II Ambon' --kind bapas"
    )
    assert code == 0, err
    code, out, err = await run_command(
        database_url,
        "orgs contact --org 'Bapas Kelas II Ambon' --contact https://wa.me/6281234567890",
    )
    assert code == 0 and "contact https://wa.me/6281234567890" in out, err
    await register(person, "kota ambon")
    said = "\n".join(r.text for r in await person.says("/bantuan"))
    assert "Bapas Kelas II Ambon: https://wa.me/6281234567890" in said
