"""The real `pendamping run` with ENGINES > 1 against the fake Telegram Bot API, in a process of
its own (its engine workers are processes of their own too)."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.telegram import FakeTelegramAPI
from tests.helpers.paths import ROOT
from tests.helpers.telegram import free_port

STARTUP = 60.0  # seconds the bot may take to poll and start its engines before the test fails


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's exit is collected by init, or not, in containers)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


async def gone(pid: int, timeout: float = 30.0) -> bool:
    """Whether the process ends within `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while running(pid):
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


@dataclass
class EnginesBot:
    process: asyncio.subprocess.Process
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def worker_pids(self) -> dict[int, int]:
        """Engine number -> pid, as the front logged them when it started its workers."""
        found = re.findall(r"engine (\d+) process started pid=(\d+)", self.text())
        return {int(number): int(pid) for number, pid in found}

    def turns(self) -> dict[int, int]:
        """Engine number -> turns it handled, as each engine logged when it stopped."""
        found = re.findall(r"engine (\d+) stopped: (\d+) turns handled", self.text())
        return {int(number): int(count) for number, count in found}

    async def stop(self) -> int:
        self.process.terminate()
        return await asyncio.wait_for(self.process.wait(), 60)

    async def ensure_gone(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


async def start_engines_bot(
    fake: FakeTelegramAPI, database_url: str, home: Path, engines: int, **settings: str
) -> EnginesBot:
    """`pendamping run` with `engines` engines, polling the fake; returns once every worker has
    started and the bot polls. The log goes to a file: a pipe would be inherited by the bot's
    other processes and keep `Process.wait()` waiting as long as they live. `settings`: more
    environment variables (QUIET_HOURS="off")."""
    env = (
        {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("TELEGRAM_", "WHATSAPP_", "PENDAMPING", "XDG_"))
            and name not in {"DATABASE_URL", "HOST", "PORT", "LOG_LEVEL", "ENGINES"}
        }
        | {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.url,
            "DATABASE_URL": database_url,
            "ENGINES": str(engines),
            "LOG_LEVEL": "INFO",
            "HOST": "127.0.0.1",
            "PORT": str(free_port()),
            "HOME": str(home),
        }
        | settings
    )
    log = home / "bot.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", env=env, cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=output,
        )  # fmt: skip
    bot = EnginesBot(process, log)
    try:
        await fake.wait_for_call("getupdates", timeout=STARTUP)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STARTUP
        while len(bot.worker_pids()) < engines - 1:
            assert process.returncode is None, f"the bot exited while starting:\n{bot.text()}"
            assert loop.time() < deadline, f"the engines did not start:\n{bot.text()}"
            await asyncio.sleep(0.05)
    except BaseException:
        await bot.ensure_gone()
        raise
    return bot
