"""The staff menu: a list of what a staff member can do (WhatsApp's "menu" list, buttons on
Telegram), and the same commands in Telegram's command menu for this chat only."""

from __future__ import annotations

from dataclasses import replace

from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.staff.commands import STAFF_COMMANDS, Registered, staff_button, staff_payload
from handlers.staff.discovery import discover
from handlers.staff.scope import StaffView
from handlers.text import esc, fit
from handlers.types import Button

MENU_ROWS = 10  # WhatsApp's list holds at most 10 rows
STAFF_MENU_KEY = "staff"  # conversation data: this chat was given the staff menu (kept)

ROLE_NAMES = {"caseworker": N_("Caseworker"), "admin": N_("Admin")}


def role_name(role: str) -> str:
    return _(ROLE_NAMES.get(role, role))


# The menu's order: a caseworker's daily tools first, then an admin's; a command not listed
# comes after these, by name (whatever order the modules were imported in).
ORDER = (
    "peserta",
    "ringkasan",
    "sesi",
    "jadwalulang",
    "catatan",
    "pesan",
    "jadwalkan",
    "alihkan",
    "rujuk",
    "gantinomor",
    "ekspor",
    "laporan",
    "siaran",
    "impor",
    "undang",
    "staf",
    "mitra",
    "audit",
)


def commands_for(staff: StaffView) -> list[Registered]:
    discover()
    allowed = [c for c in STAFF_COMMANDS.values() if staff.is_admin or not c.admin_only]
    return sorted(
        allowed, key=lambda c: (ORDER.index(c.name) if c.name in ORDER else len(ORDER), c.name)
    )


def chat_commands(staff: StaffView) -> tuple[tuple[str, str], ...]:
    """Telegram's command menu for this staff member's chat, in their language."""
    return (
        ("menu", _("Staff menu")),
        *((c.name, _(c.description)) for c in commands_for(staff)),
        ("bantuan", _("Help")),
    )


def menu_buttons(staff: StaffView, page: int = 0) -> tuple[Button, ...]:
    """One page of the menu: all of it when it fits a WhatsApp list, else pages of 9 rows and a
    "More" row (the last page's leads back to the first)."""
    buttons = [
        Button(fit(_(c.title) if c.title else "/" + c.name), staff_payload("cmd", c.name))
        for c in commands_for(staff)
        if c.in_menu
    ]
    if len(buttons) <= MENU_ROWS:
        return tuple(buttons)
    per_page = MENU_ROWS - 1
    pages = (len(buttons) + per_page - 1) // per_page
    page = page if 0 <= page < pages else 0
    following = (page + 1) % pages
    more = Button(
        _("More") if following else _("Back to the start"), staff_payload("more", following)
    )
    return (*buttons[page * per_page : (page + 1) * per_page], more)


def show_staff_menu(
    turn: Turn,
    staff: StaffView,
    text: str | None = None,
    *,
    set_commands: bool = False,
    page: int = 0,
) -> None:
    """The staff menu; with `set_commands` (on joining, on /start and /menu) this chat's
    command menu is set to the staff commands too (Telegram keeps it: no need every time)."""
    buttons = menu_buttons(staff, page)
    if text is None:
        text = _("{name}, what would you like to do?").format(name=esc(staff.name))
    turn.say(text, buttons)
    if set_commands:
        turn.replies[-1] = replace(turn.replies[-1], chat_commands=chat_commands(staff))
        turn.remember(**{STAFF_MENU_KEY: True})


def staff_help(turn: Turn, staff: StaffView) -> None:
    lines = "\n".join(f"/{c.name} - {esc(_(c.description))}" for c in commands_for(staff))
    turn.say(
        _("You are staff in this chat. What you can type:")
        + "\n\n"
        + lines
        + "\n\n"
        + _("MENU shows the staff menu, BATAL stops what you are doing.")
    )


async def more(turn: Turn, staff: StaffView, argument: str) -> None:
    page = int(argument) if argument.isdigit() and len(argument) < 3 else 0
    show_staff_menu(turn, staff, page=page)


staff_button("more", more)
