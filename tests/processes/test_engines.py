"""ENGINES=N: `pendamping run` hands each person to one of N engines (itself and N - 1 worker
processes) by a stable hash, so a bigger machine's cores are used while each person's messages
are still answered in order, as one process would answer them."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import ConfigError, Settings
from bot.engines.router import engine_of
from bot.inbox import Inbox
from handlers.flow import FlowSettings
from storage import migrate
from storage.db import Database
from tests.fakes.channel import CollectingChannel
from tests.fakes.telegram import FakeTelegramAPI, FakeUser
from tests.helpers.checkins import signed_up, update
from tests.helpers.digest import add_org, add_staff
from tests.helpers.engines import gone, start_engines_bot

ON_POSTGRESQL = bool(os.environ.get("PENDAMPING_TEST_DATABASE_URL"))  # as tests/conftest.py
PEOPLE = 8
REPLY_WAIT = 30.0  # seconds for each reply
# The front's dispatcher also looks at the outbox every 30 s by itself; a message that comes
# within this many seconds came because the turn woke it.
WOKEN_WAIT = 15.0


def test_engines_above_one_need_postgresql() -> None:
    with pytest.raises(ConfigError, match=r"ENGINES=2 needs a PostgreSQL DATABASE_URL"):
        Settings.from_env({"ENGINES": "2", "DATABASE_URL": "sqlite:///bot.db"})
    with pytest.raises(ConfigError, match=r"ENGINES must be a whole number"):
        Settings.from_env({"ENGINES": "0"})
    chosen = Settings.from_env({"ENGINES": "3", "DATABASE_URL": "postgresql://u@db/pendamping"})
    assert chosen.engines == 3


async def test_run_with_two_engines_on_sqlite_stops_with_one_clear_line(tmp_path: Path) -> None:
    env = {**os.environ, "ENGINES": "2", "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    env["TELEGRAM_BOT_TOKEN"] = "123456:TEST"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert err.decode().strip().splitlines() == [
        "pendamping: configuration error: ENGINES=2 needs a PostgreSQL DATABASE_URL (SQLite has "
        "one writer at a time): set DATABASE_URL=postgresql://..., or ENGINES=1."
    ]
    assert not (tmp_path / "bot.db").exists()


# The burst each person sends at once, without waiting for an answer: the sign-up up to the
# question of the time of day. Each step's answers, and the buttons on its last one.
BURST = (
    ("halo", 1, "consent:"),
    ("setuju", 2, "name:"),
    ("ya", 2, "cat:"),
    ("mantan napi", 1, None),
    ("kab. serang", 1, "zone:"),
    ("benar", 1, "keyboard"),
    ("PHONE", 2, "int:"),
    ("pelatihan kerja", 2, "time:"),
)


def buttons(message: dict[str, object]) -> list[str]:
    markup = message.get("reply_markup") or {}
    assert isinstance(markup, dict)
    if "keyboard" in markup:
        return ["keyboard"]
    rows = markup.get("inline_keyboard", [])
    return [button.get("callback_data", "") for row in rows for button in row]


async def burst_and_answers(user: FakeUser, index: int) -> list[str]:
    """Sends the whole burst at once; the problems with the answers (none: in order)."""
    for text, _count, _buttons in BURST:
        user.send_text(f"0812 {1000 + index} 7890" if text == "PHONE" else text)
    problems = []
    for text, count, expected in BURST:
        for _ in range(count):
            message = await user.next_message(REPLY_WAIT)
        if expected is not None and not any(b.startswith(expected) for b in buttons(message)):
            problems.append(f"after {text!r}: {buttons(message)} on {message.get('text')!r}")
    return problems


# Engine workers share PostgreSQL with the front; with SQLite the bot refuses ENGINES > 1.
if ON_POSTGRESQL:

    @pytest.fixture
    async def fake() -> AsyncIterator[FakeTelegramAPI]:
        async with FakeTelegramAPI() as server:
            yield server

    async def test_bursts_of_people_signing_up_at_once_are_answered_in_order_on_two_engines(
        fake: FakeTelegramAPI, database_url: str, tmp_path: Path
    ) -> None:
        bot = await start_engines_bot(fake, database_url, tmp_path, engines=2)
        try:
            users = [fake.user(720_000_001 + i, "Budi") for i in range(PEOPLE)]
            found = await asyncio.gather(
                *(burst_and_answers(user, i) for i, user in enumerate(users))
            )
            assert found == [[] for _ in users]  # each answer to its own question, in order
            await asyncio.sleep(0)
            assert [user.pending for user in users] == [[] for _ in users]  # nothing more
            assert await bot.stop() == 0
        finally:
            await bot.ensure_gone()
        assert "Traceback" not in bot.text()

    async def test_people_are_spread_over_both_engines_each_always_on_the_same_one(
        fake: FakeTelegramAPI, database_url: str, tmp_path: Path
    ) -> None:
        bot = await start_engines_bot(fake, database_url, tmp_path, engines=2)
        try:
            users = [fake.user(730_000_001 + i, "Siti") for i in range(PEOPLE)]
            for _round in range(2):  # a person's second message goes where the first went
                for user in users:
                    user.send_text("halo")
                for user in users:
                    await user.next_message(REPLY_WAIT)
            assert await bot.stop() == 0
        finally:
            await bot.ensure_gone()
        expected = {0: 0, 1: 0}
        for user in users:
            expected[engine_of("telegram", str(user.user_id), 2)] += 2
        assert min(expected.values()) > 0  # these ids fall on both engines
        assert bot.turns() == expected  # each engine handled exactly its people's messages

    @pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="kills by pid (Linux)")
    async def test_a_killed_engine_worker_stops_the_bot_with_one_clear_line(
        fake: FakeTelegramAPI, database_url: str, tmp_path: Path
    ) -> None:
        bot = await start_engines_bot(fake, database_url, tmp_path, engines=2)
        try:
            os.kill(bot.worker_pids()[1], signal.SIGKILL)
            code = await asyncio.wait_for(bot.process.wait(), 60)
        finally:
            await bot.ensure_gone()
        assert code == 1
        errors = [line for line in bot.text().splitlines() if " ERROR " in line]
        assert len(errors) == 1, bot.text()
        assert "engine 1 ended by itself (exit code -9)" in errors[0]
        assert "Traceback" not in bot.text()

    @pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
    async def test_a_killed_front_takes_its_engine_workers_with_it(
        fake: FakeTelegramAPI, database_url: str, tmp_path: Path
    ) -> None:
        bot = await start_engines_bot(fake, database_url, tmp_path, engines=3)
        workers = bot.worker_pids()
        try:
            bot.process.kill()  # no chance to stop them: each sees its pipe close
            await asyncio.wait_for(bot.process.wait(), 30)
            assert [await gone(pid) for pid in workers.values()] == [True, True]
        finally:
            for pid in workers.values():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    async def arrives(user: FakeUser, words: str, timeout: float) -> dict[str, Any]:
        """The first message to `user` holding `words` (others may come first); fails the test
        if none comes within `timeout` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for message in user.inbox:
                if words in message.get("text", ""):
                    return message
            assert loop.time() < deadline, f"no message with {words!r} within {timeout} s"
            await asyncio.sleep(0.02)

    async def test_an_alert_raised_on_a_worker_engine_wakes_the_fronts_outbox_at_once(
        fake: FakeTelegramAPI, database_url: str, tmp_path: Path
    ) -> None:
        ids = itertools.count(740_000_001)
        person = str(next(i for i in ids if engine_of("telegram", str(i), 2) == 1))
        caseworker = str(next(i for i in ids if engine_of("telegram", str(i), 2) == 0))
        db = Database(database_url)
        await migrate.upgrade(db)
        inbox = Inbox(db, FlowSettings(), {"telegram": CollectingChannel("telegram")})
        org = await add_org(db, "Bapas Ambon")
        staff = await add_staff(db, org, "Budi Santoso", address=caseworker)
        _person, pid = await signed_up(inbox, CollectingChannel("telegram"), person)
        await update(db, pid, organisation_id=org, caseworker_id=staff)
        await inbox.close()
        await db.dispose()
        # The caseworker's chat exists before the bot starts: between 07.00 and 08.00 his morning
        # digest is due at once (to a chat the fake would not know yet).
        budi = fake.user(int(caseworker), "Budi")
        budi.send_text("/bantuan")
        bot = await start_engines_bot(fake, database_url, tmp_path, engines=2, QUIET_HOURS="off")
        try:
            user = fake.user(int(person), "Yusuf")
            user.send_text("saya dipukul bapak tiri semalam")
            answer = await user.next_message(REPLY_WAIT)
            assert "112" in answer["text"]
            alert = await arrives(budi, "kekerasan atau ancaman", WOKEN_WAIT)
            assert "“saya dipukul bapak tiri semalam”" in alert["text"]
            assert await bot.stop() == 0
        finally:
            await bot.ensure_gone()
        assert bot.turns() == {0: 1, 1: 1}  # the person's message was handled by the worker
