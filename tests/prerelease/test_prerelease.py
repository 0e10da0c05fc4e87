"""Pre-release enrolment: staff register a person before release from the command line; on
release day the person opens their code on Telegram or WhatsApp, is asked consent exactly as in
any sign-up (nothing about them shown before), confirms or corrects the pre-filled profile, and
finds their enrolments and reminders ready."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from handlers.flow import FlowSettings
from storage.db import Database
from storage.models import (
    Address,
    Enrolment,
    Invite,
    Membership,
    Message,
    OutboxKind,
    Participant,
    ScheduledMessage,
)
from tests.helpers.staff.prerelease import (
    TELEGRAM_BOT,
    WHATSAPP_NUMBER,
    Setting,
    add_staff,
    audit_rows,
    claim,
    code_in,
    organisation_with_program,
    run_staff_cli,
)
from tests.helpers.two_channels import ADDRESSES, CHANNELS, TwoChannels, two_channels

STAFF_CHATS = itertools.count(1)
CONSENT_START = "Halo! 👋 Saya asisten <b>Rutan Kelas IIA Pekalongan</b>"


@pytest.fixture
async def bot(db: Database, settings: FlowSettings) -> AsyncIterator[TwoChannels]:
    async with two_channels(db, settings) as both:
        yield both


@pytest.fixture
async def place(db: Database) -> Setting:
    return await organisation_with_program(db)


async def preregister(db: Database, place: Setting, extra: str = "") -> tuple[int, str, str]:
    """Budi, registered before release by the command line: (participant id, code, output)."""
    caseworker = await add_staff(
        db, place.org_id, "Pak Yosef", chat=("telegram", f"90{next(STAFF_CHATS)}")
    )
    code, out, err = await run_staff_cli(
        db,
        f"prerelease add --org {place.org_id} --name 'Budi Santoso' --category former_inmate "
        f"--release-date 2026-12-05 --caseworker {caseworker} --city 'kota ambon' "
        f"--program {place.program_id} {extra}",
    )
    assert code == 0, err
    pid = int(out.split("participant ")[1].split()[0])
    return pid, code_in(out), out


async def person_of(db: Database, pid: int) -> Participant:
    async with db.transaction() as tx:
        found = await tx.get(Participant, pid)
        assert found is not None
        return found


async def reminders_of(db: Database, pid: int) -> list[ScheduledMessage]:
    async with db.transaction() as tx:
        query = select(ScheduledMessage).where(
            ScheduledMessage.participant_id == pid, ScheduledMessage.kind == OutboxKind.REMINDER
        )
        return list((await tx.execute(query)).scalars())


async def test_the_command_line_registers_the_person_with_their_plans_and_no_messages(
    db: Database, place: Setting, tmp_path: Path
) -> None:
    pid, code, out = await preregister(db, place, f"--qr-dir {tmp_path / 'qr'}")
    assert f"https://t.me/{TELEGRAM_BOT}?start={code}" in out
    assert f"https://wa.me/{WHATSAPP_NUMBER}?text=KODE%20{code}" in out
    for channel in CHANNELS:  # a QR code of each link, to print and hand over
        png = tmp_path / "qr" / f"prerelease-{pid}-{channel}.png"
        assert f"QR code: {png}" in out
        assert png.read_bytes().startswith(b"\x89PNG\r\n")
    budi = await person_of(db, pid)
    assert (budi.status, budi.name, budi.city, budi.category) == (
        "preregistered",
        "Budi Santoso",
        "Kota Ambon",
        "former_inmate",
    )
    assert budi.consent_at is None and budi.discreet  # discreet by default for former inmates
    async with db.transaction() as tx:
        seats = list((await tx.execute(select(Enrolment.session_id))).scalars())
        members = list((await tx.execute(select(Membership.participant_id))).scalars())
        invite = (await tx.execute(select(Invite))).scalar_one()
        addresses = list((await tx.execute(select(Address.participant_id))).scalars())
        outbox = list((await tx.execute(select(ScheduledMessage))).scalars())
    assert seats == [place.session_id] and members == [pid]
    assert outbox == []  # nothing planned to be sent before they consent
    assert None in addresses and pid not in addresses  # only the caseworker's chat exists
    assert (invite.kind, invite.participant_id, invite.used_at) == ("prerelease", pid, None)
    assert code not in invite.code_hash
    assert ("prerelease", None, pid, "cli") in await audit_rows(db)

    code_, listed, _err = await run_staff_cli(db, f"prerelease list --org {place.org_id}")
    assert code_ == 0
    assert "Budi Santoso" in listed and "2026-12-05" in listed and "usable" in listed


@pytest.mark.parametrize("channel", CHANNELS)
async def test_claiming_asks_consent_as_any_sign_up_then_the_profile_and_enrolments_are_ready(
    bot: TwoChannels, db: Database, settings: FlowSettings, place: Setting, channel: str
) -> None:
    pid, code, _out = await preregister(db, place)
    stranger = bot.person(channel, address="5550001")
    normal_consent = (await stranger.says("halo"))[-1].text

    bot_settings = bot.inbox.settings
    claimed, replies = await claim(db, bot_settings, channel, ADDRESSES[channel], code)
    assert claimed
    assert replies[0].text == "Selamat datang! 🌱 Kami senang Anda ada di sini."
    assert replies[-1].text == normal_consent and replies[-1].text.startswith(CONSENT_START)
    assert not any("Budi" in r.text or "Ambon" in r.text for r in replies)  # nothing before consent

    budi = bot.person(channel)
    replies = await budi.says("setuju")
    assert "Pendamping Anda sudah mengisi sebagian data Anda" in replies[0].text
    assert "nomor HP" in replies[-1].text  # the city is known: the phone comes next
    assert await reminders_of(db, pid) == []  # not before they confirm their data
    await budi.says("lewati")
    await budi.says("pelatihan")
    await budi.says("pagi")
    replies = await budi.says("tidak")  # discreet mode stays on
    summary = replies[-1].text
    assert "Nama: <b>Budi Santoso</b>" in summary and "Kota Ambon" in summary
    replies = await budi.says("benar")
    assert "Pendaftaran Anda selesai" in replies[0].text
    ready = replies[-1].text
    assert "Pendamping Anda sudah mendaftarkan Anda untuk:" in ready
    assert "Pelatihan Las Dasar" in ready and "BLK Ambon" in ready

    person = await person_of(db, pid)
    assert person.status == "active" and person.consent_at is not None
    assert person.interests == ["job_training"] and person.contact_time == "morning"
    assert len(await reminders_of(db, pid)) >= 1  # planned once they confirmed
    async with db.transaction() as tx:
        chat = (
            await tx.execute(select(Address).where(Address.value == ADDRESSES[channel]))
        ).scalar_one()
        invite = (await tx.execute(select(Invite))).scalar_one()
    assert chat.participant_id == pid
    assert invite.used_at is not None
    assert ("claim", None, pid, channel) in await audit_rows(db)
    replies = await budi.says("JADWAL")
    assert "Pelatihan Las Dasar" in replies[-1].text


@pytest.mark.parametrize("channel", CHANNELS)
async def test_refusing_consent_keeps_nothing_of_the_chat_and_the_code_works_later(
    bot: TwoChannels, db: Database, place: Setting, channel: str
) -> None:
    pid, code, _out = await preregister(db, place)
    await claim(db, bot.inbox.settings, channel, ADDRESSES[channel], code)
    budi = bot.person(channel)
    replies = await budi.says("tidak setuju")
    assert "Kami tidak menyimpan data apa pun tentang Anda" in replies[0].text
    async with db.transaction() as tx:
        chats = list((await tx.execute(select(Address.value))).scalars())
        invite = (await tx.execute(select(Invite))).scalar_one()
    assert ADDRESSES[channel] not in chats
    assert invite.used_at is None
    assert (await person_of(db, pid)).status == "preregistered"  # still there for staff

    claimed, replies = await claim(db, bot.inbox.settings, channel, ADDRESSES[channel], code)
    assert claimed and "Apakah Anda setuju?" in replies[-1].text
    await budi.says("setuju")
    assert (await person_of(db, pid)).status == "registering"
    assert ((await person_of(db, pid)).consent_at) is not None


@pytest.mark.parametrize("channel", CHANNELS)
async def test_the_pre_filled_profile_can_be_corrected_before_confirming(
    bot: TwoChannels, db: Database, place: Setting, channel: str
) -> None:
    pid, code, _out = await preregister(db, place)
    await claim(db, bot.inbox.settings, channel, ADDRESSES[channel], code)
    budi = bot.person(channel)
    for text in ("setuju", "lewati", "pelatihan", "pagi", "tidak"):
        await budi.says(text)
    await budi.presses("summary:no")
    await budi.presses("edit:name")
    replies = await budi.says("Budi Hartono")
    assert "Nama: <b>Budi Hartono</b>" in replies[-1].text
    await budi.says("benar")
    person = await person_of(db, pid)
    assert (person.name, person.status) == ("Budi Hartono", "active")


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_used_or_expired_code_claims_nothing(
    bot: TwoChannels, db: Database, place: Setting, channel: str
) -> None:
    _pid, code, _out = await preregister(db, place)
    await claim(db, bot.inbox.settings, channel, ADDRESSES[channel], code)
    await bot.person(channel).says("setuju")
    claimed, replies = await claim(db, bot.inbox.settings, channel, "7770001", code)
    assert not claimed and replies == []  # used: the caller answers as for any wrong code

    other, code2, _out = await preregister(db, place, "")
    async with db.transaction() as tx:
        await tx.execute(
            update(Invite)
            .where(Invite.participant_id == other)
            .values(expires_at=Invite.created_at)
        )
    claimed, _replies = await claim(db, bot.inbox.settings, channel, "7770002", code2)
    assert not claimed
    assert (await person_of(db, other)).status == "preregistered"


async def test_a_code_opened_while_consent_waits_elsewhere_goes_to_the_first_who_agrees(
    bot: TwoChannels, db: Database, place: Setting
) -> None:
    pid, code, _out = await preregister(db, place)
    await claim(db, bot.inbox.settings, "telegram", "1001", code)
    await claim(db, bot.inbox.settings, "whatsapp", "6285700000009", code)
    await bot.person("whatsapp", address="6285700000009").says("setuju")
    replies = await bot.person("telegram", address="1001").says("setuju")
    assert "kode ini tidak berlaku" in replies[0].text
    async with db.transaction() as tx:
        owners = dict((await tx.execute(select(Address.value, Address.participant_id))).all())
    assert owners.get("6285700000009") == pid and "1001" not in owners


async def test_someone_who_will_not_claim_is_removed_their_seat_freed_and_code_void(
    bot: TwoChannels, db: Database, place: Setting
) -> None:
    pid, code, _out = await preregister(db, place)
    status, out, err = await run_staff_cli(db, f"prerelease remove {pid}")
    assert status == 0, err
    assert f"participant {pid} removed" in out
    budi = await person_of(db, pid)
    assert (budi.status, budi.name, budi.city) == ("erased", None, None)
    async with db.transaction() as tx:
        seats = list((await tx.execute(select(Enrolment.status))).scalars())
        members = list((await tx.execute(select(Membership.id))).scalars())
    assert seats == ["withdrawn"] and members == []
    claimed, _replies = await claim(db, bot.inbox.settings, "telegram", "1001", code)
    assert not claimed
    assert ("prerelease", None, pid, "cli") in (await audit_rows(db))[1:]  # added, then removed
    status, _out, err = await run_staff_cli(db, f"prerelease remove {pid}")
    assert status == 1 and "not waiting to claim a code" in err


@pytest.mark.parametrize("channel", CHANNELS)
async def test_cancelling_the_claimed_sign_up_gives_the_record_back_to_staff_for_a_new_code(
    bot: TwoChannels, db: Database, place: Setting, channel: str
) -> None:
    pid, code, _out = await preregister(db, place)
    await claim(db, bot.inbox.settings, channel, ADDRESSES[channel], code)
    budi = bot.person(channel)
    await budi.says("setuju")
    await budi.says("0812 3456 7890")
    await budi.says("batal")
    replies = await budi.says("ya")
    assert "Pendaftaran dibatalkan" in replies[0].text
    person = await person_of(db, pid)
    assert (person.status, person.name, person.phone, person.consent_at) == (
        "preregistered",
        "Budi Santoso",
        None,
        None,
    )
    async with db.transaction() as tx:
        chats = list((await tx.execute(select(Address.value))).scalars())
        seats = list((await tx.execute(select(Enrolment.status))).scalars())
        bodies = list((await tx.execute(select(Message.body))).scalars())
    assert ADDRESSES[channel] not in chats and seats == ["enrolled"]
    assert not any(body and "3456" in body for body in bodies)  # what they typed is gone
    _status, listed, _err = await run_staff_cli(db, f"prerelease list --org {place.org_id}")
    assert "used" in listed

    status, out, err = await run_staff_cli(db, f"prerelease code {pid}")
    assert status == 0, err
    claimed, _replies = await claim(
        db, bot.inbox.settings, channel, ADDRESSES[channel], code_in(out)
    )
    assert claimed
    await budi.says("setuju")
    assert (await person_of(db, pid)).status == "registering"
