"""Dates and times in the person's zone and language, via Babel ("Senin, 17 Agustus 2026 pukul 08.30 WIB")."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
ZONES = {abbr: tz for tz, abbr in ZONE_NAMES.items()}

_PATTERNS = {
    "id": ("EEEE, d MMMM y 'pukul' HH.mm", "HH.mm"),
    "en": ("EEEE, d MMMM y 'at' HH:mm", "HH:mm"),
}


def zone_abbr(timezone: str) -> str:
    """WIB/WITA/WIT for Indonesia's zones, the IANA name otherwise."""
    return ZONE_NAMES.get(timezone, timezone)


def format_when(moment: datetime, timezone: str, language: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    pattern = _PATTERNS.get(language, _PATTERNS["id"])[0]
    return f"{format_datetime(local, pattern, locale=language)} {zone_abbr(timezone)}"


def format_clock(moment: datetime, timezone: str, language: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    pattern = _PATTERNS.get(language, _PATTERNS["id"])[1]
    return f"{format_datetime(local, pattern, locale=language)} {zone_abbr(timezone)}"
