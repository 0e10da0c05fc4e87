"""Who reaches the staff side: participants never (word for word the answer to a command that
does not exist, and a stale button's answer for staff buttons); a revoked member not from their
very next message; caseworkers not the admin commands."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.inbox import Inbox
from storage.db import Database
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.signup import sign_up
from tests.helpers.staff.chat import add_organisation, audit_rows, join_as_staff, make_invite


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    """Every test here runs on both channels' names (the collecting fake channel)."""
    return CollectingChannel(name=str(request.param))


STAFF_COMMANDS = ["staf", "undang", "audit", "peserta"]
STAFF_PAYLOADS = [
    "staff:cmd:staf",
    "staff:cmd:undang",
    "staff:cmd:audit",
    "staff:cmd:peserta",
    "staff:revoke:1",
    "staff:revoke_yes:1",
    "staff:invite_role:admin",
    "staff:pp:2",
    "staff:p:1",
    "cmd:staf",
    "cmd:peserta",
]


async def test_a_participant_typing_staff_commands_gets_the_unknown_command_answer(
    db: Database, person: Person
) -> None:
    await sign_up(person)
    nonexistent = [r.text for r in await person.says("/xyzzy")]

    for name in STAFF_COMMANDS:
        replies = await person.says(f"/{name}")
        assert replies[0].text == nonexistent[0].replace("xyzzy", name)
        assert [r.text for r in replies[1:]] == nonexistent[1:]
        assert all(r.chat_commands is None for r in replies)
        args = await person.says(f"/{name} 1")
        assert args[0].text == nonexistent[0].replace("xyzzy", name)
    assert await audit_rows(db) == []


async def test_forged_staff_buttons_from_a_participant_are_stale_buttons(
    db: Database, person: Person
) -> None:
    await sign_up(person)
    stale = [r.text for r in await person.presses("zzz:1")]
    assert "Tombol itu sudah tidak berlaku." in stale[0]

    for payload in STAFF_PAYLOADS:
        assert [r.text for r in await person.presses(payload)] == stale, payload
    assert await audit_rows(db) == []


async def test_a_participant_typing_a_code_gets_nothing_special(
    db: Database, inbox: Inbox, channel: CollectingChannel, person: Person
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    await sign_up(person)
    code = await make_invite(db, org, now=datetime.now(UTC))
    await person.says(f"/start {code}")
    await person.says(f"KODE {code}")

    claims = [row for row in await audit_rows(db) if row.action == "claim"]
    assert claims == []  # the code was never claimed
    other = Person(inbox, channel, address="2002")
    await other.says(f"/start {code}")
    await other.presses("claim:yes")
    assert [row.action for row in await audit_rows(db) if row.action != "assign"] == ["claim"]


async def test_a_revoked_member_loses_staff_power_at_their_next_message(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    admin = Person(inbox, channel, address="1001")
    worker = Person(inbox, channel, address="2002")
    await join_as_staff(admin, db, org, role="admin", name="Budi Santoso")
    await join_as_staff(worker, db, org, role="caseworker", name="Sari Wulandari")
    before = await worker.says("/peserta")
    assert "Belum ada peserta" in before[-1].text

    listed = await admin.says("/staf")
    assert "Sari Wulandari" in listed[-1].text
    [revoke] = [b for b in listed[-1].buttons if b.payload.startswith("staff:revoke:")]
    confirm = await admin.presses(revoke.payload)
    assert "Sari Wulandari" in confirm[-1].text
    done = await admin.presses(confirm[-1].buttons[0].payload)
    assert "tidak lagi punya akses staf" in done[-1].text

    ended = await worker.says("/peserta")
    assert len(ended) == 1 and "Akses staf Anda sudah berakhir" in ended[0].text
    assert ended[0].chat_commands == ()  # the participants' command menu again
    unknown = await worker.says("/peserta")
    nonexistent = await worker.says("/xyzzy")
    assert [r.text for r in unknown] == [r.text.replace("xyzzy", "peserta") for r in nonexistent]
    stranger = await worker.says("halo")
    assert any("setuju" in r.text.lower() for r in stranger)  # a stranger's chat now

    actions = [(row.action, row.detail) for row in await audit_rows(db)]
    assert ("revoke", f"staff={revoke.payload.rsplit(':', 1)[1]}") in actions


async def test_a_caseworker_cannot_use_the_admin_commands(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    admin = Person(inbox, channel, address="1001")
    worker = Person(inbox, channel, address="2002")
    await join_as_staff(admin, db, org, role="admin", name="Budi Santoso")
    await join_as_staff(worker, db, org, role="caseworker", name="Sari Wulandari")
    admin_id = (await audit_rows(db))[0].staff_id

    for name in ("staf", "undang", "audit"):
        replies = await worker.says(f"/{name}")
        assert replies[0].text.startswith(f"Tidak ada perintah staf /{name}")
        assert [b.payload for b in replies[-1].buttons] == [
            "staff:cmd:peserta",
            "staff:cmd:ringkasan",
            "staff:cmd:rujuk",
            "staff:cmd:gantinomor",
        ]
    for payload in (f"staff:revoke:{admin_id}", f"staff:revoke_yes:{admin_id}"):
        refused = await worker.presses(payload)
        assert "Tidak ada staf aktif dengan nomor itu" in refused[0].text
    still = await admin.says("/staf")
    assert "Budi Santoso" in still[-1].text and "aktif" in still[-1].text
    assert [row.action for row in await audit_rows(db)] == ["claim", "claim"]
