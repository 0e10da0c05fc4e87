"""Claiming a staff invite in the chat: the name confirmed, the chat bound, the staff menu; every
code that does not work answered alike; at most 5 such codes an hour per chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.inbox import Inbox
from storage.db import Database
from storage.models import Address, Invite, Message, Staff
from storage.retention import UNCONSENTED_RETENTION, apply_retention
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.staff.chat import add_organisation, audit_rows, make_invite


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    """Every test here runs on both channels' names (the collecting fake channel)."""
    return CollectingChannel(name=str(request.param))


NOW = datetime.now(UTC)


async def staff_rows(db: Database) -> list[Staff]:
    async with db.transaction() as tx:
        return list((await tx.execute(select(Staff).order_by(Staff.id))).scalars())


async def test_an_invited_admin_confirms_their_name_and_gets_the_staff_menu(
    db: Database, person: Person, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    code = await make_invite(db, org, now=NOW, role="admin", name="Budi Santoso")

    asked = await person.says(f"/start {code}")

    assert "Budi Santoso" in asked[-1].text and "Rutan Pekalongan" in asked[-1].text
    assert [b.title for b in asked[-1].buttons] == ["Ya", "Bukan"]
    assert not await staff_rows(db)  # nothing bound before the name is confirmed

    joined = await person.presses("claim:yes")

    assert "Budi Santoso" in joined[-1].text
    menu = joined[-1]
    assert [b.payload for b in menu.buttons] == [
        "staff:cmd:peserta",
        "staff:cmd:rujuk",  # referrals, a participant's new phone; then the admin's tools
        "staff:cmd:gantinomor",
        "staff:cmd:undang",
        "staff:cmd:staf",
        "staff:cmd:mitra",
        "staff:cmd:impor",
        "staff:cmd:audit",
    ]
    assert menu.chat_commands is not None
    assert [name for name, _about in menu.chat_commands] == [
        "menu",
        "peserta",
        "rujuk",
        "gantinomor",
        "undang",
        "staf",
        "mitra",
        "impor",
        "audit",
        "bantuan",
    ]
    [staff] = await staff_rows(db)
    assert (staff.name, staff.role, staff.organisation_id) == ("Budi Santoso", "admin", org)
    async with db.transaction() as tx:
        address = (await tx.execute(select(Address))).scalar_one()
        invite = (await tx.execute(select(Invite))).scalar_one()
        assert address.staff_id == staff.id and address.participant_id is None
        assert invite.used_at is not None and invite.staff_id == staff.id
        logged = " ".join(m.body or "" for m in (await tx.execute(select(Message))).scalars())
    assert code not in logged
    [claimed] = await audit_rows(db)
    assert (claimed.action, claimed.staff_id, claimed.channel) == ("claim", staff.id, channel.name)


async def test_a_code_typed_in_a_message_asks_for_a_name_when_the_invite_has_none(
    db: Database, person: Person
) -> None:
    org = await add_organisation(db, "Bapas Semarang")
    code = await make_invite(db, org, now=NOW, name=None)

    asked = await person.says(f"KODE {code}")
    assert "nama lengkap" in asked[-1].text

    joined = await person.says("Sari Wulandari")

    assert "Sari Wulandari" in joined[-1].text
    assert [b.payload for b in joined[-1].buttons] == [
        "staff:cmd:peserta",
        "staff:cmd:rujuk",
        "staff:cmd:gantinomor",
    ]  # a caseworker
    [staff] = await staff_rows(db)
    assert (staff.name, staff.role) == ("Sari Wulandari", "caseworker")


async def test_no_is_not_a_claim_and_leaves_the_code_for_its_owner(
    db: Database, inbox: Inbox, channel: CollectingChannel, person: Person
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    code = await make_invite(db, org, now=NOW)

    await person.says(f"/start {code}")
    answer = await person.presses("claim:no")

    assert "orang lain" in answer[-1].text
    owner = Person(inbox, channel, address="2002")
    await owner.says(f"/start {code}")
    await owner.presses("claim:yes")
    [staff] = await staff_rows(db)
    assert staff.name == "Budi Santoso"


async def test_wrong_used_revoked_and_expired_codes_get_one_kind_answer(
    db: Database, inbox: Inbox, channel: CollectingChannel, person: Person
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    used = await make_invite(db, org, now=NOW)
    first = Person(inbox, channel, address="3003")
    await first.says(f"/start {used}")
    await first.presses("claim:yes")
    revoked = await make_invite(db, org, now=NOW, revoked=True)
    expired = await make_invite(db, org, now=NOW, expires_in=timedelta(hours=-1))
    wrong = "K" + "2" * 9

    answers = [
        (await person.says(f"/start {used}"))[-1].text,
        (await person.says(f"KODE {revoked}"))[-1].text,
        (await person.says(f"/start {expired}"))[-1].text,
        (await person.says(f"KODE {wrong}"))[-1].text,
    ]

    assert len(set(answers)) == 1
    assert "tidak bisa dipakai" in answers[0]
    assert len(await staff_rows(db)) == 1
    replies = await person.says("halo")  # a stranger's chat after all: sign-up as usual
    assert any("setuju" in r.text.lower() for r in replies)


async def test_after_five_codes_that_did_not_work_even_a_good_one_waits_an_hour(
    db: Database, person: Person
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    good = await make_invite(db, org, now=NOW)
    for n in range(5):
        wrong = await person.says(f"KODE K{'3456789AB'[n:] + '2' * n}")
        assert "tidak bisa dipakai" in wrong[-1].text

    later = await person.says(f"/start {good}")
    cancelled = await person.says("/batal")  # a cancel must not wipe the count
    again = await person.says(f"KODE {good}")

    assert "satu jam lagi" in later[-1].text
    assert cancelled
    assert "satu jam lagi" in again[-1].text
    assert not await staff_rows(db)
    async with db.transaction() as tx:
        invite = (await tx.execute(select(Invite))).scalar_one()
        assert invite.used_at is None


async def test_a_quiet_staff_chat_outlives_the_purge_of_silent_strangers_chats(
    db: Database, inbox: Inbox, channel: CollectingChannel, person: Person
) -> None:
    org = await add_organisation(db, "Rutan Pekalongan")
    code = await make_invite(db, org, now=NOW)
    await person.says(f"/start {code}")
    await person.presses("claim:yes")
    stranger = Person(inbox, channel, address="4004")
    await stranger.says("halo")
    await inbox.flush()

    async with db.transaction() as tx:
        await apply_retention(tx, NOW + UNCONSENTED_RETENTION + timedelta(days=1))

    async with db.transaction() as tx:
        left = [(a.value, a.staff_id is not None) for a in (await tx.execute(select(Address)))
                .scalars()]  # fmt: skip
    assert left == [(person.address, True)]
    menu = await person.says("MENU")
    assert [b.payload for b in menu[-1].buttons] == [
        "staff:cmd:peserta",
        "staff:cmd:rujuk",
        "staff:cmd:gantinomor",
    ]
