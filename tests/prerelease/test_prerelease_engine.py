"""Pre-release and re-link codes through the engine, as people use them: `/start <code>` from a
Telegram deep link, and the WhatsApp click-to-chat message with the code pre-filled.

Runs once the engine tries codes before consent (st-chat's wiring of `codes.claim`); on the
st-prerelease branch alone these fail by design (see the branch's report)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

import handlers.prerelease.claims  # noqa: F401  (registers the claims)
from handlers.flow import FlowSettings
from storage.db import Database
from storage.models import Address, Message, Participant
from tests.fakes.channel import Person
from tests.helpers.signup import sign_up
from tests.helpers.staff.prerelease import (
    Setting,
    add_staff,
    code_in,
    organisation_with_program,
    run_staff_cli,
)
from tests.helpers.two_channels import ADDRESSES, CHANNELS, TwoChannels, two_channels

STAFF_CHATS = itertools.count(1)


@pytest.fixture
async def bot(db: Database, settings: FlowSettings) -> AsyncIterator[TwoChannels]:
    async with two_channels(db, settings) as both:
        yield both


@pytest.fixture
async def place(db: Database) -> Setting:
    return await organisation_with_program(db)


async def opens(person: Person, channel: str, code: str) -> str:
    """The person opens their link: the last reply's text."""
    if channel == "telegram":
        replies = await person.says(f"/start {code}")
    else:  # the pre-filled click-to-chat message
        replies = await person.says(f"KODE {code}")
    return replies[-1].text


async def preregistered_code(db: Database, place: Setting) -> tuple[int, str]:
    staff = await add_staff(
        db, place.org_id, "Pak Yosef", chat=("telegram", f"90{next(STAFF_CHATS)}")
    )
    code, out, err = await run_staff_cli(
        db,
        f"prerelease add --org {place.org_id} --name 'Budi Santoso' --category former_inmate "
        f"--release-date 2026-12-05 --caseworker {staff} --city 'kota ambon' "
        f"--program {place.program_id}",
    )
    assert code == 0, err
    return int(out.split("participant ")[1].split()[0]), code_in(out)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_opening_the_link_asks_consent_then_hands_over_the_prepared_sign_up(
    bot: TwoChannels, db: Database, place: Setting, channel: str
) -> None:
    pid, code = await preregistered_code(db, place)
    budi = bot.person(channel)
    text = await opens(budi, channel, code)
    assert "Apakah Anda setuju?" in text and "Budi" not in text
    replies = await budi.says("setuju")
    assert "Pendamping Anda sudah mengisi sebagian data Anda" in replies[0].text
    for answer in ("lewati", "pelatihan", "pagi", "tidak"):
        await budi.says(answer)
    replies = await budi.says("benar")
    assert "Pelatihan Las Dasar" in replies[-1].text
    async with db.transaction() as tx:
        person = await tx.get(Participant, pid)
        chat = (
            await tx.execute(select(Address).where(Address.value == ADDRESSES[channel]))
        ).scalar_one()
        bodies = list((await tx.execute(select(Message.body))).scalars())
    assert person is not None and person.status == "active" and chat.participant_id == pid
    assert not any(body and code in body for body in bodies)  # the code is never logged
    assert person.start_code is None or code not in person.start_code


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_new_phone_opens_the_relink_link_and_takes_over(
    bot: TwoChannels, db: Database, place: Setting, channel: str
) -> None:
    await sign_up(bot.person(channel))
    async with db.transaction() as tx:
        pid = (
            await tx.execute(
                select(Address.participant_id).where(Address.value == ADDRESSES[channel])
            )
        ).scalar_one()
    # With one organisation, sign-up made them its participant: no --org needed.
    code, out, err = await run_staff_cli(db, f"participants relink {pid}")
    assert code == 0, err
    newcomer = bot.person(channel, address="6281322223333" if channel == "whatsapp" else "2002")
    text = await opens(newcomer, channel, code_in(out))
    assert text == "Selamat datang! Apakah ini akun <b>Budi Santoso</b>?"
    replies = await newcomer.says("ya")
    assert replies[0].text.startswith("Beres, Budi Santoso!")
    async with db.transaction() as tx:
        owners = dict((await tx.execute(select(Address.value, Address.participant_id))).all())
    assert owners[newcomer.address] == pid and owners[ADDRESSES[channel]] is None


async def test_gantinomor_in_a_staff_chat_gives_the_code_and_the_log_keeps_none(
    bot: TwoChannels, db: Database, place: Setting
) -> None:
    await sign_up(bot.person("whatsapp"))
    async with db.transaction() as tx:
        pid = (
            await tx.execute(
                select(Address.participant_id).where(Address.value == ADDRESSES["whatsapp"])
            )
        ).scalar_one()
    await add_staff(db, place.org_id, "Bu Maria", role="admin", chat=("telegram", "950"))
    async with db.transaction() as tx:
        person = await tx.get(Participant, pid)
        assert person is not None
        person.organisation_id = place.org_id
    replies = await bot.person("telegram", address="950").says(f"/gantinomor {pid}")
    text = replies[-1].text
    assert text.startswith("Kode untuk HP baru Budi Santoso: <b>K")
    code = code_in(text)
    async with db.transaction() as tx:
        bodies = list((await tx.execute(select(Message.body))).scalars())
    assert not any(body and code in body for body in bodies)
    assert "[relink code, invite 1]" in bodies
    newcomer = bot.person("whatsapp", address="6281322223333")
    assert "Apakah ini akun <b>Budi Santoso</b>?" in await opens(newcomer, "whatsapp", code)
