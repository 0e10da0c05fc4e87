"""The checks of the settings' values: each turns the text of a (non-blank) environment variable
into its value, or raises Unfit with what to write (bot/config.py names the variable)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from handlers.reminders.rules import QuietHours


class Unfit(Exception):
    """A check's complaint, finished by the variable's name: "must be a number from 1 to 65535".
    Not a ValueError, so that starlette passes it on instead of writing its own message."""


# The checks: each turns the text of a (non-blank) variable into its value, or raises Unfit.


def text(value: str) -> str:
    return value.strip()


def one_of(choices: tuple[str, ...], case: Callable[[str], str] = str) -> Callable[[str], str]:
    def check(value: str) -> str:
        chosen = case(value.strip())
        if chosen not in choices:
            raise Unfit(f"must be one of {', '.join(choices)}, not {chosen!r}.")
        return chosen

    return check


def whole_number(low: int, high: int | None, unit: str) -> Callable[[str], int]:
    def check(value: str) -> int:
        digits = value.strip()
        if not digits.isdigit() or int(digits) < low or (high is not None and int(digits) > high):
            span = f"from {low} to {high}" if high is not None else f"of {unit}"
            raise Unfit(f"must be a whole number {span}, not {value!r}.")
        return int(digits)

    return check


def api_url(value: str) -> str:
    if not value.strip().startswith(("https://", "http://")):
        raise Unfit(f"must be a URL starting with https:// (or http:// for a test), not {value!r}.")
    return value.strip().rstrip("/")


def https_url(value: str) -> str:
    if not value.strip().startswith("https://"):
        raise Unfit(
            "must be a public https:// URL (Telegram only calls HTTPS); unset it to use polling."
        )
    return value.strip()


def webhook_secret(value: str) -> str:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
    if not (1 <= len(value) <= 256 and set(value) <= allowed):
        raise Unfit("may only hold 1-256 characters A-Z, a-z, 0-9, _ and -.")
    return value


def digits(value: str) -> str:
    if not value.strip().isdigit():
        raise Unfit(f"must be the number Meta shows (digits only), not {value!r}.")
    return value.strip()


def phone_digits(value: str) -> str:
    number = "".join(c for c in value if c not in "+ -()")
    if not (number.isdigit() and 8 <= len(number) <= 15):
        raise Unfit(
            f"must be a phone number with its country code, e.g. 6281234567890, not {value!r}."
        )
    return number


def positive_number(value: str) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        number = 0.0
    if not number > 0:
        raise Unfit(f"must be a number above 0, not {value!r}.")
    return number


def yes_no(value: str) -> bool:
    word = value.strip().lower()
    if word in ("true", "yes", "1", "on"):
        return True
    if word in ("false", "no", "0", "off", ""):
        return False
    raise Unfit(f"must be true or false, not {value!r}.")


def file_path(value: str) -> str:
    path = Path(value.strip()).expanduser()
    if not path.is_file():
        raise Unfit(f"must name a file that exists; {str(path)!r} is not one.")
    return str(path.absolute())


def time_zone(value: str) -> str:
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise Unfit(
            "must be a time zone name: Asia/Jakarta (WIB), Asia/Makassar (WITA) or "
            f"Asia/Jayapura (WIT), not {value!r}."
        ) from None
    return value.strip()


def quiet_hours(value: str) -> str:
    try:
        QuietHours.parse(value.strip())
    except ValueError:
        raise Unfit(
            f"must look like 21:00-06:00 (local time, start-end) or off, not {value!r}."
        ) from None
    return value.strip()


def help_lines(value: str) -> tuple[str, ...]:
    lines = tuple(line.strip() for line in value.split(";") if line.strip())
    if not lines or any(len(line) > 80 for line in lines):
        raise Unfit(
            "must list one or more help lines separated by ';', each at most 80 characters, "
            'e.g. CRISIS_LINES="119 ext. 8 (SEJIWA);healing119.id".'
        )
    return lines
