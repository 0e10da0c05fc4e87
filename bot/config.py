"""Settings read from the environment (and an optional `.env` file), with errors naming the variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from handlers.reminders.rules import QuietHours

LANGUAGES = ("id", "en")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TELEGRAM_PROCESS_MODES = ("auto", "separate", "same")
DATABASE_FILE = "pendamping.db"
OLD_DEFAULT_DATABASE = Path("data") / DATABASE_FILE  # the old default, relative to the cwd


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable and says what to do."""


@dataclass(frozen=True)
class Settings:
    telegram_bot_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    database_url: str = field(default_factory=lambda: default_database_url(os.environ))
    database_url_set: bool = True  # False: DATABASE_URL was unset and the default place is used
    default_language: str = "id"
    default_timezone: str = "Asia/Jakarta"
    program_name: str = ""
    host: str = "0.0.0.0"
    port: int = 8080
    health_max_lag_minutes: int = 15  # /healthz fails when a due outbox row waits longer
    log_level: str = "INFO"
    quiet_hours: str = "21:00-06:00"
    reminder_grace_minutes: int = 60
    telegram_process: str = "auto"
    emergency_number: str = "112"
    crisis_lines: tuple[str, ...] = ("119 ext. 8 (SEJIWA)", "healing119.id")

    @property
    def webhook_mode(self) -> bool:
        return self.telegram_webhook_url is not None

    @property
    def telegram_separate_process(self) -> bool:
        """Run python-telegram-bot in its own process? `auto`: when there is a second core."""
        if self.telegram_process == "auto":
            return usable_cores() >= 2
        return self.telegram_process == "separate"

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = None
    ) -> Settings:
        """Read settings; real environment variables win over the `.env` file."""
        values: dict[str, str] = {}
        path = env_file if env_file is not None else Path(".env")
        if environ is None:
            if path.is_file():
                values.update(read_env_file(path))
            values.update(os.environ)
        else:
            values.update(environ)
        return cls._parse({k: v for k, v in values.items() if v.strip() != ""})

    @classmethod
    def _parse(cls, env: Mapping[str, str]) -> Settings:
        webhook_url = env.get("TELEGRAM_WEBHOOK_URL")
        webhook_secret = env.get("TELEGRAM_WEBHOOK_SECRET")
        if webhook_url is not None:
            if not webhook_url.startswith("https://"):
                raise ConfigError(
                    "TELEGRAM_WEBHOOK_URL must be a public https:// URL (Telegram only calls HTTPS); "
                    "unset it to use polling."
                )
            if webhook_secret is None:
                raise ConfigError(
                    "TELEGRAM_WEBHOOK_SECRET is missing: set it (1-256 characters A-Z a-z 0-9 _ -) "
                    "whenever TELEGRAM_WEBHOOK_URL is set, so that only Telegram can post updates."
                )
        if webhook_secret is not None and not _valid_secret(webhook_secret):
            raise ConfigError(
                "TELEGRAM_WEBHOOK_SECRET may only hold 1-256 characters A-Z, a-z, 0-9, _ and -."
            )
        log_level = env.get("LOG_LEVEL", "INFO").upper()
        if log_level not in LOG_LEVELS:
            raise ConfigError(
                f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {log_level!r}."
            )
        language = env.get("DEFAULT_LANGUAGE", "id")
        if language not in LANGUAGES:
            raise ConfigError(
                f"DEFAULT_LANGUAGE must be one of {', '.join(LANGUAGES)}, not {language!r}."
            )
        timezone = env.get("DEFAULT_TIMEZONE", "Asia/Jakarta")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"DEFAULT_TIMEZONE {timezone!r} is not a time zone name; use Asia/Jakarta (WIB), "
                "Asia/Makassar (WITA) or Asia/Jayapura (WIT)."
            ) from None
        port_text = env.get("PORT", "8080")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError(f"PORT must be a number from 1 to 65535, not {port_text!r}.")
        quiet = env.get("QUIET_HOURS", cls.quiet_hours)
        try:
            QuietHours.parse(quiet)
        except ValueError:
            raise ConfigError(
                f"QUIET_HOURS must look like 21:00-06:00 (local time, start-end) or off, not {quiet!r}."
            ) from None
        grace = env.get("REMINDER_GRACE_MINUTES", "60")
        if not grace.isdigit():
            raise ConfigError(
                f"REMINDER_GRACE_MINUTES must be a whole number of minutes, not {grace!r}."
            )
        max_lag = env.get("HEALTH_MAX_LAG_MINUTES", str(cls.health_max_lag_minutes))
        if not max_lag.isdigit() or int(max_lag) < 1:
            raise ConfigError(
                f"HEALTH_MAX_LAG_MINUTES must be a whole number of minutes, 1 or more, not {max_lag!r}."
            )
        telegram_process = env.get("TELEGRAM_PROCESS", "auto").lower()
        if telegram_process not in TELEGRAM_PROCESS_MODES:
            raise ConfigError(
                f"TELEGRAM_PROCESS must be one of {', '.join(TELEGRAM_PROCESS_MODES)}, "
                f"not {telegram_process!r}."
            )
        return cls(
            telegram_process=telegram_process,
            quiet_hours=quiet,
            reminder_grace_minutes=int(grace),
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN"),
            telegram_api_url=env.get("TELEGRAM_API_URL", cls.telegram_api_url).rstrip("/"),
            telegram_webhook_url=webhook_url,
            telegram_webhook_secret=webhook_secret,
            database_url=normalise_database_url(
                env.get("DATABASE_URL") or default_database_url(env)
            ),
            database_url_set="DATABASE_URL" in env,
            default_language=language,
            default_timezone=timezone,
            program_name=env.get("PROGRAM_NAME", ""),
            host=env.get("HOST", cls.host),
            port=int(port_text),
            health_max_lag_minutes=int(max_lag),
            log_level=log_level,
            emergency_number=env.get("EMERGENCY_NUMBER", cls.emergency_number).strip()
            or cls.emergency_number,
            crisis_lines=_crisis_lines(env.get("CRISIS_LINES")),
        )


def _crisis_lines(value: str | None) -> tuple[str, ...]:
    if value is None:
        return Settings.crisis_lines
    lines = tuple(line.strip() for line in value.split(";") if line.strip())
    if not lines or any(len(line) > 80 for line in lines):
        raise ConfigError(
            "CRISIS_LINES must list one or more help lines separated by ';', each at most 80 "
            'characters, e.g. CRISIS_LINES="119 ext. 8 (SEJIWA);healing119.id".'
        )
    return lines


def usable_cores() -> int:
    """The cores this process may run on (a container's CPU limit shows here, not in cpu_count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def data_home(env: Mapping[str, str]) -> Path:
    """The folder for the SQLite database when DATABASE_URL is unset, whatever the working
    directory: $PENDAMPING_HOME, else $XDG_DATA_HOME/pendamping, else ~/.local/share/pendamping."""
    if home := env.get("PENDAMPING_HOME", "").strip():
        return Path(home).expanduser().absolute()
    xdg = env.get("XDG_DATA_HOME", "").strip()
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore relative paths
        return Path(xdg) / "pendamping"
    user_home = env.get("HOME", "").strip()
    return (Path(user_home) if user_home else Path.home()) / ".local" / "share" / "pendamping"


def default_database_url(env: Mapping[str, str]) -> str:
    return f"sqlite+aiosqlite:///{data_home(env) / DATABASE_FILE}"


def database_location(url: str) -> str:
    """Where the data is, for people: a file's absolute path, or PostgreSQL's server and database
    (never the user name or password)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "(an unreadable DATABASE_URL)"
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            return "an in-memory SQLite database (gone when the bot stops)"
        path = Path(parsed.database)
        if path.is_absolute():
            return str(path)
        return f"{path.absolute()} (DATABASE_URL gives a path relative to the working directory)"
    server = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    return f"PostgreSQL database {parsed.database or '(default)'!r} on {server}"


def stranded_database(settings: Settings, cwd: Path) -> Path | None:
    """A database at the old default place (./data/pendamping.db) that the new default would
    silently replace with an empty one: DATABASE_URL unset, nothing at the new place yet."""
    if settings.database_url_set:
        return None
    new = Path(make_url(settings.database_url).database or "")
    old = (cwd / OLD_DEFAULT_DATABASE).absolute()
    if new.is_file() or not old.is_file() or new.absolute() == old:
        return None
    return old


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (`postgres://`, `sqlite:///`) and pick the async driver."""
    for prefix, driver in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(prefix):
            return driver + url[len(prefix) :]
    if url.startswith(("postgresql+asyncpg://", "sqlite+aiosqlite://")):
        return url
    raise ConfigError(
        "DATABASE_URL must start with sqlite:/// (a file) or postgresql:// "
        f"(e.g. postgresql://user:password@host/dbname); got {url.split(':', 1)[0]!r}."
    )


def read_env_file(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines; `#` comments, `export ` prefixes and quotes are allowed."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE, got {raw!r}.")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _valid_secret(secret: str) -> bool:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    return 1 <= len(secret) <= 256 and set(secret) <= allowed
