"""Configuration from the environment and `.env`, with errors that name the variable."""

from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path

import pytest

from bot.config import (
    ConfigError,
    Settings,
    database_location,
    read_env_file,
    stranded_database,
)


def test_defaults_need_nothing() -> None:
    settings = Settings.from_env({"HOME": "/home/siti"})
    assert settings.telegram_bot_token is None
    assert (
        settings.database_url
        == "sqlite+aiosqlite:////home/siti/.local/share/pendamping/pendamping.db"
    )
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


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"HOME": "/home/siti"}, "/home/siti/.local/share/pendamping/pendamping.db"),
        (
            {"HOME": "/home/siti", "XDG_DATA_HOME": "/data/xdg"},
            "/data/xdg/pendamping/pendamping.db",
        ),
        (  # the XDG spec says to ignore a relative XDG_DATA_HOME
            {"HOME": "/home/siti", "XDG_DATA_HOME": "relative/xdg"},
            "/home/siti/.local/share/pendamping/pendamping.db",
        ),
        (
            {"HOME": "/home/siti", "PENDAMPING_HOME": "/srv/pendamping"},
            "/srv/pendamping/pendamping.db",
        ),
    ],
)
def test_the_default_database_does_not_depend_on_the_working_directory(
    env: dict[str, str], expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for cwd in (tmp_path, tmp_path / "elsewhere"):
        cwd.mkdir(exist_ok=True)
        monkeypatch.chdir(cwd)
        assert Settings.from_env(env).database_url == f"sqlite+aiosqlite:///{expected}"
        assert database_location(Settings.from_env(env).database_url) == expected


def test_a_relative_database_url_is_shown_as_an_absolute_path_and_said_to_be_relative(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    location = database_location(
        Settings.from_env({"DATABASE_URL": "sqlite:///x/bot.db"}).database_url
    )
    assert location.startswith(str(tmp_path / "x" / "bot.db"))
    assert "relative to the working directory" in location


def test_a_postgresql_location_never_shows_the_user_or_password() -> None:
    url = Settings.from_env({"DATABASE_URL": "postgresql://pendamping:s3cret@db.local:6543/bot"})
    location = database_location(url.database_url)
    assert location == "PostgreSQL database 'bot' on db.local:6543"
    assert "s3cret" not in location and "pendamping" not in location


def test_a_database_at_the_old_default_place_is_not_silently_replaced(tmp_path: Path) -> None:
    old = tmp_path / "data" / "pendamping.db"
    old.parent.mkdir()
    old.write_bytes(b"")
    home = {"HOME": str(tmp_path / "home")}
    assert stranded_database(Settings.from_env(home), tmp_path) == old
    # Chosen explicitly, or already moved: nothing to say.
    given = Settings.from_env({**home, "DATABASE_URL": f"sqlite:///{old}"})
    assert stranded_database(given, tmp_path) is None
    moved = Path(database_location(Settings.from_env(home).database_url))
    moved.parent.mkdir(parents=True)
    moved.write_bytes(b"")
    assert stranded_database(Settings.from_env(home), tmp_path) is None


EVERY_VARIABLE = {  # a value for each variable that differs from its default
    "TELEGRAM_BOT_TOKEN": "123:abc",
    "WHATSAPP_TOKEN": "EAAG-token",
    "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
    "WHATSAPP_APP_SECRET": "app-secret",
    "WHATSAPP_VERIFY_TOKEN": "verify-me",
    "WHATSAPP_API_URL": "http://127.0.0.1:8082/v23.0/",
    "WHATSAPP_MESSAGES_PER_SECOND": "250",
    "WHATSAPP_TEMPLATES": __file__,  # any file that exists
    "TELEGRAM_API_URL": "http://127.0.0.1:8081/",
    "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg",
    "TELEGRAM_WEBHOOK_SECRET": "s3cret_-X",
    "DATABASE_URL": "postgresql://u:p@db/pendamping",
    "DEFAULT_LANGUAGE": "en",
    "DEFAULT_TIMEZONE": "Asia/Jayapura",
    "PROGRAM_NAME": "Bapas Kelas I Bandung",
    "HOST": "127.0.0.1",
    "PORT": "9000",
    "HEALTH_MAX_LAG_MINUTES": "45",
    "LOG_LEVEL": "debug",
    "QUIET_HOURS": "off",
    "REMINDER_GRACE_MINUTES": "30",
    "TELEGRAM_PROCESS": "same",
    "ENGINES": "3",
    "TELEGRAM_PAID_BROADCAST": "true",
    "TELEGRAM_PAID_BROADCAST_RATE": "500",
    "EMERGENCY_NUMBER": "110",
    "CRISIS_LINES": "119 ext. 8; 0800 123",
    "WHATSAPP_BUSINESS_NUMBER": "+62 812-3456-7890",
    "INVITE_HOURS": "24",
    "MEDIA_DIR": "/srv/pendamping/media",
}


def test_every_variable_is_read_from_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f'{name}="{value}"\n' for name, value in EVERY_VARIABLE.items()))
    with pytest.MonkeyPatch.context() as patch:
        for name in EVERY_VARIABLE:
            patch.delenv(name, raising=False)
        settings = Settings.from_env(env_file=env_file)
    assert settings == Settings(
        telegram_bot_token="123:abc",
        telegram_api_url="http://127.0.0.1:8081",
        telegram_webhook_url="https://bot.example.org/tg",
        telegram_webhook_secret="s3cret_-X",
        whatsapp_token="EAAG-token",
        whatsapp_phone_number_id="106540352242922",
        whatsapp_app_secret="app-secret",
        whatsapp_verify_token="verify-me",
        whatsapp_api_url="http://127.0.0.1:8082/v23.0",
        whatsapp_messages_per_second=250.0,
        telegram_paid_broadcast=True,
        telegram_paid_broadcast_rate=500.0,
        whatsapp_templates=str(Path(__file__).absolute()),
        database_url="postgresql+asyncpg://u:p@db/pendamping",
        database_url_set=True,
        default_language="en",
        default_timezone="Asia/Jayapura",
        program_name="Bapas Kelas I Bandung",
        host="127.0.0.1",
        port=9000,
        health_max_lag_minutes=45,
        log_level="DEBUG",
        quiet_hours="off",
        reminder_grace_minutes=30,
        telegram_process="same",
        engines=3,
        emergency_number="110",
        crisis_lines=("119 ext. 8", "0800 123"),
        whatsapp_business_number="6281234567890",
        invite_hours=24,
        media_dir="/srv/pendamping/media",
    )


def test_the_readme_documents_every_variable_and_no_other() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = {line.split("`")[1] for line in section.splitlines() if line.startswith("| `")}
    assert documented == {*EVERY_VARIABLE, "PENDAMPING_HOME"}
    read = {f.metadata["variable"] for f in fields(Settings) if "variable" in f.metadata}
    assert read == set(EVERY_VARIABLE) - {"DATABASE_URL"}  # DATABASE_URL has its own default


def test_a_blank_variable_counts_as_unset() -> None:
    settings = Settings.from_env({"PORT": " ", "LOG_LEVEL": "", "CRISIS_LINES": ""})
    assert (settings.port, settings.log_level) == (8080, "INFO")
    assert settings.crisis_lines == Settings().crisis_lines


@pytest.mark.parametrize(
    ("env", "what_to_write"),
    [
        ({"PORT": "80a"}, "PORT must be a whole number from 1 to 65535, not '80a'."),
        ({"TELEGRAM_PAID_BROADCAST": "maybe"}, "TELEGRAM_PAID_BROADCAST must be true or false"),
        ({"TELEGRAM_PAID_BROADCAST_RATE": "0"}, "TELEGRAM_PAID_BROADCAST_RATE must be a number"),
        ({"PORT": "70000"}, "PORT must be a whole number from 1 to 65535"),
        ({"REMINDER_GRACE_MINUTES": "1h"}, "REMINDER_GRACE_MINUTES must be a whole number of"),
        ({"DEFAULT_TIMEZONE": "WIB"}, "DEFAULT_TIMEZONE must be a time zone name: Asia/Jakarta"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ({"QUIET_HOURS": "9pm-6am"}, "QUIET_HOURS must look like 21:00-06:00"),
        ({"CRISIS_LINES": ";;"}, 'e.g. CRISIS_LINES="119 ext. 8 (SEJIWA);healing119.id"'),
        ({"TELEGRAM_API_URL": "api.telegram.org"}, "TELEGRAM_API_URL must be a URL starting"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must start with sqlite:///"),
    ],
)
def test_a_bad_value_says_what_to_write(env: dict[str, str], what_to_write: str) -> None:
    with pytest.raises(ConfigError) as error:
        Settings.from_env(env)
    assert what_to_write in str(error.value)


def test_a_bad_env_file_line_stops_the_start_with_its_line_number(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=9000\nTELEGRAM BOT TOKEN=1\n")
    with pytest.raises(ConfigError, match=r"\.env:2: expected KEY=VALUE"):
        Settings.from_env(env_file=env_file)


def test_whatsapp_needs_all_four_of_its_secrets() -> None:
    with pytest.raises(ConfigError, match="WHATSAPP_APP_SECRET is missing"):
        Settings.from_env({"WHATSAPP_TOKEN": "t", "WHATSAPP_PHONE_NUMBER_ID": "1"})
    settings = Settings.from_env(
        {
            "WHATSAPP_TOKEN": "t",
            "WHATSAPP_PHONE_NUMBER_ID": "1",
            "WHATSAPP_APP_SECRET": "s",
            "WHATSAPP_VERIFY_TOKEN": "v",
        }
    )
    assert settings.whatsapp_enabled
    assert not Settings.from_env({}).whatsapp_enabled
