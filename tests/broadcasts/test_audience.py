"""Who an audience reaches: each filter, combinations (one kind OR, kinds AND), the organisation's
bounds, and who is left out and why."""

from __future__ import annotations

from storage.broadcasts.audience import Audience, LeftOut, count, recipient_page
from storage.db import Database
from storage.models import ParticipantStatus
from tests.helpers.broadcasts import Person, add_org, add_person, add_program, add_session

BOTH = ("telegram", "whatsapp")


async def recipients(db: Database, audience: Audience, running: tuple[str, ...] = BOTH) -> set[int]:
    async with db.transaction() as tx:
        return {
            pid
            for pid, _zone in (
                await recipient_page(tx, audience, running, after=0, limit=1000)
            ).recipients
        }


async def test_each_filter_chooses_its_people(db: Database) -> None:
    org = await add_org(db, "Bapas Jakarta")
    program = await add_program(db, org)
    session = await add_session(db, program)
    plain = await add_person(db, Person(org))
    youth = await add_person(db, Person(org, category="youth"))
    bekasi = await add_person(db, Person(org, city_key="kota bekasi", province="Jawa Barat"))
    member = await add_person(db, Person(org, programs=(program,)))
    enrolled = await add_person(db, Person(org, sessions=(session,)))
    keen = await add_person(db, Person(org, interests=["job", "counselling"]))
    on_whatsapp = await add_person(db, Person(org, chats=("whatsapp",)))
    english = await add_person(db, Person(org, language="en"))
    silent = await add_person(db, Person(org, expired_checkins=2))
    everyone = {plain, youth, bekasi, member, enrolled, keen, on_whatsapp, english, silent}

    assert await recipients(db, Audience(org)) == everyone
    assert await recipients(db, Audience(org, categories=("youth",))) == {youth}
    assert await recipients(db, Audience(org, city_keys=("kota bekasi",))) == {bekasi}
    assert await recipients(db, Audience(org, provinces=("Jawa Barat",))) == {bekasi}
    assert await recipients(db, Audience(org, program_ids=(program,))) == {member}
    assert await recipients(db, Audience(org, session_ids=(session,))) == {enrolled}
    assert await recipients(db, Audience(org, interests=("counselling",))) == {keen}
    assert await recipients(db, Audience(org, channels=("whatsapp",))) == {on_whatsapp}
    assert await recipients(db, Audience(org, languages=("en",))) == {english}
    assert await recipients(db, Audience(org, unresponsive=True)) == {silent}


async def test_one_kind_is_or_and_kinds_are_and(db: Database) -> None:
    org = await add_org(db, "Bapas Jakarta")
    program = await add_program(db, org)
    jakarta_member = await add_person(db, Person(org, programs=(program,)))
    bekasi_member = await add_person(db, Person(org, city_key="kota bekasi", programs=(program,)))
    await add_person(db, Person(org, city_key="kota bogor", programs=(program,)))
    await add_person(db, Person(org, city_key="kota bekasi"))

    both_cities = Audience(org, city_keys=("kota jakarta selatan", "kota bekasi"))
    in_program = Audience(org, city_keys=("kota bekasi",), program_ids=(program,))
    assert await recipients(db, both_cities.adding("program_ids", program)) == {
        jakarta_member,
        bekasi_member,
    }
    assert await recipients(db, in_program) == {bekasi_member}


async def test_never_another_organisations_people(db: Database) -> None:
    ours = await add_org(db, "Bapas Jakarta")
    theirs = await add_org(db, "Bapas Ambon")
    their_program = await add_program(db, theirs)
    their_session = await add_session(db, their_program)
    mine = await add_person(db, Person(ours))
    await add_person(db, Person(theirs, programs=(their_program,), sessions=(their_session,)))
    await add_person(db, Person(None))  # nobody's yet

    assert await recipients(db, Audience(ours)) == {mine}
    # Their program's or session's id typed by our admin reaches nobody.
    assert await recipients(db, Audience(ours, program_ids=(their_program,))) == set()
    assert await recipients(db, Audience(ours, session_ids=(their_session,))) == set()
    async with db.transaction() as tx:
        counted = await count(tx, Audience(ours, program_ids=(their_program,)), BOTH)
    assert counted.recipients == 0 and counted.left_out == {}


async def test_left_out_counted_by_reason_and_recipients_by_channel(db: Database) -> None:
    org = await add_org(db, "Bapas Jakarta")
    await add_person(db, Person(org))
    await add_person(db, Person(org, chats=("whatsapp",)))
    await add_person(db, Person(org, chats=("whatsapp",)))
    await add_person(db, Person(org, status=ParticipantStatus.STOPPED))
    await add_person(db, Person(org, status=ParticipantStatus.ERASED, chats=()))
    await add_person(db, Person(org, status=ParticipantStatus.UNREACHABLE, blocked=True))
    await add_person(db, Person(org, blocked=True))  # active, but their only chat is blocked
    await add_person(db, Person(org, status=ParticipantStatus.PREREGISTERED, chats=()))
    await add_person(db, Person(org, status=ParticipantStatus.REGISTERING))

    async with db.transaction() as tx:
        counted = await count(tx, Audience(org), BOTH)
        telegram_only = await count(tx, Audience(org), ("telegram",))
    assert counted.per_channel == {"telegram": 1, "whatsapp": 2}
    assert counted.left_out == {
        LeftOut.STOPPED: 1,
        LeftOut.ERASED: 1,
        LeftOut.UNREACHABLE: 2,
        LeftOut.NO_CHAT: 2,
    }
    # A deployment that runs only Telegram cannot reach the WhatsApp people.
    assert telegram_only.per_channel == {"telegram": 1}
    assert telegram_only.left_out[LeftOut.UNREACHABLE] == 4


def test_the_definition_round_trips_through_json() -> None:
    audience = Audience(
        7, city_keys=("kota bekasi",), program_ids=(3, 4), unresponsive=True, channels=("whatsapp",)
    )
    assert Audience.from_json(audience.to_json()) == audience
    assert audience.to_json() == {
        "organisation_id": 7,
        "city_keys": ["kota bekasi"],
        "program_ids": [3, 4],
        "channels": ["whatsapp"],
        "unresponsive": True,
    }
    assert Audience(7).everyone and not audience.everyone
