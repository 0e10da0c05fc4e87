"""Phone numbers as people type them ("0812 3456 7890", "62812...", "+62 812-...") to E.164."""

from __future__ import annotations

import re

import phonenumbers

_ALLOWED = re.compile(r"^[\d\s()+.\-/]{6,24}$")


def normalise_phone(text: str, region: str = "ID") -> str | None:
    """The number in E.164 (+6281234567890), or None if it is not a valid number."""
    candidate = text.strip()
    if not _ALLOWED.match(candidate):
        return None
    digits = re.sub(r"\D", "", candidate)
    if candidate.startswith("62") or (
        not candidate.startswith(("+", "0")) and digits.startswith("62")
    ):
        candidate = "+" + digits
    try:
        number = phonenumbers.parse(candidate, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """+6281234567890 -> +62 812-3456-7890 (international format, readable)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
