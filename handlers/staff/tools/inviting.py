"""/undang (admins): invite a new staff member from the chat: their role, their name, then the
code and the links to hand over (audited)."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import quote

from handlers.flow import END, WAIT, FlowSettings, Turn
from handlers.i18n import N_, _
from handlers.staff.audit import AuditAction, audit
from handlers.staff.codes import code_hash, new_code
from handlers.staff.commands import staff_button, staff_command, staff_payload, staff_step
from handlers.staff.menu import role_name, show_staff_menu
from handlers.staff.scope import StaffView
from handlers.text import clean_line, esc
from handlers.types import Button, Incoming, Kind
from storage.invites import add_invite
from storage.models import Invite, InviteKind, StaffRole

log = logging.getLogger(__name__)

INVITE_TTL = timedelta(hours=72)
ROLE_KEY = "invite_role"
NAME_MAX = 100


# --- For the integrator: merge with st-cli's handlers/staff/invites.py `create_staff_invite`
# and handlers/staff/links.py `invite_links` (the same invite, made the same way). -------------
async def create_invite_from_chat(
    turn: Turn, staff: StaffView, role: str, name: str
) -> tuple[Invite, str]:
    """A staff invite of the admin's organisation; the code (shown once) and its row."""
    code = new_code()
    invite = await add_invite(
        turn.tx,
        Invite(
            kind=InviteKind.STAFF,
            code_hash=code_hash(code),
            organisation_id=staff.organisation_id,
            role=role,
            name=name or None,
            created_by=staff.staff_id,
            created_at=turn.now,
            expires_at=turn.now + INVITE_TTL,
        ),
    )
    return invite, code


def links_of(code: str, settings: FlowSettings) -> list[str]:
    """The Telegram deep link and the WhatsApp click-to-chat link that carry the code."""
    links = []
    if settings.telegram_username:
        links.append(f"https://t.me/{settings.telegram_username}?start={code}")
    if settings.whatsapp_number:
        links.append(f"https://wa.me/{settings.whatsapp_number}?text={quote('KODE ' + code)}")
    return links


# --- end of the part to merge ---------------------------------------------------------------


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
    invite, code = await create_invite_from_chat(turn, staff, str(role), name)
    await audit(
        turn.tx,
        staff=staff,
        action=AuditAction.INVITE,
        channel=turn.incoming.channel,
        now=turn.now,
        detail=f"invite={invite.id} role={role}",
    )
    log.info("invite %s made by staff %s", invite.id, staff.staff_id)
    links = links_of(code, turn.settings)
    text = _(
        "Done! Invite for <b>{name}</b> ({role}). Their code: <b>{code}</b>\n\n"
        "It works once, for 72 hours. Send them one of these links, or the code:"
    ).format(name=esc(name), role=role_name(str(role)), code=code)
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
