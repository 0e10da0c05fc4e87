"""One person, two channels: someone signed up on Telegram (or WhatsApp) links the other app with
a 6-digit code sent to the chat they already use; reminders then follow them to the chat they
wrote from last, /profil shows both, and /hapus erases both."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from handlers.flow import FlowSettings
from handlers.outbox.recipients import Reader, Recipient, reach
from handlers.types import Kind, Reply
from storage.db import Database
from storage.models import Address, Message, Participant
from tests.fakes.channel import Person
from tests.helpers.reminders import NOW
from tests.helpers.signup import sign_up
from tests.helpers.two_channels import CHANNELS, TwoChannels, two_channels

SENT_CODE = (
    "Kalau nomor ini terdaftar, saya sudah mengirim kode ke chat yang Anda pakai sebelumnya. "
    "Ketik 6 angka kodenya di sini."
)
BUDI_PHONE = "0812 3456 7890"  # what tests/helpers/signup.py types
DIRECTIONS = [("telegram", "whatsapp"), ("whatsapp", "telegram")]


@pytest.fixture
async def bot(db: Database, settings: FlowSettings) -> AsyncIterator[TwoChannels]:
    async with two_channels(db, settings) as both:
        yield both


def other(channel: str) -> str:
    return next(c for c in CHANNELS if c != channel)


def the_code(reply: Reply) -> str:
    assert reply.template is not None and reply.template.key == "link_code"
    [code] = reply.template.params
    assert len(code) == 6 and code.isdigit() and f"<b>{code}</b>" in reply.text
    return code


async def participants(db: Database) -> list[Participant]:
    async with db.transaction() as tx:
        return list((await tx.execute(select(Participant))).scalars())


async def addresses(db: Database) -> list[tuple[str, int | None]]:
    async with db.transaction() as tx:
        rows = await tx.execute(select(Address.channel, Address.participant_id))
        return sorted((channel, pid) for channel, pid in rows.all())


async def ask_code(new: Person) -> list[Reply]:
    replies = await new.says("HUBUNGKAN")
    assert "Nomor HP mana" in replies[-1].text
    return await new.says(BUDI_PHONE)


@pytest.mark.parametrize(("first", "second"), DIRECTIONS)
async def test_linking_the_other_app_with_the_code_sent_to_the_first(
    bot: TwoChannels, db: Database, first: str, second: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    old = bot.person(first)
    await sign_up(old)
    new = bot.person(second)
    replies = await ask_code(new)
    assert [r.text for r in replies] == [SENT_CODE]
    code = the_code(old.last())  # arrived on the first app, with a template for WhatsApp
    assert old.last().language == "id"

    replies = await new.says(code)
    assert "Berhasil, Budi Santoso!" in replies[0].text
    assert replies[-1].buttons[0].payload == "cmd:jadwal"  # and the menu
    [budi] = await participants(db)
    assert await addresses(db) == [("telegram", budi.id), ("whatsapp", budi.id)]

    for person in (old, new):
        replies = await person.says("PROFIL")
        assert "Aplikasi chat: <b>Telegram, WhatsApp</b>" in replies[-1].text
        await person.says("tutup")
    # Neither the code nor the number is logged, nor kept in the message log.
    assert code not in caplog.text and "3456" not in caplog.text
    async with db.transaction() as tx:
        bodies = list((await tx.execute(select(Message.body))).scalars())
    assert not any(body and code in body for body in bodies)


async def test_a_wrong_or_unknown_number_gets_the_same_answer_and_no_code(
    bot: TwoChannels, db: Database
) -> None:
    old = bot.person("telegram")
    await sign_up(old)
    sent_before = len(bot.channels["telegram"].sent)
    new = bot.person("whatsapp")
    await new.says("hubungkan")
    replies = await new.says("0813 9999 8888")  # nobody signed up with it
    assert [r.text for r in replies] == [SENT_CODE]
    assert len(bot.channels["telegram"].sent) == sent_before  # nothing went anywhere
    replies = await new.says("123456")
    assert "Anda masih bisa mencoba 4 kali lagi" in replies[0].text
    assert await addresses(db) == [("telegram", 1), ("whatsapp", None)]


@pytest.mark.parametrize(("first", "second"), DIRECTIONS)
async def test_five_wrong_codes_end_it_for_an_hour(
    bot: TwoChannels, db: Database, first: str, second: str
) -> None:
    old = bot.person(first)
    await sign_up(old)
    new = bot.person(second)
    await ask_code(new)
    code = the_code(old.last())
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        replies = await new.says(wrong)
        assert f"mencoba {left} kali lagi" in replies[0].text
    replies = await new.says(wrong)
    assert "kesempatan mencoba sudah habis" in replies[0].text
    replies = await new.says("HUBUNGKAN")
    assert "coba lagi satu jam lagi" in replies[0].text
    await new.says(code)  # the right code, too late: it was used up
    assert [p.id for p in await participants(db)] == [1]
    assert (second, 1) not in await addresses(db)


async def test_a_code_expires_after_ten_minutes_and_works_once(
    bot: TwoChannels, db: Database
) -> None:
    old = bot.person("telegram")
    await sign_up(old)
    new = bot.person("whatsapp")
    await new.sends(Kind.TEXT, text="HUBUNGKAN", received_at=NOW)
    await new.sends(Kind.TEXT, text=BUDI_PHONE, received_at=NOW)
    code = the_code(old.last())
    replies = await new.sends(Kind.TEXT, text=code, received_at=NOW + timedelta(minutes=11))
    assert "Kode ini sudah tidak berlaku" in replies[0].text
    assert await addresses(db) == [("telegram", 1), ("whatsapp", None)]

    await new.sends(Kind.TEXT, text="HUBUNGKAN", received_at=NOW + timedelta(minutes=12))
    await new.sends(Kind.TEXT, text=BUDI_PHONE, received_at=NOW + timedelta(minutes=12))
    fresh = the_code(old.last())
    replies = await new.sends(Kind.TEXT, text=fresh, received_at=NOW + timedelta(minutes=20))
    assert "Berhasil" in replies[0].text
    replies = await new.sends(Kind.TEXT, text=fresh, received_at=NOW + timedelta(minutes=21))
    assert replies and not any("Berhasil" in r.text for r in replies)  # used once: a message now


async def test_a_whatsapp_number_that_signed_up_gets_its_code_without_typing_it(
    bot: TwoChannels, db: Database
) -> None:
    old = bot.person("telegram")
    await sign_up(old)  # with 0812 3456 7890
    new = bot.person("whatsapp", address="6281234567890")  # WhatsApp gives the number itself
    replies = await new.says("hubungkan")
    assert "Nomor ini sudah pernah mendaftar" in replies[-1].text
    replies = await new.says(the_code(old.last()))
    assert "Berhasil" in replies[0].text
    assert await addresses(db) == [("telegram", 1), ("whatsapp", 1)]


async def test_the_welcome_says_how_to_link_where_two_channels_run(
    bot: TwoChannels, person: Person
) -> None:
    hint = "Sudah pernah daftar lewat Telegram atau WhatsApp? Ketik HUBUNGKAN."
    for channel in CHANNELS:
        replies = await bot.person(channel).says("halo")
        assert replies[0].text == hint
        assert "Apakah Anda setuju?" in replies[-1].text
    alone = await person.says("halo")  # a deployment with one channel: nothing to link
    assert len(alone) == 1 and "HUBUNGKAN" not in alone[0].text


async def test_a_sign_up_just_begun_on_the_new_app_gives_way(
    bot: TwoChannels, db: Database
) -> None:
    old = bot.person("telegram")
    await sign_up(old)
    new = bot.person("whatsapp", profile_name="Budi")
    await new.says("halo")
    await new.says("setuju")
    await new.says("ya")  # "Budi": a second, unfinished participant
    assert len(await participants(db)) == 2
    await ask_code(new)
    replies = await new.says(the_code(old.last()))
    assert "Berhasil, Budi Santoso!" in replies[0].text
    [budi] = await participants(db)
    assert budi.name == "Budi Santoso"
    assert await addresses(db) == [("telegram", budi.id), ("whatsapp", budi.id)]


async def test_two_full_sign_ups_are_never_merged_by_the_bot(
    bot: TwoChannels, db: Database
) -> None:
    old = bot.person("telegram")
    await sign_up(old)
    new = bot.person("whatsapp")
    await sign_up(new)
    sent_before = len(bot.channels["telegram"].sent)
    replies = await new.says("HUBUNGKAN")
    assert "pendamping Anda bisa menggabungkannya" in replies[0].text
    assert len(await participants(db)) == 2
    assert len(bot.channels["telegram"].sent) == sent_before  # no code went to the other one


async def test_reminders_follow_the_chat_written_from_last_and_erasure_reaches_both(
    bot: TwoChannels, db: Database
) -> None:
    old = bot.person("telegram")
    await sign_up(old)
    new = bot.person("whatsapp")
    await ask_code(new)
    await new.says(the_code(old.last()))

    async def best() -> str:
        async with db.transaction() as tx:
            reader = await reach(tx, Recipient(1), CHANNELS)
        assert isinstance(reader, Reader)
        return reader.channel

    assert await best() == "whatsapp"
    await old.sends(Kind.TEXT, text="halo", received_at=datetime(2030, 1, 1, tzinfo=UTC))
    assert await best() == "telegram"

    await new.says("HAPUS")
    replies = await new.says("ya")
    assert "sudah dihapus" in replies[-1].text
    assert await addresses(db) == []


async def test_at_most_three_codes_an_hour_reach_the_owner(bot: TwoChannels, db: Database) -> None:
    """Each code allows 5 tries: asking for new codes again and again must not make guessing
    one practical, nor flood the owner's chat with codes."""
    old = bot.person("telegram")
    await sign_up(old)
    telegram = bot.channels["telegram"]
    new = bot.person("whatsapp")
    codes = []
    for _round in range(4):
        before = len(telegram.sent)
        replies = await ask_code(new)
        assert [r.text for r in replies] == [SENT_CODE]  # the same answer every time
        codes += [the_code(reply) for _to, reply in telegram.sent[before:]]
    assert len(codes) == 3
    replies = await new.says(codes[-1])  # a new request replaced it: only the newest counts
    assert "Kodenya belum benar" in replies[0].text
    assert await addresses(db) == [("telegram", 1), ("whatsapp", None)]
