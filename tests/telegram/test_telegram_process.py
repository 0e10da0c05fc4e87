"""The real `pendamping run` with Telegram in a process of its own: stopped or killed, it leaves
no Telegram process behind (an orphan would keep polling and take the next start's updates)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import migrate
from storage.db import Database
from tests.fakes.telegram import FakeTelegramAPI
from tests.helpers.paths import ROOT
from tests.helpers.ports import free_port


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


async def start_bot(
    fake: FakeTelegramAPI, database_url: str, log: Path
) -> tuple[asyncio.subprocess.Process, int]:
    """`pendamping run` in separate mode; returns it and its Telegram process's pid.

    Its log goes to a file: a pipe would be inherited by the Telegram process and keep
    `Process.wait()` waiting as long as that lives.
    """
    db = Database(database_url)
    await migrate.upgrade(db)
    await db.dispose()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DATABASE_URL": database_url,
        "TELEGRAM_PROCESS": "separate",
        "LOG_LEVEL": "INFO",
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
    }
    with log.open("wb") as output:
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", env=env, cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL, stderr=output,
        )  # fmt: skip
    await fake.wait_for_call("getupdates", timeout=30)
    return bot, courier_pid(log)


def courier_pid(log: Path) -> int:
    """The pid the bot logged when it started its Telegram process."""
    text = log.read_text()
    started = [line for line in text.splitlines() if "process started pid=" in line]
    assert started, text
    return int(started[0].rsplit("=", 1)[1])


def running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's exit is collected by init, or not, in containers)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


async def gone(pid: int, timeout: float = 20) -> bool:
    for _ in range(int(timeout / 0.05)):
        if not running(pid):
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
async def test_sigterm_stops_both_processes_cleanly(
    fake: FakeTelegramAPI, database_url: str, tmp_path: Path
) -> None:
    bot, courier = await start_bot(fake, database_url, tmp_path / "bot.log")
    try:
        assert running(courier)
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), 30) == 0
        assert await gone(courier)
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
async def test_a_killed_engine_takes_its_telegram_process_with_it(
    fake: FakeTelegramAPI, database_url: str, tmp_path: Path
) -> None:
    bot, courier = await start_bot(fake, database_url, tmp_path / "bot.log")
    try:
        bot.kill()  # SIGKILL: no chance to say goodbye; the courier sees its pipe close
        await asyncio.wait_for(bot.wait(), 10)
        assert await gone(courier)
    finally:
        if running(courier):
            os.kill(courier, signal.SIGKILL)
