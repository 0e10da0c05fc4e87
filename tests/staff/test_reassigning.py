"""Reassigning a participant in the chat (/alihkan, or the card's button): the admin or the
participant's own caseworker picks another caseworker of the organisation; both caseworkers are
told; ids typed or forged in payloads are checked like every other staff id."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.inbox import Inbox
from storage.db import Database
from storage.models import AuditEntry, Participant, Staff
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.participants import add_participant
from tests.helpers.staff.chat import add_organisation, join_as_staff, place
from tests.helpers.staff.menus import ADMIN

NOW = datetime.now(UTC)


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))


async def staff_id_of(db: Database, name: str) -> int:
    async with db.transaction() as tx:
        return (await tx.execute(select(Staff.id).where(Staff.name == name))).scalar_one()


async def caseworker_of(db: Database, participant_id: int) -> int | None:
    async with db.transaction() as tx:
        participant = await tx.get(Participant, participant_id)
        assert participant is not None
        return participant.caseworker_id


def told(channel: CollectingChannel, person: Person) -> list[str]:
    return [reply.text for address, reply in channel.sent if address == person.address]


async def test_an_admin_gives_a_participant_to_another_caseworker_and_both_are_told(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Bapas Surakarta")
    admin = Person(inbox, channel, address="3001")
    sari = Person(inbox, channel, address="3002")
    budi = Person(inbox, channel, address="3003")
    await join_as_staff(admin, db, org, role="admin", name="Rina Kusuma")
    await join_as_staff(sari, db, org, role="caseworker", name="Sari Wulandari")
    await join_as_staff(budi, db, org, role="caseworker", name="Budi Santoso")
    sari_id, budi_id = (
        await staff_id_of(db, "Sari Wulandari"),
        await staff_id_of(db, "Budi Santoso"),
    )
    agus = await add_participant(db, "Agus Pratama", now=NOW, city="Surakarta")
    await place(db, agus, org, caseworker_id=sari_id)

    question = await admin.says(f"/alihkan {agus}")
    assert "Agus Pratama" in question[-1].text and "Sari Wulandari" in question[-1].text
    titles = [b.title for b in question[-1].buttons]
    assert "Budi Santoso" in titles and "Sari Wulandari" not in titles  # the current one: no
    assert len(question[-1].buttons) <= 10  # a WhatsApp list
    budi_button = next(b for b in question[-1].buttons if b.title == "Budi Santoso")
    sari_before, budi_before = len(told(channel, sari)), len(told(channel, budi))

    done = await admin.presses(budi_button.payload)

    assert "Budi Santoso" in done[0].text
    assert await caseworker_of(db, agus) == budi_id
    [to_budi] = told(channel, budi)[budi_before:]
    assert f"#{agus}" in to_budi and "Agus Pratama" in to_budi and "Rina Kusuma" in to_budi
    [to_sari] = told(channel, sari)[sari_before:]
    assert f"#{agus}" in to_sari and "Rina Kusuma" in to_sari
    async with db.transaction() as tx:
        rows = list(
            (
                await tx.execute(
                    select(AuditEntry).where(
                        AuditEntry.action == "assign", AuditEntry.participant_id == agus
                    )
                )
            ).scalars()
        )
    assert [r.staff_id for r in rows] == [await staff_id_of(db, "Rina Kusuma")]
    assert rows[0].channel == channel.name and rows[0].detail == f"caseworker {budi_id}"


async def test_a_caseworker_hands_over_their_own_participant_but_not_a_colleagues(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Bapas Surakarta")
    sari = Person(inbox, channel, address="3002")
    budi = Person(inbox, channel, address="3003")
    await join_as_staff(sari, db, org, role="caseworker", name="Sari Wulandari")
    await join_as_staff(budi, db, org, role="caseworker", name="Budi Santoso")
    sari_id, budi_id = (
        await staff_id_of(db, "Sari Wulandari"),
        await staff_id_of(db, "Budi Santoso"),
    )
    hers = await add_participant(db, "Agus Pratama", now=NOW, city="Surakarta")
    his = await add_participant(db, "Dewi Lestari", now=NOW, city="Surakarta")
    await place(db, hers, org, caseworker_id=sari_id)
    await place(db, his, org, caseworker_id=budi_id)

    await sari.says(f"/alihkan {hers} {budi_id}")
    assert await caseworker_of(db, hers) == budi_id

    unknown = await sari.says(f"/alihkan {his + 1000}")
    refused = await sari.says(f"/alihkan {his}")  # she may only read Budi's people
    forged = await sari.presses(f"staff:reassign:{his}.{sari_id}")
    assert [r.text for r in refused] == [r.text for r in unknown]
    assert [r.text for r in forged] == [r.text for r in unknown]
    assert "Dewi" not in " ".join(r.text for r in refused + forged)
    assert await caseworker_of(db, his) == budi_id


async def test_foreign_ids_and_forged_payloads_change_nothing_and_tell_nothing(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    ours = await add_organisation(db, "Bapas Surakarta")
    theirs = await add_organisation(db, "Rutan Klaten")
    admin = Person(inbox, channel, address="3001")
    outsider = Person(inbox, channel, address="4001")
    await join_as_staff(admin, db, ours, role="admin", name="Rina Kusuma")
    await join_as_staff(outsider, db, theirs, role="admin", name="Joko Widodo")
    admin_id = await staff_id_of(db, "Rina Kusuma")
    outsider_id = await staff_id_of(db, "Joko Widodo")
    agus = await add_participant(db, "Agus Pratama", now=NOW, city="Surakarta")
    await place(db, agus, ours, caseworker_id=admin_id)
    nobody = agus + 1000

    unknown = await outsider.says(f"/alihkan {nobody}")
    attempts = [
        await outsider.says(f"/alihkan {agus}"),
        await outsider.says(f"/alihkan {agus} {outsider_id}"),
        await outsider.presses(f"staff:ra:{agus}"),
        await outsider.presses(f"staff:reassign:{agus}.{outsider_id}"),
        await outsider.presses(f"staff:reassign:{agus}.0"),
    ]
    for replies in attempts:
        assert [r.text for r in replies] == [r.text for r in unknown]
        assert all("Agus" not in r.text for r in replies)

    # our own admin cannot give our participant to the other organisation's staff member
    wrong = await admin.presses(f"staff:reassign:{agus}.{outsider_id}")
    assert "Joko" not in wrong[0].text
    for junk in ("staff:reassign:x.y", f"staff:reassign:{agus}.", "staff:reassign:" + "9" * 40):
        await admin.presses(junk)
    assert await caseworker_of(db, agus) == admin_id


async def test_a_participant_pressing_a_reassign_payload_gets_the_stale_button_answer(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    participant = Person(inbox, channel, address="5001")
    await participant.says("/start")
    stale = await participant.presses("kosong:tidak:ada")
    forged = await participant.presses("staff:reassign:1.1")
    typed = await participant.says("/alihkan 1 1")
    unknown = await participant.says("/perintahtidakada")
    assert [r.text for r in forged] == [r.text for r in stale]
    assert [r.text.replace("/alihkan", "/perintahtidakada") for r in typed] == [
        r.text for r in unknown
    ]
    assert unknown and stale


async def test_an_admins_menu_longer_than_a_whatsapp_list_pages_with_more(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Bapas Surakarta")
    admin = Person(inbox, channel, address="3001")
    await join_as_staff(admin, db, org, role="admin", name="Rina Kusuma")
    [menu] = await admin.says("MENU")
    assert len(menu.buttons) == 10 and menu.buttons[-1].payload == "staff:more:1"
    [second] = await admin.presses("staff:more:1")
    assert len(second.buttons) <= 10 and second.buttons[-1].payload == "staff:more:0"
    shown = [b.payload for b in menu.buttons[:-1] + second.buttons[:-1]]
    assert shown == [f"staff:cmd:{name}" for name in ADMIN]  # every command, once, in order
    [first_again] = await admin.presses("staff:more:0")
    assert [b.payload for b in first_again.buttons] == [b.payload for b in menu.buttons]


async def test_typing_a_menu_rows_title_is_pressing_it(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_organisation(db, "Bapas Surakarta")
    admin = Person(inbox, channel, address="3001")
    await join_as_staff(admin, db, org, role="admin", name="Rina Kusuma")
    pressed = await admin.presses("staff:more:1")
    typed = await admin.says("lainnya")  # as in the terminal, where rows are numbered
    assert [b.payload for b in typed[-1].buttons] == [b.payload for b in pressed[-1].buttons]
    team = await admin.says("Staf")  # a row of the second page
    assert "Rina Kusuma" in team[-1].text and "revoke" not in team[-1].text
