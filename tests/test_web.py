"""The bot's one web app over real HTTP: /healthz tells a monitor when the database or the outbox
is in trouble, /metrics counts what people send and what the bot sends, and both are there
whenever the bot runs with Telegram, polling or webhook, whichever process runs the library."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import web_routes
from bot.config import ConfigError, Settings
from bot.web.metrics import Metrics
from bot.web.server import WebServer
from storage import migrate
from storage.db import Database
from storage.models import ScheduledMessage
from tests.fakes.telegram import FakeTelegramAPI
from tests.helpers.participants import add_participant
from tests.helpers.ports import free_port
from tests.helpers.telegram import running_bot, settings_for

SECRET = "s3cret-token_1"
INBOUND_TEXT = ("pendamping_inbound_messages_total", (("channel", "telegram"), ("kind", "text")))
SENT = ("pendamping_outbound_messages_total", {"channel": "telegram", "status": "sent"})
SENT_KEY = (SENT[0], (("channel", "telegram"), ("status", "sent")))


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as server:
        yield server


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await migrate.upgrade(database)
    yield database
    await database.dispose()


async def get(settings: Settings, path: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(f"http://{settings.host}:{settings.port}{path}")


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a Prometheus text page: (name, sorted labels) -> value."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def metric_reaches(
    settings: Settings, name: str, labels: dict[str, str], value: float
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Scrape until the sample shows `value` (a reply reaches the person a moment before its
    send is counted); fails after 10 s."""
    key = (name, tuple(sorted(labels.items())))
    for _ in range(200):
        response = await get(settings, "/metrics")
        assert response.status_code == 200
        page = samples(response.text)
        if page.get(key) == value:
            return page
        await asyncio.sleep(0.05)
    pytest.fail(f"{name}{labels} never reached {value}: {page.get(key)}")


async def add_outbox_row(db: Database, person: int, key: str, due_at: datetime) -> None:
    async with db.transaction() as tx:
        tx.add(ScheduledMessage(key=key, kind="reminder", participant_id=person, due_at=due_at))


async def test_healthz_answers_ok_with_the_outbox_state_while_the_bot_polls(
    fake: FakeTelegramAPI, database_url: str
) -> None:
    settings = settings_for(fake, database_url)
    assert not settings.webhook_mode
    async with running_bot(settings, fake):
        response = await get(settings, "/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "outbox_due": 0,
        "outbox_oldest_due_seconds": 0,
    }


async def test_healthz_fails_with_the_reason_when_the_database_is_gone(
    fake: FakeTelegramAPI, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    settings = settings_for(fake, f"sqlite+aiosqlite:///{folder / 'bot.db'}")
    async with running_bot(settings, fake) as db:
        assert (await get(settings, "/healthz")).status_code == 200
        await db.dispose()  # drop the open connections: the next one must find the file
        os.rename(folder, tmp_path / "moved-away")
        response = await get(settings, "/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "reason": "the database does not answer"}


async def test_healthz_fails_when_a_due_outbox_message_waits_longer_than_allowed(
    db: Database, database_url: str
) -> None:
    settings = Settings(
        database_url=database_url, host="127.0.0.1", port=free_port(), health_max_lag_minutes=15
    )
    now = datetime.now(UTC)
    person = await add_participant(db, "Sari", now=now)
    async with WebServer(web_routes(db, settings, Metrics(), []), settings.host, settings.port):
        await add_outbox_row(db, person, "late-but-fine", now - timedelta(minutes=10))
        healthy = await get(settings, "/healthz")
        await add_outbox_row(db, person, "stuck", now - timedelta(minutes=20))
        stuck = await get(settings, "/healthz")
    assert healthy.status_code == 200
    assert healthy.json()["outbox_due"] == 1
    assert stuck.status_code == 503
    body = stuck.json()
    assert body["status"] == "failing"
    assert body["outbox_due"] == 2
    assert body["outbox_oldest_due_seconds"] >= 20 * 60
    assert "limit 900 s" in body["reason"]


async def test_metrics_gauges_show_the_rows_due_now_and_how_long_the_oldest_waited(
    db: Database, database_url: str
) -> None:
    settings = Settings(database_url=database_url, host="127.0.0.1", port=free_port())
    now = datetime.now(UTC)
    person = await add_participant(db, "Sari", now=now)
    await add_outbox_row(db, person, "due-long-ago", now - timedelta(minutes=5))
    await add_outbox_row(db, person, "due-just-now", now - timedelta(seconds=1))
    await add_outbox_row(db, person, "due-tomorrow", now + timedelta(days=1))
    async with WebServer(web_routes(db, settings, Metrics(), []), settings.host, settings.port):
        response = await get(settings, "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    page = samples(response.text)
    assert page[("pendamping_outbox_due_messages", ())] == 2
    assert page[("pendamping_outbox_oldest_due_age_seconds", ())] >= 5 * 60


@pytest.mark.parametrize("process", ["same", "separate"])
async def test_metrics_count_messages_in_and_out_on_the_webhook_s_own_web_app(
    fake: FakeTelegramAPI, database_url: str, process: str
) -> None:
    settings = settings_for(
        fake,
        database_url,
        telegram_process=process,
        telegram_webhook_url="https://bot.example.org/hook/tg",
        telegram_webhook_secret=SECRET,
    )
    user = fake.user(612)
    url = f"http://{settings.host}:{settings.port}/hook/tg"
    async with running_bot(settings, fake):
        assert (await get(settings, "/healthz")).status_code == 200  # beside the webhook
        before = samples((await get(settings, "/metrics")).text)
        assert INBOUND_TEXT not in before  # nothing has come in yet
        assert await fake.post_webhook(url, user.text_update("halo"), SECRET) == 200
        assert "Apakah Anda setuju?" in (await user.next_message())["text"]
        page = await metric_reaches(settings, *SENT, 1)
        assert page[INBOUND_TEXT] == 1
        assert await fake.post_webhook(url, user.text_update("setuju"), SECRET) == 200
        await user.next_message()
        page = await metric_reaches(settings, *SENT, 3)  # "setuju" is answered with two messages
        assert page[INBOUND_TEXT] == 2


async def test_metrics_count_a_failed_send_by_its_status(
    fake: FakeTelegramAPI, database_url: str
) -> None:
    settings = settings_for(fake, database_url)
    user = fake.user(613)
    fake.block(user.chat_id)  # the person blocked the bot: Telegram refuses with 403
    async with running_bot(settings, fake):
        user.send_text("halo")
        page = await metric_reaches(
            settings,
            "pendamping_outbound_messages_total",
            {"channel": "telegram", "status": "unreachable"},
            1,
        )
    assert SENT_KEY not in page


@pytest.mark.parametrize("value", ["soon", "0", "-5", "1.5"])
def test_a_lag_limit_that_is_not_whole_minutes_stops_the_start_naming_the_variable(
    value: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="HEALTH_MAX_LAG_MINUTES must be a whole number"):
        Settings.from_env({"HEALTH_MAX_LAG_MINUTES": value}, env_file=tmp_path / ".env")
    assert Settings.from_env({}, env_file=tmp_path / ".env").health_max_lag_minutes == 15
    settings = Settings.from_env({"HEALTH_MAX_LAG_MINUTES": "45"}, env_file=tmp_path / ".env")
    assert settings.health_max_lag_minutes == 45


async def test_a_taken_port_stops_the_start_saying_which_variable_to_change(
    fake: FakeTelegramAPI, database_url: str
) -> None:
    settings = settings_for(fake, database_url)
    with socket.socket() as squatter:
        squatter.bind((settings.host, settings.port))
        squatter.listen()
        with pytest.raises(ConfigError, match=f"PORT {settings.port} .*set PORT to a free one"):
            async with running_bot(settings, fake):
                pytest.fail("the bot started on a port that was taken")
