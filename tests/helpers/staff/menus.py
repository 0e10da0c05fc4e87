"""The staff menus as a caseworker and an admin should see them, in their order (handlers/staff/
menu.py ORDER): one place for every test that checks a menu. Commands about one participant
(a note, a message, an appointment, another caseworker) are typed or pressed on the card: they
are in Telegram's command menu but not in the menu list."""

from __future__ import annotations

CASEWORKER_COMMANDS = (
    "peserta", "ringkasan", "sesi", "jadwalulang", "catatan", "pesan", "jadwalkan", "alihkan",
    "rujuk", "gantinomor", "ekspor",
)  # fmt: skip
ADMIN_COMMANDS = (
    *CASEWORKER_COMMANDS, "laporan", "siaran", "impor", "undang", "staf", "mitra", "audit",
)  # fmt: skip
ON_THE_CARD = frozenset({"catatan", "pesan", "jadwalkan", "alihkan"})
CASEWORKER = tuple(c for c in CASEWORKER_COMMANDS if c not in ON_THE_CARD)
ADMIN = tuple(c for c in ADMIN_COMMANDS if c not in ON_THE_CARD)
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
