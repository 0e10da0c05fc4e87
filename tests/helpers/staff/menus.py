"""The staff menus as a caseworker and an admin should see them, in their order (handlers/staff/
menu.py ORDER): one place for every test that checks a menu."""

from __future__ import annotations

CASEWORKER = ("peserta", "catatan", "alihkan", "rujuk", "gantinomor")
ADMIN = (*CASEWORKER, "undang", "staf", "mitra", "audit")
ROWS = 10  # a WhatsApp list


def first_page(commands: tuple[str, ...]) -> list[str]:
    """The payloads of the menu's buttons: all commands when they fit one list, else the first 9
    and "More"."""
    payloads = [f"staff:cmd:{name}" for name in commands]
    if len(payloads) <= ROWS:
        return payloads
    return [*payloads[: ROWS - 1], "staff:more:1"]


def chat_commands(commands: tuple[str, ...]) -> list[str]:
    """Telegram's command menu for a staff chat: all of them, between "menu" and "bantuan"."""
    return ["menu", *commands, "bantuan"]
