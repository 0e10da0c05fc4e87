"""The real `pendamping run` process, killed with SIGKILL between two reminders and started again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from handlers.reminders.planning import enrol
from handlers.reminders.rules import ReminderPolicy
from storage import migrate
from storage.db import Database
from storage.models import Address, Organisation, Participant, Program, ProgramSession
from tests.fakes.telegram import FakeTelegramAPI
from tests.helpers.paths import ROOT
from tests.helpers.ports import free_port
from tests.helpers.reminders import outbox


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


@pytest.fixture
async def processes() -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """Bot processes started by a test; whatever happens, none outlives it."""
    started: list[asyncio.subprocess.Process] = []
    yield started
    for process in started:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def start_bot(
    fake: FakeTelegramAPI, database_url: str, telegram_process: str = "auto"
) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TELEGRAM_PROCESS": telegram_process,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "QUIET_HOURS": "off",  # these tests are about crashes, at any hour of the day
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),  # the web app runs whenever Telegram does
    }
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_killed_between_two_reminders_loses_and_duplicates_nothing(
    fake: FakeTelegramAPI, database_url: str, processes: list[asyncio.subprocess.Process]
) -> None:
    user = fake.user(601, first_name="Andi")
    await andi_enrolled(database_url, user.chat_id, due_in_seconds=(3, 20))

    user.send_text("/start")  # they talked to the bot before (Telegram: "chat not found" otherwise)
    bot = await start_bot(fake, database_url)
    processes.append(bot)
    # On a slow start the first reminder can be due before "/start" is answered: either order.
    texts = [(await user.next_message(timeout=30))["text"] for _ in range(2)]
    assert sum("Halo, Andi" in t for t in texts) == 1
    assert sum(t.startswith("🔔 Pengingat: Sesi pertama") for t in texts) == 1
    bot.send_signal(signal.SIGKILL)  # no goodbye, no cleanup
    await bot.wait()

    bot = await start_bot(fake, database_url)
    processes.append(bot)
    second = await user.next_message(timeout=40)
    assert "Sesi kedua" in second["text"]
    bot.send_signal(signal.SIGTERM)  # a clean stop: what was sent has been recorded by then
    _out, err = await asyncio.wait_for(bot.communicate(), timeout=30)
    assert bot.returncode == 0, err.decode()
    db = Database(database_url)
    rows = await outbox(db)
    await db.dispose()
    # The first was on its way when the process died: the restarted bot, seeing that process
    # gone, marks it interrupted (or, if the process recorded the platform's answer before the
    # kill, it is sent), and never sends it a second time.
    assert rows[0].status in ("interrupted", "sent") and rows[1].status == "sent"
    reminders = [m["text"].splitlines()[0] for m in user.inbox if "Pengingat" in m["text"]]
    assert reminders == ["🔔 Pengingat: Sesi pertama", "🔔 Pengingat: Sesi kedua"]


@pytest.mark.parametrize("telegram_process", ["same", "separate"])
async def test_a_reminder_due_at_start_up_goes_out_once_telegram_is_ready(
    fake: FakeTelegramAPI,
    database_url: str,
    processes: list[asyncio.subprocess.Process],
    telegram_process: str,
) -> None:
    """After an outage, the dispatcher's first look finds rows due; it must not send them
    through a python-telegram-bot that is still starting (and fail them)."""
    user = fake.user(602, first_name="Andi")
    await andi_enrolled(database_url, user.chat_id, due_in_seconds=(-5,))
    user.send_text("/start")
    bot = await start_bot(fake, database_url, telegram_process)
    processes.append(bot)
    texts = [(await user.next_message(timeout=30))["text"] for _ in range(2)]
    assert any(text.startswith("🔔 Pengingat: Sesi pertama") for text in texts)
    bot.send_signal(signal.SIGTERM)
    _out, err = await asyncio.wait_for(bot.communicate(), timeout=30)
    assert bot.returncode == 0, err.decode()
    db = Database(database_url)
    rows = await outbox(db)
    await db.dispose()
    assert [(r.status, r.attempts, r.error) for r in rows] == [("sent", 1, None)]


async def andi_enrolled(database_url: str, chat_id: int, due_in_seconds: tuple[int, ...]) -> None:
    """Andi, active on Telegram, enrolled in sessions whose 2-hour reminders fall due in N s."""
    db = Database(database_url)
    await migrate.upgrade(db)
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        participant = Participant(
            status="active", name="Andi", timezone="Asia/Jakarta", language="id", interests=[]
        )
        tx.add(participant)
        await tx.flush()
        tx.add(Address(participant_id=participant.id, channel="telegram", value=str(chat_id)))
        org = Organisation(name="Rutan Kelas IIA Pekalongan", kind="rutan", timezone="Asia/Jakarta")
        tx.add(org)
        await tx.flush()
        program = Program(
            organisation_id=org.id,
            name="Pelatihan las",
            kind="job_training",
            reminder_offsets=[120],
        )
        tx.add(program)
        await tx.flush()
        titles = ("Sesi pertama", "Sesi kedua")
        for seconds, title in zip(due_in_seconds, titles, strict=False):
            start = now + timedelta(
                minutes=120, seconds=seconds
            )  # its 2-hour reminder is due in N s
            event = ProgramSession(
                program_id=program.id, title=title, starts_at=start, ends_at=start + timedelta(hours=2),
                timezone="Asia/Jakarta", place="BLK Pekalongan", status="scheduled",
            )  # fmt: skip
            tx.add(event)
            await tx.flush()
            await tx.refresh(event, ["program"])
            policy = ReminderPolicy(quiet=ReminderPolicy().quiet.parse("off"))
            # Planned a minute ago, as if the bot had been down since: a row may already be due.
            await enrol(tx, participant, event, now - timedelta(minutes=1), policy, confirm=False)
    await db.dispose()
