"""A chat's own command menu (`Reply.chat_commands`): Telegram sets it for that chat only and
puts the default back on (); it survives the message log and the courier pipe; WhatsApp and the
terminal have no command menu and send the same as without it."""

from __future__ import annotations

import io

from telegram import Bot, BotCommand

from bot.channels.console import ConsoleChannel
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.whatsapp.render import render
from bot.courier.protocol import Send, decode, encode
from handlers.types import Button, Reply, reply_fields, reply_from
from tests.fakes.telegram import FakeTelegramAPI

STAFF = (("menu", "Menu staf"), ("peserta", "Peserta yang bisa saya lihat"))


async def test_telegram_sets_a_chats_own_menu_and_puts_the_default_back() -> None:
    async with FakeTelegramAPI() as fake:
        staff = fake.user(7001, first_name="Budi")
        participant = fake.user(7002, first_name="Siti")
        staff.send_text("/start")  # a bot may write only to chats that wrote to it
        participant.send_text("/start")
        async with Bot(fake.token, base_url=f"{fake.url}/bot") as bot:
            await bot.set_my_commands([BotCommand("jadwal", "Jadwal saya")])
            channel = TelegramChannel(bot)

            sent = await channel.send(str(staff.chat_id), Reply("Halo", chat_commands=STAFF))
            assert sent.ok
            assert fake.menu_of(staff.chat_id) == ["menu", "peserta"]
            assert fake.menu_of(participant.chat_id) == ["jadwal"]

            plain = await channel.send(str(staff.chat_id), Reply("Lagi"))  # None: unchanged
            assert plain.ok and fake.menu_of(staff.chat_id) == ["menu", "peserta"]

            ended = await channel.send(str(staff.chat_id), Reply("Berakhir", chat_commands=()))
            assert ended.ok
            assert fake.menu_of(staff.chat_id) == ["jadwal"]
            assert [m["text"] for m in staff.inbox] == ["Halo", "Lagi", "Berakhir"]


def test_the_menu_survives_the_message_log_and_the_courier_pipe() -> None:
    reply = Reply("Halo", (Button("Peserta", "staff:cmd:peserta"),), chat_commands=STAFF)
    assert reply_from(reply.text, reply_fields(reply)) == reply
    back = Reply("Berakhir", chat_commands=())
    assert reply_from(back.text, reply_fields(back)) == back
    none = Reply("Biasa")
    assert reply_from(none.text, reply_fields(none)).chat_commands is None
    assert decode(encode(Send(1, "7001", reply))) == Send(1, "7001", reply)


async def test_whatsapp_and_the_terminal_send_the_same_without_a_command_menu() -> None:
    with_menu = Reply("Halo", (Button("Peserta", "staff:cmd:peserta"),), chat_commands=STAFF)
    without = Reply("Halo", (Button("Peserta", "staff:cmd:peserta"),))
    assert [p.message for p in render(with_menu)] == [p.message for p in render(without)]
    shown, plain = io.StringIO(), io.StringIO()
    assert (await ConsoleChannel(shown).send("1", with_menu)).ok
    await ConsoleChannel(plain).send("1", without)
    assert shown.getvalue() == plain.getvalue()
