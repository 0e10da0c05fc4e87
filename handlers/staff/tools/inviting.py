"""/undang (admins): invite a new staff member from the chat: their role, their name, then the
code and the links to hand over (audited)."""

from __future__ import annotations

import logging

from handlers.flow import END, WAIT, Turn
from handlers.i18n import N_, _
from handlers.staff.commands import staff_button, staff_command, staff_payload, staff_step
from handlers.staff.invites import create_staff_invite
from handlers.staff.links import invite_links
from handlers.staff.menu import role_name, show_staff_menu
from handlers.staff.scope import StaffView
from handlers.text import clean_line, esc
from handlers.types import Button, Incoming, Kind
from storage.models import StaffRole

log = logging.getLogger(__name__)

ROLE_KEY = "invite_role"
NAME_MAX = 100


async def start_invite(turn: Turn, staff: StaffView, _args: str) -> None:
    from handlers.staff.chat import enter_staff

    await enter_staff(turn, staff, "staff.invite_role")


async def ask_role(turn: Turn, _staff: StaffView) -> None:
    turn.say(
        _("Let's invite a new staff member. What will their role be?"),
        (
            Button(_("Caseworker"), staff_payload("invite_role", StaffRole.CASEWORKER)),
            Button(_("Admin"), staff_payload("invite_role", StaffRole.ADMIN)),
            Button(_("Cancel"), staff_payload("cmd", "menu")),
        ),
    )


async def answer_role(turn: Turn, _staff: StaffView, incoming: Incoming) -> str | None:
    text = clean_line(incoming.text).casefold()
    if text in ("pendamping", "caseworker", "1"):
        turn.remember(**{ROLE_KEY: StaffRole.CASEWORKER})
        return "staff.invite_name"
    if text in ("admin", "2"):
        turn.remember(**{ROLE_KEY: StaffRole.ADMIN})
        return "staff.invite_name"
    return None


async def role_pressed(turn: Turn, staff: StaffView, role: str) -> None:
    from handlers.staff.chat import enter_staff

    if (
        not staff.is_admin
        or turn.conversation.step != "staff.invite_role"
        or role
        not in (
            StaffRole.CASEWORKER,
            StaffRole.ADMIN,
        )
    ):
        turn.say(_("That button is no longer valid."))
        show_staff_menu(turn, staff)
        return
    turn.remember(**{ROLE_KEY: role})
    await enter_staff(turn, staff, "staff.invite_name")


async def ask_name(turn: Turn, _staff: StaffView) -> None:
    turn.say(_("What is their full name? (They will be asked to confirm it.)"))


async def answer_name(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    name = clean_line(incoming.text)[:NAME_MAX]
    role = turn.data.get(ROLE_KEY)
    if not staff.is_admin:
        return END
    if incoming.kind != Kind.TEXT or len(name) < 2:
        turn.say(_("Please type their full name."))
        return WAIT
    if role not in (StaffRole.CASEWORKER, StaffRole.ADMIN):
        return "staff.invite_role"
    hours = turn.settings.invite_hours
    code = await create_staff_invite(
        turn.tx,
        organisation_id=staff.organisation_id,
        role=str(role),
        name=name,
        created_by=staff,
        now=turn.now,
        hours=hours,
        channel=turn.incoming.channel,
    )  # audited there (INVITE)
    log.info("invite made by staff %s", staff.staff_id)
    found = invite_links(code, turn.settings)
    links = [link for link in (found.telegram, found.whatsapp) if link]
    text = _(
        "Done! Invite for <b>{name}</b> ({role}). Their code: <b>{code}</b>\n\n"
        "It works once, for {hours} hours. Send them one of these links, or the code:"
    ).format(name=esc(name), role=role_name(str(role)), code=code, hours=hours)
    turn.say(text + ("\n\n" + "\n".join(links) if links else ""))
    return END


staff_command(
    "undang",
    start_invite,
    N_("Invite a new staff member"),
    admin_only=True,
    title=N_("Invite staff"),
)
staff_button("invite_role", role_pressed)
staff_step("invite_role", ask_role, answer_role)
staff_step("invite_name", ask_name, answer_name)
