"""Claiming a staff invite: the person confirms their name (or gives it), then this chat becomes
a staff member's chat, with the organisation and role the invite was made for."""

from __future__ import annotations

import logging

from handlers.flow import END, WAIT, Step, Turn
from handlers.i18n import _
from handlers.staff.audit import AuditAction, audit_turn
from handlers.staff.claiming import wrong_code_text
from handlers.staff.codes import on_claim
from handlers.staff.menu import role_name, show_staff_menu
from handlers.staff.scope import StaffView
from handlers.text import clean_line, esc
from handlers.types import Button, Incoming, Kind
from handlers.understanding.choices import NO_WORDS, YES_WORDS, normalise, normalised_set
from storage.models import Invite, InviteKind, Organisation, Staff, StaffRole
from storage.staff.invites import usable_invite_by_id

log = logging.getLogger(__name__)

INVITE_KEY = "invite"  # conversation data: the invite this chat is claiming
NAME_MAX = 100
_YES = normalised_set(YES_WORDS)
_NO = normalised_set(NO_WORDS)


async def claim_staff(turn: Turn, invite: Invite) -> None:
    """The code is good: ask the name, bind only once it is confirmed."""
    from handlers.states import enter  # the states table holds these steps

    turn.remember(**{INVITE_KEY: invite.id})
    await enter(turn, "claim.confirm" if invite.name else "claim.name")


async def _invite(turn: Turn) -> Invite | None:
    invite_id = turn.data.get(INVITE_KEY)
    if not isinstance(invite_id, int) or turn.participant is not None:
        return None
    invite = await usable_invite_by_id(turn.tx, invite_id, turn.now)
    return invite if invite is not None and invite.kind == InviteKind.STAFF else None


async def _organisation_name(turn: Turn, invite: Invite) -> str:
    organisation = await turn.tx.get(Organisation, invite.organisation_id)
    return organisation.name if organisation is not None else ""


async def ask_confirm(turn: Turn) -> None:
    invite = await _invite(turn)
    if invite is None:
        turn.say(wrong_code_text())
        return
    turn.say(
        _("Welcome! This code makes you {role} at {organisation}.").format(
            role=role_name(invite.role or StaffRole.CASEWORKER),
            organisation=esc(await _organisation_name(turn, invite)),
        )
        + "\n\n"
        + _("Are you <b>{name}</b>?").format(name=esc(invite.name or "")),
        (Button(_("Yes"), "claim:yes"), Button(_("No"), "claim:no")),
    )


async def answer_confirm(turn: Turn, incoming: Incoming) -> str | None:
    if incoming.kind == Kind.BUTTON:
        said = (incoming.payload or "").partition(":")[2]
    else:
        text = normalise(incoming.text)
        said = "yes" if text in _YES else "no" if text in _NO else ""
    if said == "no":
        turn.say(
            _(
                "Then this code is meant for someone else. Please ask the person who invited "
                "you for your own code."
            )
        )
        return END
    if said != "yes":
        return None
    invite = await _invite(turn)
    if invite is None:
        turn.say(wrong_code_text())
        return END
    await bind(turn, invite, invite.name or "")
    return END


async def ask_name(turn: Turn) -> None:
    invite = await _invite(turn)
    if invite is None:
        turn.say(wrong_code_text())
        return
    turn.say(
        _("Welcome! This code makes you {role} at {organisation}.").format(
            role=role_name(invite.role or StaffRole.CASEWORKER),
            organisation=esc(await _organisation_name(turn, invite)),
        )
        + "\n\n"
        + _("What is your full name?")
    )


async def answer_name(turn: Turn, incoming: Incoming) -> str | None:
    name = clean_line(incoming.text)[:NAME_MAX]
    if len(name) < 2:
        turn.say(_("Please type your full name."))
        return WAIT
    invite = await _invite(turn)
    if invite is None:
        turn.say(wrong_code_text())
        return END
    await bind(turn, invite, name)
    return END


async def bind(turn: Turn, invite: Invite, name: str) -> None:
    """This chat becomes the new staff member's; the invite is used up."""
    organisation = await turn.tx.get(Organisation, invite.organisation_id)
    staff = Staff(
        organisation_id=invite.organisation_id,
        role=invite.role or StaffRole.CASEWORKER,
        name=name,
        language=turn.language,
        timezone=organisation.timezone if organisation is not None else "Asia/Jakarta",
        invited_by=invite.created_by,
    )
    turn.tx.add(staff)
    await turn.tx.flush()
    invite.used_at = turn.now
    invite.staff_id = staff.id
    turn.address.staff_id = staff.id
    turn.forget(INVITE_KEY)
    view = StaffView(staff.id, staff.organisation_id, staff.role, staff.name, staff.language)
    await audit_turn(
        turn,
        view,
        AuditAction.CLAIM,
        detail=f"invite={invite.id}",
    )
    log.info("invite %s claimed: staff %s on address %s", invite.id, staff.id, turn.address.id)
    greeting = _(
        "Welcome to the team, {name}! 🎉 This chat is now your staff chat ({role}, {organisation})."
    ).format(
        name=esc(name),
        role=role_name(staff.role),
        organisation=esc(organisation.name if organisation is not None else ""),
    )
    show_staff_menu(
        turn, view, greeting + "\n\n" + _("What would you like to do?"), set_commands=True
    )


CLAIM: dict[str, Step] = {
    "claim.confirm": Step(ask_confirm, answer_confirm),
    "claim.name": Step(ask_name, answer_name, accepts=frozenset({Kind.TEXT})),
}

on_claim(InviteKind.STAFF, claim_staff)
