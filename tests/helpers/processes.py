"""Several real `pendamping run` processes on one database, serving Telegram's webhook (and
WhatsApp's), as a deployment behind a load balancer runs them; updates posted to any of them."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.fakes.telegram import FakeTelegramAPI
from tests.fakes.whatsapp import FakeGraphAPI
from tests.helpers.whatsapp.process import STARTUP, BotProcess, start_whatsapp_bot

WEBHOOK_PATH = "/telegram/webhook"
SECRET = "s3cret-token_for-processes"


def telegram_env(fake: FakeTelegramAPI) -> dict[str, str]:
    return {
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "TELEGRAM_WEBHOOK_URL": f"https://bot.example.org{WEBHOOK_PATH}",
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_PROCESS": "same",  # three processes on two cores: one each is plenty
    }


@asynccontextmanager
async def processes_started_at_once(
    telegram: FakeTelegramAPI, whatsapp: FakeGraphAPI, database_url: str, home: Path, count: int
) -> AsyncIterator[list[BotProcess]]:
    """`count` processes started at the same moment on `database_url`; each answers /healthz
    (the start fails the test otherwise); all are killed at the end."""
    started = await asyncio.gather(
        *(
            start_whatsapp_bot(whatsapp, database_url, home / f"p{n}", **telegram_env(telegram))
            for n in range(count)
        ),
        return_exceptions=True,
    )
    bots = [bot for bot in started if isinstance(bot, BotProcess)]
    try:
        failures = [str(error) for error in started if not isinstance(error, BotProcess)]
        assert failures == []
        await asyncio.gather(*(telegram_ready(bot) for bot in bots))
        yield bots
    finally:
        for bot in bots:
            await bot.ensure_gone()


TELEGRAM_READY = ("telegram menu and webhook registered", "already registered by another process")


async def telegram_ready(bot: BotProcess, timeout: float = STARTUP) -> None:
    """Until the process has told Telegram its webhook, or found it told by another (its log
    says which; it takes updates from then on); fails after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not any(line in bot.log.read_text(errors="replace") for line in TELEGRAM_READY):
        assert bot.process.returncode is None, bot.log.read_text(errors="replace")
        assert loop.time() < deadline, "the process never finished starting Telegram"
        await asyncio.sleep(0.05)


class Balancer:
    """Posts each update to one of the processes, chosen at random (a seeded choice, so that a
    failure can be replayed), as a load balancer without routing by chat would."""

    def __init__(self, fake: FakeTelegramAPI, bots: Sequence[BotProcess], seed: int) -> None:
        self.fake = fake
        self.urls = [f"{bot.url}{WEBHOOK_PATH}" for bot in bots]
        self.random = random.Random(seed)

    async def post(self, update: dict[str, Any], to: int | None = None) -> int:
        """Post to process `to`, or to one at random; the status once it was handled."""
        url = self.urls[to] if to is not None else self.random.choice(self.urls)
        return await self.fake.post_webhook(url, update, SECRET)

    def two_apart(self) -> tuple[int, int]:
        """Two different processes, at random."""
        first, second = self.random.sample(range(len(self.urls)), 2)
        return first, second
