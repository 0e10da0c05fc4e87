"""The fake Bot API answers 429 as Telegram does: beyond about 30 messages a second overall,
beyond 1 a second to one chat, and with allow_paid_broadcast beyond the paid rate instead."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import RetryAfter

from tests.fakes.telegram import FakeTelegramAPI
from tests.helpers.fake_telegram import make_bot, retry_after_of


async def sent_before_refused(bot: Bot, chats: list[int], **extra: object) -> int:
    """Send one message to each chat as fast as possible; how many went before the first 429."""
    for count, chat in enumerate(chats):
        try:
            await bot.send_message(chat, "Halo", **extra)  # type: ignore[arg-type]
        except RetryAfter as refused:
            assert retry_after_of(refused) >= 1
            return count
    return len(chats)


def known_chats(fake: FakeTelegramAPI, count: int) -> list[int]:
    chats = [7_000_000 + n for n in range(count)]
    for chat in chats:
        fake.user(chat).text_update("/start")
    return chats


async def test_the_free_budget_is_about_30_messages_a_second() -> None:
    async with FakeTelegramAPI(flood_limits=True) as fake, make_bot(fake) as bot:
        sent = await sent_before_refused(bot, known_chats(fake, 100))
        assert 30 <= sent < 40  # a second's burst, and the little that refills meanwhile
        assert fake.flood_rejections == 1


async def test_paid_broadcasting_lets_many_more_through() -> None:
    fake = FakeTelegramAPI(flood_limits=True, paid_per_second=1000)
    async with fake, make_bot(fake) as bot:
        chats = known_chats(fake, 300)
        assert await sent_before_refused(bot, chats, allow_paid_broadcast=True) == 300
        assert fake.flood_rejections == 0


@pytest.mark.parametrize("paid", [False, True])
async def test_one_chat_gets_at_most_one_message_a_second(paid: bool) -> None:
    async with FakeTelegramAPI(flood_limits=True) as fake, make_bot(fake) as bot:
        [chat] = known_chats(fake, 1)
        extra = {"allow_paid_broadcast": True} if paid else {}
        assert await sent_before_refused(bot, [chat, chat], **extra) == 1


async def test_without_flood_limits_the_fake_refuses_nothing() -> None:
    async with FakeTelegramAPI() as fake, make_bot(fake) as bot:
        assert await sent_before_refused(bot, known_chats(fake, 100)) == 100
