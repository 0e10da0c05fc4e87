"""Re-linking a participant who changed phone or number: a caseworker makes a code (command line
or /gantinomor), the new chat confirms whose account it is and takes over; the old chat is
retired and nothing is lost (same participant, enrolments, answers, flags, message history);
reminders go to the new chat. On Telegram and WhatsApp, and across them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, update

from bot.outbox.dispatcher import Dispatcher
from bot.outbox.limits import ChannelLimits, Limiters
from handlers.flow import FlowSettings, Turn
from handlers.outbox.recipients import Reader, Recipient, reach
from handlers.reminders.rules import ReminderPolicy
from handlers.staff.commands import STAFF_COMMANDS
from handlers.types import Kind
from storage.db import Database
from storage.models import (
    Address,
    Conversation,
    Enrolment,
    Flag,
    Invite,
    Message,
    OutboxKind,
    Participant,
    ScheduledMessage,
)
from tests.helpers.reminders import enrol_person
from tests.helpers.signup import sign_up
from tests.helpers.staff.prerelease import (
    Setting,
    add_session,
    add_staff,
    audit_rows,
    chat_turn,
    claim,
    code_in,
    organisation_with_program,
    run_staff_cli,
    staff_view,
)
from tests.helpers.two_channels import ADDRESSES, CHANNELS, TwoChannels, two_channels

NEW_ADDRESSES = {"telegram": "2002", "whatsapp": "6281399998888"}
DIRECTIONS = [("telegram", "telegram"), ("whatsapp", "whatsapp"), ("whatsapp", "telegram")]


@pytest.fixture
async def bot(db: Database, settings: FlowSettings) -> AsyncIterator[TwoChannels]:
    async with two_channels(db, settings) as both:
        yield both


@pytest.fixture
async def place(db: Database) -> Setting:
    return await organisation_with_program(db)


async def budi_signed_up(bot: TwoChannels, db: Database, place: Setting, channel: str) -> int:
    """Budi on `channel`, of the organisation, in its session, having answered "Hadir" and
    sent a voice note (a flag for staff)."""
    budi = bot.person(channel)
    await sign_up(budi)
    async with db.transaction() as tx:
        chat = (
            await tx.execute(select(Address).where(Address.value == ADDRESSES[channel]))
        ).scalar_one()
        pid = chat.participant_id
        assert pid is not None
        await tx.execute(
            update(Participant).where(Participant.id == pid).values(organisation_id=place.org_id)
        )
    await enrol_person(db, pid, place.session_id, datetime.now(UTC), confirm=False)
    async with db.transaction() as tx:
        await tx.execute(
            update(Enrolment).where(Enrolment.participant_id == pid).values(rsvp="yes")
        )
    await budi.sends(Kind.VOICE)
    return pid


async def history(db: Database, pid: int) -> tuple[int, list[tuple[int, str | None]], int]:
    """(messages logged for the participant, their enrolments with answers, their flags)."""
    async with db.transaction() as tx:
        messages = (
            await tx.execute(select(func.count()).where(Message.participant_id == pid))
        ).scalar_one()
        seats = (
            await tx.execute(
                select(Enrolment.session_id, Enrolment.rsvp).where(Enrolment.participant_id == pid)
            )
        ).all()
        flags = (
            await tx.execute(select(func.count()).where(Flag.participant_id == pid))
        ).scalar_one()
    return int(messages), [(s, r) for s, r in seats], int(flags)


async def chat_of(db: Database, channel: str, value: str) -> Address:
    async with db.transaction() as tx:
        return (
            await tx.execute(
                select(Address).where(Address.channel == channel, Address.value == value)
            )
        ).scalar_one()


@pytest.mark.parametrize(("old", "new"), DIRECTIONS)
async def test_the_new_chat_takes_over_and_nothing_is_lost(
    bot: TwoChannels, db: Database, place: Setting, old: str, new: str
) -> None:
    pid = await budi_signed_up(bot, db, place, old)
    before = await history(db, pid)
    assert before[1] == [(place.session_id, "yes")] and before[2] == 1

    code, out, err = await run_staff_cli(db, f"participants relink {pid}")
    assert code == 0, err
    relink_code = code_in(out)
    claimed, replies = await claim(db, bot.inbox.settings, new, NEW_ADDRESSES[new], relink_code)
    assert claimed
    assert replies[-1].text == "Selamat datang! Apakah ini akun <b>Budi Santoso</b>?"
    assert [b.title for b in replies[-1].buttons] == ["Ya, ini saya", "Bukan"]

    newcomer = bot.person(new, address=NEW_ADDRESSES[new])
    replies = await newcomer.presses("relink:yes")
    assert replies[0].text.startswith("Beres, Budi Santoso! 🎉 Chat ini sekarang milik Anda")
    assert replies[-1].buttons[0].payload == "cmd:jadwal"  # the menu

    messages, seats, flags = await history(db, pid)
    assert seats == before[1] and flags == before[2] and messages > before[0]
    retired = await chat_of(db, old, ADDRESSES[old])
    taken = await chat_of(db, new, NEW_ADDRESSES[new])
    assert retired.participant_id is None and retired.blocked_at is not None
    assert taken.participant_id == pid
    async with db.transaction() as tx:
        conversation = await tx.get(Conversation, retired.id)
        old_rows = (
            await tx.execute(
                select(func.count()).where(
                    Message.address_id == retired.id, Message.participant_id == pid
                )
            )
        ).scalar_one()
        reader = await reach(tx, Recipient(pid), CHANNELS)
        invite = (await tx.execute(select(Invite))).scalar_one()
    assert conversation is None
    assert old_rows > 0  # the old chat's history stays in the log, the participant's
    assert isinstance(reader, Reader) and reader.address.value == NEW_ADDRESSES[new]
    assert invite.used_at is not None
    assert ("relink", None, pid, "cli") in await audit_rows(db)
    assert ("relink", None, pid, new) in await audit_rows(db)

    replies = await newcomer.says("JADWAL")
    assert "Pelatihan Las Dasar" in replies[-1].text
    replies = await bot.person(old).says("JADWAL")  # the old chat is nobody's now
    assert "Pelatihan Las Dasar" not in replies[-1].text

    # What the bot sends from now on goes to the new chat only.
    sent_before = {name: len(channel.sent) for name, channel in bot.channels.items()}
    later = await add_session(db, place.program_id, "Konseling Kelompok", days_ahead=9)
    await enrol_person(db, pid, later, datetime.now(UTC), confirm=True)
    async with db.transaction() as tx:
        due = (
            await tx.execute(
                select(ScheduledMessage.due_at).where(
                    ScheduledMessage.kind == OutboxKind.CONFIRMATION
                )
            )
        ).scalar_one()
    fast = Limiters(unlisted=ChannelLimits(per_second=10_000, per_chat_interval=0))
    sender = Dispatcher(db, bot.channels, ReminderPolicy(), limiters=fast, clock=lambda: due)
    assert await sender.run_once() == 1
    fresh = [
        (name, address, reply.text)
        for name, channel in bot.channels.items()
        for address, reply in channel.sent[sent_before[name] :]
    ]
    assert len(fresh) == 1
    name, address, text = fresh[0]
    assert (name, address) == (new, NEW_ADDRESSES[new]) and "Konseling Kelompok" in text


@pytest.mark.parametrize("channel", CHANNELS)
async def test_saying_it_is_not_their_account_changes_nothing(
    bot: TwoChannels, db: Database, place: Setting, channel: str
) -> None:
    pid = await budi_signed_up(bot, db, place, channel)
    _code, out, _err = await run_staff_cli(db, f"participants relink {pid}")
    await claim(db, bot.inbox.settings, channel, NEW_ADDRESSES[channel], code_in(out))
    replies = await bot.person(channel, address=NEW_ADDRESSES[channel]).presses("relink:no")
    assert "tidak ada yang berubah" in replies[0].text
    assert (await chat_of(db, channel, ADDRESSES[channel])).participant_id == pid
    async with db.transaction() as tx:
        values = list((await tx.execute(select(Address.value))).scalars())
        invite = (await tx.execute(select(Invite))).scalar_one()
    assert NEW_ADDRESSES[channel] not in values  # a stranger's chat: not kept
    assert invite.used_at is None


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_used_or_expired_relink_code_claims_nothing(
    bot: TwoChannels, db: Database, place: Setting, channel: str
) -> None:
    pid = await budi_signed_up(bot, db, place, channel)
    _code, out, _err = await run_staff_cli(db, f"participants relink {pid}")
    code = code_in(out)
    await claim(db, bot.inbox.settings, channel, NEW_ADDRESSES[channel], code)
    await bot.person(channel, address=NEW_ADDRESSES[channel]).presses("relink:yes")
    claimed, _replies = await claim(db, bot.inbox.settings, channel, "3003", code)
    assert not claimed

    _code, out, _err = await run_staff_cli(db, f"participants relink {pid}")
    async with db.transaction() as tx:
        await tx.execute(
            update(Invite).where(Invite.used_at.is_(None)).values(expires_at=Invite.created_at)
        )
    claimed, _replies = await claim(db, bot.inbox.settings, channel, "3004", code_in(out))
    assert not claimed
    assert (await chat_of(db, channel, NEW_ADDRESSES[channel])).participant_id == pid


async def test_a_stopped_participant_is_told_how_to_resume_and_an_erased_one_cannot_be_relinked(
    bot: TwoChannels, db: Database, place: Setting
) -> None:
    pid = await budi_signed_up(bot, db, place, "whatsapp")
    await bot.person("whatsapp").says("/berhenti")
    await bot.person("whatsapp").says("ya")
    async with db.transaction() as tx:
        assert (await tx.get(Participant, pid)).status == "stopped"  # type: ignore[union-attr]
    _code, out, _err = await run_staff_cli(db, f"participants relink {pid}")
    assert "stopped" in out
    await claim(db, bot.inbox.settings, "telegram", "2002", code_in(out))
    replies = await bot.person("telegram", address="2002").presses("relink:yes")
    assert "Ketik /mulai untuk menerima pesan lagi" in replies[-1].text

    await bot.person("telegram", address="2002").says("/hapus")
    await bot.person("telegram", address="2002").presses("erase:yes")
    code, _out, err = await run_staff_cli(db, f"participants relink {pid}")
    assert code == 1 and "erased" in err
    async with db.transaction() as tx:
        values = list((await tx.execute(select(Address.value))).scalars())
    assert ADDRESSES["whatsapp"] not in values  # the retired chat's number went with the erasure


async def new_number(db: Database, settings: FlowSettings, staff_chat: str, args: str) -> str:
    """A staff member types /gantinomor ARGS; the text they get back."""
    view = await staff_view(db, "telegram", staff_chat)

    async def action(turn: Turn) -> None:
        await STAFF_COMMANDS["gantinomor"].run(turn, view, args)

    [reply] = await chat_turn(
        db, settings, "telegram", staff_chat, action, text=f"/gantinomor {args}"
    )
    return reply.text


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_caseworker_makes_the_code_in_chat_and_only_for_their_participants(
    bot: TwoChannels, db: Database, place: Setting, channel: str
) -> None:
    pid = await budi_signed_up(bot, db, place, channel)
    other = await organisation_with_program(db, "Rutan Tual")
    mine = await add_staff(db, place.org_id, "Pak Yosef", chat=("telegram", "901"))
    colleague = await add_staff(db, place.org_id, "Bu Maria", chat=("telegram", "902"))
    await add_staff(db, other.org_id, "Pak Andi", chat=("telegram", "903"))
    async with db.transaction() as tx:
        await tx.execute(
            update(Participant).where(Participant.id == pid).values(caseworker_id=mine)
        )
    settings = bot.inbox.settings

    nobody = await new_number(db, settings, "903", "999999")
    assert nobody == "Tidak ada peserta 999999 yang bisa Anda urus."
    assert await new_number(db, settings, "903", str(pid)) == nobody.replace("999999", str(pid))
    assert await new_number(db, settings, "902", str(pid)) == nobody.replace("999999", str(pid))
    async with db.transaction() as tx:
        assert (await tx.execute(select(func.count()).select_from(Invite))).scalar_one() == 0

    text = await new_number(db, settings, "901", str(pid))
    assert text.startswith("Kode untuk HP baru Budi Santoso: <b>K")
    claimed, _replies = await claim(db, settings, channel, NEW_ADDRESSES[channel], code_in(text))
    assert claimed
    await bot.person(channel, address=NEW_ADDRESSES[channel]).presses("relink:yes")
    assert (await chat_of(db, channel, NEW_ADDRESSES[channel])).participant_id == pid
    rows = await audit_rows(db)
    assert ("relink", mine, pid, "telegram") in rows
    assert not any(staff in (colleague,) for _a, staff, _p, _c in rows)
