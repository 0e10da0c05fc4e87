"""The deployment's settings: environment variables, then the `.env` file, then defaults.

Reading is starlette's `Config` (real environment variables win over the `.env` file); each
variable is one line in `Settings`: its name, its default as one would write it in `.env`, and
the function that checks it. A bad value stops the bot with a message that names the variable and
says what to write.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar, overload

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from starlette.config import Config

from bot.config_checks import (
    Unfit,
    api_url,
    digits,
    file_path,
    help_lines,
    https_url,
    one_of,
    phone_digits,
    positive_number,
    quiet_hours,
    text,
    time_zone,
    webhook_secret,
    whole_number,
    yes_no,
)

LANGUAGES = ("id", "en")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TELEGRAM_PROCESS_MODES = ("auto", "separate", "same")
DATABASE_FILE = "pendamping.db"
OLD_DEFAULT_DATABASE = Path("data") / DATABASE_FILE  # the old default, relative to the cwd

T = TypeVar("T")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable and says what to do."""


@overload
def variable(name: str, default: str, check: Callable[[str], T]) -> T: ...
@overload
def variable(name: str, default: None, check: Callable[[str], T]) -> T | None: ...
def variable(name: str, default: str | None, check: Callable[[str], Any]) -> Any:
    """A setting read from the environment variable `name`. `default` is written as in `.env`
    (None: unset); it is checked too, so a typo in a default fails the first test."""
    value = None if default is None else check(default)
    return field(default=value, metadata={"variable": name, "default": default, "check": check})


@dataclass(frozen=True)
class Settings:
    """Construct it directly in tests (`Settings(database_url=...)`); `from_env()` for real."""

    telegram_bot_token: str | None = variable("TELEGRAM_BOT_TOKEN", None, text)
    telegram_api_url: str = variable("TELEGRAM_API_URL", "https://api.telegram.org", api_url)
    telegram_webhook_url: str | None = variable("TELEGRAM_WEBHOOK_URL", None, https_url)
    telegram_webhook_secret: str | None = variable("TELEGRAM_WEBHOOK_SECRET", None, webhook_secret)
    # DATABASE_URL, PENDAMPING_HOME and XDG_DATA_HOME together: see from_env.
    database_url: str = field(default_factory=lambda: default_database_url(os.environ))
    database_url_set: bool = True  # False: DATABASE_URL was unset and the default place is used
    default_language: str = variable("DEFAULT_LANGUAGE", "id", one_of(LANGUAGES))
    default_timezone: str = variable("DEFAULT_TIMEZONE", "Asia/Jakarta", time_zone)
    program_name: str = variable("PROGRAM_NAME", "", text)
    host: str = variable("HOST", "0.0.0.0", text)
    port: int = variable("PORT", "8080", whole_number(1, 65535, "port"))
    # /healthz fails when a due outbox row has waited longer than this.
    health_max_lag_minutes: int = variable(
        "HEALTH_MAX_LAG_MINUTES", "15", whole_number(1, None, "minutes, 1 or more")
    )
    log_level: str = variable("LOG_LEVEL", "INFO", one_of(LOG_LEVELS, str.upper))
    quiet_hours: str = variable("QUIET_HOURS", "21:00-06:00", quiet_hours)
    reminder_grace_minutes: int = variable(
        "REMINDER_GRACE_MINUTES", "60", whole_number(0, None, "minutes")
    )
    # Broadcasts with Telegram's paid broadcasting (allow_paid_broadcast: beyond 30 messages/s,
    # each message beyond it paid in Stars from the bot's balance), up to the rate below.
    telegram_paid_broadcast: bool = variable("TELEGRAM_PAID_BROADCAST", "false", yes_no)
    telegram_paid_broadcast_rate: float = variable(
        "TELEGRAM_PAID_BROADCAST_RATE", "1000", positive_number
    )
    telegram_process: str = variable(
        "TELEGRAM_PROCESS", "auto", one_of(TELEGRAM_PROCESS_MODES, str.lower)
    )
    # Engine processes (bot/engines/): each person's messages always go to the same one.
    engines: int = variable("ENGINES", "1", whole_number(1, 64, "engines"))
    whatsapp_token: str | None = variable("WHATSAPP_TOKEN", None, text)
    whatsapp_phone_number_id: str | None = variable("WHATSAPP_PHONE_NUMBER_ID", None, digits)
    whatsapp_app_secret: str | None = variable("WHATSAPP_APP_SECRET", None, text)
    whatsapp_verify_token: str | None = variable("WHATSAPP_VERIFY_TOKEN", None, text)
    whatsapp_api_url: str = variable(
        "WHATSAPP_API_URL", "https://graph.facebook.com/v23.0", api_url
    )
    whatsapp_messages_per_second: float = variable(
        "WHATSAPP_MESSAGES_PER_SECOND", "80", positive_number
    )
    # None: the catalogue shipped with the bot (bot/channels/whatsapp/templates.toml).
    whatsapp_templates: str | None = variable("WHATSAPP_TEMPLATES", None, file_path)
    # The business number for wa.me links (staff invites, pre-release codes); digits with country code.
    whatsapp_business_number: str | None = variable("WHATSAPP_BUSINESS_NUMBER", None, phone_digits)
    invite_hours: int = variable("INVITE_HOURS", "72", whole_number(1, 24 * 90, "hours"))
    emergency_number: str = variable("EMERGENCY_NUMBER", "112", text)
    crisis_lines: tuple[str, ...] = variable(
        "CRISIS_LINES", "119 ext. 8 (SEJIWA);healing119.id", help_lines
    )
    # Where check-ins' voice notes and photos from WhatsApp are kept (bot/media.py); None: a
    # "media" folder next to the SQLite database, or ./media with PostgreSQL.
    media_dir: str | None = variable("MEDIA_DIR", None, text)

    @property
    def media_folder(self) -> Path:
        """MEDIA_DIR, else "media" next to the SQLite database file, else ./media."""
        if self.media_dir:
            return Path(self.media_dir).expanduser().absolute()
        parsed = make_url(self.database_url)
        database = parsed.database
        if parsed.get_backend_name() == "sqlite" and database and database != ":memory:":
            return Path(database).absolute().parent / "media"
        return Path("media").absolute()

    @property
    def whatsapp_enabled(self) -> bool:
        return self.whatsapp_token is not None and self.whatsapp_phone_number_id is not None

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
        """Read settings; real environment variables win over the `.env` file (read only when
        `environ` is not given). A blank variable counts as unset."""
        if environ is None:
            path = env_file if env_file is not None else Path(".env")
            config = EnvConfig(path if path.is_file() else None, environ=os.environ)
        else:
            config = EnvConfig(environ=environ)
        values = {f.name: _read(config, f) for f in fields(cls) if "variable" in f.metadata}
        if values["telegram_webhook_url"] is not None and values["telegram_webhook_secret"] is None:
            raise ConfigError(
                "TELEGRAM_WEBHOOK_SECRET is missing: set it (1-256 characters A-Z a-z 0-9 _ -) "
                "whenever TELEGRAM_WEBHOOK_URL is set, so that only Telegram can post updates."
            )
        _check_whatsapp(values)
        database_url = _given(config, "DATABASE_URL")
        places = {
            name: _given(config, name) or ""
            for name in ("PENDAMPING_HOME", "XDG_DATA_HOME", "HOME")
        }
        url = normalise_database_url(database_url or default_database_url(places))
        if values["engines"] > 1 and not url.startswith("postgresql"):
            raise ConfigError(
                f"ENGINES={values['engines']} needs a PostgreSQL DATABASE_URL (SQLite has one "
                "writer at a time): set DATABASE_URL=postgresql://..., or ENGINES=1."
            )
        return cls(**values, database_url=url, database_url_set=database_url is not None)


class EnvConfig(Config):
    """starlette's Config with our `.env` reader: `export ` prefixes, and a bad line is an
    error with its line number instead of being skipped."""

    def _read_file(self, file_name: str | Path, encoding: str) -> dict[str, str]:
        return read_env_file(Path(file_name))


WHATSAPP_VARIABLES = (
    ("whatsapp_token", "WHATSAPP_TOKEN", "the access token of a system user of your Meta app"),
    ("whatsapp_phone_number_id", "WHATSAPP_PHONE_NUMBER_ID", "the id of the business number"),
    ("whatsapp_app_secret", "WHATSAPP_APP_SECRET", "the app secret that signs webhook posts"),
    ("whatsapp_verify_token", "WHATSAPP_VERIFY_TOKEN", "any secret word, also given to Meta"),
)


def _check_whatsapp(values: dict[str, Any]) -> None:
    """WhatsApp needs all four of its secrets or none (a half-configured channel would accept
    forged webhooks, or take messages it cannot answer)."""
    given = [name for key, name, _why in WHATSAPP_VARIABLES if values[key] is not None]
    if not given or len(given) == len(WHATSAPP_VARIABLES):
        return
    missing = [(name, why) for key, name, why in WHATSAPP_VARIABLES if values[key] is None]
    name, why = missing[0]
    raise ConfigError(
        f"{name} is missing: WhatsApp needs {', '.join(n for _k, n, _w in WHATSAPP_VARIABLES)} "
        f"together ({', '.join(given)} {'is' if len(given) == 1 else 'are'} set). "
        f"Set {name} to {why}, or unset the others to run without WhatsApp."
    )


def _given(config: Config, name: str) -> str | None:
    value = config(name, default=None)
    return value if value is not None and value.strip() else None


def _read(config: Config, setting: Field[Any]) -> Any:
    name = setting.metadata["variable"]
    given = _given(config, name)
    if given is None:
        return setting.default
    try:
        return config(name, cast=setting.metadata["check"])
    except Unfit as complaint:
        raise ConfigError(f"{name} {complaint}") from None


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
