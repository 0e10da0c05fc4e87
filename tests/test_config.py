"""Configuration from the environment and `.env`, with errors that name the variable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, read_env_file


def test_defaults_need_nothing() -> None:
    settings = Settings.from_env({})
    assert settings.telegram_bot_token is None
    assert settings.database_url == "sqlite+aiosqlite:///data/pendamping.db"
    assert (settings.default_language, settings.default_timezone) == ("id", "Asia/Jakarta")
    assert not settings.webhook_mode


def test_pasted_postgres_urls_get_the_async_driver() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgres://u:p@db/pendamping"})
    assert settings.database_url == "postgresql+asyncpg://u:p@db/pendamping"
    assert (
        Settings.from_env({"DATABASE_URL": "sqlite:///x.db"}).database_url
        == "sqlite+aiosqlite:///x.db"
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        (
            {"TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram/webhook"},
            "TELEGRAM_WEBHOOK_SECRET",
        ),
        (
            {"TELEGRAM_WEBHOOK_URL": "http://bot.example.org/hook", "TELEGRAM_WEBHOOK_SECRET": "s"},
            "TELEGRAM_WEBHOOK_URL",
        ),
        ({"DEFAULT_LANGUAGE": "fr"}, "DEFAULT_LANGUAGE"),
        ({"DEFAULT_TIMEZONE": "WIB"}, "DEFAULT_TIMEZONE"),
        ({"PORT": "http"}, "PORT"),
        ({"LOG_LEVEL": "verbose"}, "LOG_LEVEL"),
        ({"TELEGRAM_PROCESS": "two"}, "TELEGRAM_PROCESS"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"TELEGRAM_WEBHOOK_SECRET": "has spaces"}, "TELEGRAM_WEBHOOK_SECRET"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env(env)


def test_telegram_process_is_separate_only_when_asked_or_when_there_is_a_second_core() -> None:
    assert Settings.from_env({"TELEGRAM_PROCESS": "separate"}).telegram_separate_process
    assert not Settings.from_env({"TELEGRAM_PROCESS": "Same"}).telegram_separate_process
    auto = Settings.from_env({})
    assert auto.telegram_process == "auto"
    assert auto.telegram_separate_process == (len(os.sched_getaffinity(0)) >= 2)


def test_webhook_mode_when_url_and_secret_are_set() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg",
            "TELEGRAM_WEBHOOK_SECRET": "abc_123-X",
        }
    )
    assert settings.webhook_mode


def test_env_file_is_read_and_real_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comment\nexport TELEGRAM_BOT_TOKEN='123:abc'\nDEFAULT_TIMEZONE=Asia/Makassar\n\nPORT=9000\n"
    )
    monkeypatch.setenv("PORT", "9100")
    settings = Settings.from_env(env_file=env_file)
    assert settings.telegram_bot_token == "123:abc"
    assert settings.default_timezone == "Asia/Makassar"
    assert settings.port == 9100


def test_malformed_env_file_line_is_reported_with_its_number(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("A=1\nthis is not a setting\n")
    with pytest.raises(ConfigError, match=r"\.env:2"):
        read_env_file(env_file)
