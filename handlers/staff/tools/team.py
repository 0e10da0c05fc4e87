"""/staf (admins): their organisation's staff, and revoking one (confirmed, audited)."""

from __future__ import annotations

import logging

from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.staff.audit import AuditAction, audit_turn
from handlers.staff.commands import staff_button, staff_command, staff_payload
from handlers.staff.menu import role_name, show_staff_menu
from handlers.staff.scope import MAX_ID_DIGITS, StaffView
from handlers.text import esc, fit
from handlers.types import Button
from storage.models import Staff, StaffStatus
from storage.staff.accounts import staff_of_organisation
from storage.staff.chat import member_of

log = logging.getLogger(__name__)

REVOKE_BUTTONS = 9  # with "Menu", a WhatsApp list's 10 rows


def _status(member: Staff) -> str:
    return _("active") if member.status == StaffStatus.ACTIVE else _("access ended")


async def team(turn: Turn, staff: StaffView, args: str) -> None:
    if args.strip():
        await ask_revoke(turn, staff, args.strip())
        return
    members = await staff_of_organisation(turn.tx, staff.organisation_id)
    lines = [
        f"#{m.id} {esc(m.name)} · {role_name(m.role)} · {_status(m)}"
        + (" · " + _("you") if m.id == staff.staff_id else "")
        for m in members
    ]
    revocable = [m for m in members if m.status == StaffStatus.ACTIVE and m.id != staff.staff_id]
    buttons = tuple(
        Button(fit(_("End {name}").format(name=m.name)), staff_payload("revoke", m.id))
        for m in revocable[:REVOKE_BUTTONS]
    )
    text = _("Staff of your organisation:") + "\n\n" + "\n".join(lines)
    if revocable:
        text += "\n\n" + _(
            "To end someone's staff access, press their name (or type /staf and their number)."
        )
    turn.say(text, (*buttons, Button(_("Menu"), staff_payload("cmd", "menu"))))


async def _revocable(turn: Turn, staff: StaffView, argument: str) -> Staff | None:
    """The member named by an id typed or in a payload: only an active member of the admin's own
    organisation, never the admin themselves."""
    text = argument.strip().lstrip("#")
    if not staff.is_admin or not text.isdigit() or len(text) > MAX_ID_DIGITS:
        return None
    member = await member_of(turn.tx, staff.organisation_id, int(text))
    if member is None or member.status != StaffStatus.ACTIVE or member.id == staff.staff_id:
        return None
    return member


def _no_such_member(turn: Turn, staff: StaffView) -> None:
    turn.say(_("There is no active staff member with that number in your organisation."))
    show_staff_menu(turn, staff)


async def ask_revoke(turn: Turn, staff: StaffView, argument: str) -> None:
    member = await _revocable(turn, staff, argument)
    if member is None:
        _no_such_member(turn, staff)
        return
    turn.say(
        _(
            "End the staff access of <b>{name}</b> ({role})? They will not be able to use staff commands any more."
        ).format(name=esc(member.name), role=role_name(member.role)),
        (
            Button(_("Yes, end it"), staff_payload("revoke_yes", member.id)),
            Button(_("Cancel"), staff_payload("cmd", "menu")),
        ),
    )


async def revoke(turn: Turn, staff: StaffView, argument: str) -> None:
    member = await _revocable(turn, staff, argument)
    if member is None:
        _no_such_member(turn, staff)
        return
    member.status = StaffStatus.REVOKED
    member.revoked_at = turn.now
    await audit_turn(
        turn,
        staff,
        AuditAction.REVOKE,
        detail=f"staff={member.id}",
    )
    log.info("staff %s revoked by staff %s", member.id, staff.staff_id)
    show_staff_menu(
        turn,
        staff,
        _("Done: {name} no longer has staff access.").format(name=esc(member.name)),
    )


staff_command(
    "staf",
    team,
    N_("Staff of my organisation"),
    admin_only=True,
    title=N_("Staff"),
)
staff_button("revoke", ask_revoke)
staff_button("revoke_yes", revoke)
