"""The real `pendamping run` serving WhatsApp alone, in a process of its own, for tests that stop
it the hard way (kill -9) and start it again on the same database."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.fakes.whatsapp import FakeGraphAPI
from tests.helpers.paths import ROOT
from tests.helpers.ports import free_port

SECRET = "app-secret-for-process-tests"
VERIFY_TOKEN = "verify-token-for-process-tests"
STARTUP = 60.0  # seconds the bot may take to answer /healthz before the test fails


def whatsapp_env(fake: FakeGraphAPI, database_url: str, port: int, home: Path) -> dict[str, str]:
    """What `pendamping run` needs to serve WhatsApp alone: no Telegram token, nothing of the
    caller's own settings, home folders in `home`."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TELEGRAM_", "WHATSAPP_", "PENDAMPING", "XDG_"))
        and name not in {"DATABASE_URL", "HOST", "PORT", "LOG_LEVEL"}
    }
    return inherited | {
        "DATABASE_URL": database_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "INFO",
        "HOME": str(home),
        "PENDAMPING_HOME": str(home / "pendamping"),
        "WHATSAPP_TOKEN": fake.token,
        "WHATSAPP_PHONE_NUMBER_ID": fake.phone_number_id,
        "WHATSAPP_APP_SECRET": SECRET,
        "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
        "WHATSAPP_API_URL": fake.api_url,
    }


def log_file(home: Path, port: int) -> Path:
    """Where the bot answering on `port` writes its log (stderr)."""
    home.mkdir(parents=True, exist_ok=True)
    return home / f"bot-{port}.log"


@dataclass
class BotProcess:
    """One `python -m bot.cli run`; its log (stderr) goes to `log`."""

    process: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook(self) -> str:
        return f"{self.url}/webhooks/whatsapp"

    async def ready(self, timeout: float = STARTUP) -> None:
        """Until /healthz answers 200; fails if it does not within `timeout` or the bot exits."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient(timeout=5) as client:
            while True:
                if self.process.returncode is not None:
                    raise AssertionError(
                        f"the bot exited with {self.process.returncode} while starting:\n"
                        + self.log.read_text(errors="replace")
                    )
                try:
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if loop.time() > deadline:
                    raise AssertionError(
                        f"the bot did not answer /healthz within {timeout} s:\n"
                        + self.log.read_text(errors="replace")
                    )
                await asyncio.sleep(0.05)

    async def kill(self) -> None:
        """kill -9, and collect its exit (a zombie would still look alive to a restarted bot)."""
        os.kill(self.process.pid, signal.SIGKILL)
        assert await asyncio.wait_for(self.process.wait(), 30) == -signal.SIGKILL

    async def stop(self) -> int:
        """SIGTERM, as a supervisor stops it; its exit code."""
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), 60)

    async def ensure_gone(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


async def start_whatsapp_bot(
    fake: FakeGraphAPI, database_url: str, home: Path, **settings: str
) -> BotProcess:
    """`pendamping run` with WhatsApp only, answering on a free port; its log goes to a new file
    in `home` (a file, not a pipe, so nothing blocks when the test does not read it). `settings`
    are more environment variables (`WHATSAPP_MESSAGES_PER_SECOND="20"`)."""
    port = free_port()
    log = log_file(home, port)
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run",
            env=whatsapp_env(fake, database_url, port, home) | settings, cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=output,
        )  # fmt: skip
    bot = BotProcess(process, port, log)
    try:
        await bot.ready()
    except BaseException:
        await bot.ensure_gone()
        raise
    return bot
