"""TELEGRAM_PAID_BROADCAST: broadcast messages, and only those, go with allow_paid_broadcast at
the paid rate, through the real Telegram channel and the fake Bot API enforcing its limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from bot.channels.telegram.channel import TelegramChannel
from bot.outbox.dispatcher import Dispatcher
from bot.outbox.limits import Limiters
from handlers.reminders.rules import ReminderPolicy
from storage.db import Database
from storage.models import ScheduledMessage
from tests.fakes.telegram import FakeTelegramAPI
from tests.helpers.bulk_broadcast import seed_broadcast
from tests.helpers.fake_telegram import make_bot
from tests.helpers.nudges import NUDGE
from tests.helpers.reminders import NOW, Clock

RECIPIENTS = 60  # twice the free budget's burst: at the paid rate, only a paid send passes


async def send_all(db: Database, *, paid: bool) -> tuple[FakeTelegramAPI, list[dict[str, Any]]]:
    seeded = await seed_broadcast(db, ["telegram"] * (RECIPIENTS + 1), NOW - timedelta(minutes=1))
    chats = [int(a) for a in seeded.addresses["telegram"]]
    async with db.transaction() as tx:  # the last person's row is an ordinary message instead
        await tx.execute(
            update(ScheduledMessage)
            .where(ScheduledMessage.key.endswith(f":{RECIPIENTS + 1}"))
            .values(kind=NUDGE, broadcast_id=None, key="nudge:last")
        )
    async with FakeTelegramAPI(flood_limits=True, paid_per_second=1000) as fake:
        for chat in chats:
            fake.user(chat).text_update("/start")  # they have written to the bot
        async with make_bot(fake) as bot:
            channel = TelegramChannel(bot, paid_broadcast=paid)
            limiters = Limiters(paid={"telegram": 1000} if paid else None)
            sender = Dispatcher(
                db, {"telegram": channel}, ReminderPolicy(), limiters=limiters, clock=Clock(NOW)
            )
            assert await sender.run_once() == RECIPIENTS + 1
        sends = [params for name, params in fake.calls if name.lower() == "sendmessage"]
    return fake, sends


async def test_with_paid_broadcasting_on_only_the_broadcast_goes_paid_and_nothing_is_refused(
    db: Database,
) -> None:
    fake, sends = await send_all(db, paid=True)
    nudge = [p for p in sends if "minum air" in p["text"]]
    broadcast = [p for p in sends if "minum air" not in p["text"]]
    assert len(broadcast) == RECIPIENTS and len(nudge) == 1
    assert all(p.get("allow_paid_broadcast") is True for p in broadcast)
    assert "allow_paid_broadcast" not in nudge[0]
    assert fake.flood_rejections == 0  # the paid pace and Telegram's paid budget agree


async def test_with_paid_broadcasting_off_nothing_goes_paid_and_nothing_is_refused(
    db: Database,
) -> None:
    fake, sends = await send_all(db, paid=False)
    assert len(sends) == RECIPIENTS + 1
    assert not any("allow_paid_broadcast" in p for p in sends)
    assert fake.flood_rejections == 0  # 30 a second, as always


@pytest.mark.parametrize("rate", [0, -5])
def test_a_paid_rate_must_be_above_zero(rate: float) -> None:
    with pytest.raises(ValueError, match="above 0"):
        Limiters(paid={"telegram": rate})


def test_a_persons_interval_holds_across_the_free_and_the_paid_pace() -> None:
    limiters = Limiters(paid={"telegram": 1000})
    free, paid = limiters.of("telegram"), limiters.bulk_of("telegram")
    assert paid is not None and limiters.bulk_of("whatsapp") is None
    assert paid.reserve("5001") is not None  # a broadcast to them now
    assert free.reserve("5001") is None  # their reminder waits out the second
    assert free.reserve("5002") is not None
