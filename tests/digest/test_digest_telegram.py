"""The digest on Telegram through the real channel (python-telegram-bot against the fake Bot
API): bold headings, one line a person, and an inline button per person that opens their card."""

from __future__ import annotations

from telegram import Bot

from bot.channels.telegram.channel import TelegramChannel
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.limits import ChannelLimits, Limiters
from handlers.reminders.rules import ReminderPolicy
from storage.db import Database
from tests.fakes.telegram import FakeTelegramAPI
from tests.helpers.digest import add_org, add_person, add_staff, plan, seat, session, utc
from tests.helpers.reminders import Clock

MONDAY_7_WIB = utc(2026, 11, 30, 0, 0)


async def test_a_telegram_digest_has_a_button_per_person(db: Database) -> None:
    async with FakeTelegramAPI() as fake:
        user = fake.user(7001, first_name="Budi")
        user.send_text("/start")  # a bot may write only to chats that wrote to it
        org = await add_org(db, "Bapas Pekalongan")
        budi = await add_staff(db, org, "Budi Santoso", address=str(user.chat_id))
        tuesday = await session(db, org, "Pelatihan Las", utc(2026, 12, 1, 2, 0))
        siti = await add_person(db, "Siti Aminah", org, budi, now=utc(2026, 11, 1))
        await seat(db, siti, tuesday, rsvp="no", at=utc(2026, 11, 28, 3, 0))
        agus = await add_person(db, "Agus Pratama", org, budi, now=utc(2026, 11, 29, 4, 0))
        await plan(db, utc(2026, 11, 29, 13, 0))
        async with Bot(fake.token, base_url=f"{fake.url}/bot") as bot:
            limiters = Limiters(unlisted=ChannelLimits(per_second=10_000, per_chat_interval=0))
            dispatcher = Dispatcher(
                db, {"telegram": TelegramChannel(bot)}, ReminderPolicy(), limiters=limiters,
                clock=Clock(MONDAY_7_WIB),
            )  # fmt: skip
            assert await dispatcher.run_once() == 1
        [message] = user.inbox
        text = message["text"]
        assert text.startswith("Ringkasan pagi Anda, Senin, 30 November")
        assert f"#{siti} Siti tidak bisa datang ke Pelatihan Las (Sel, 1 Des 09.00 WIB)" in text
        assert f"#{agus} Agus baru mendaftar, dan Anda pendampingnya" in text
        assert {e["type"] for e in message["entities"]} == {"bold"}
        keyboard = message["reply_markup"]["inline_keyboard"]
        assert [b["callback_data"] for row in keyboard for b in row] == [
            f"staff:p:{siti}",
            f"staff:p:{agus}",
        ]
        assert [b["text"] for row in keyboard for b in row] == [f"#{siti} Siti", f"#{agus} Agus"]
