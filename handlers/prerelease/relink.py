"""Re-linking a participant who changed phone or number: a caseworker makes a RELINK code, the
new chat uses it and confirms whose account it is, and takes the participant over. The old chats
are retired; enrolments, answers, flags and the message log stay with the participant."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.flow import END, Step, Turn
from handlers.i18n import _, switch_language
from handlers.menu import show_menu
from handlers.participants.signup import forget_refusal
from handlers.prerelease.consent import busy_chat, code_not_valid
from handlers.prerelease.invites import RELINK_TTL, make_invite
from handlers.staff.audit import AuditAction, audit
from handlers.staff.scope import StaffView
from handlers.text import esc
from handlers.types import Button, Incoming
from handlers.understanding.choices import NO_WORDS, YES_WORDS, Option, pick
from storage.addresses import retire_addresses
from storage.models import Invite, InviteKind, Participant, ParticipantStatus
from storage.staff.invites import usable_invite_by_id

log = logging.getLogger(__name__)

INVITE = "relink_invite"  # conversation data: the id of the invite being claimed
# Who can be re-linked: anyone who signed up and has not erased their data.
RELINKABLE = frozenset(
    {ParticipantStatus.ACTIVE, ParticipantStatus.STOPPED, ParticipantStatus.UNREACHABLE}
)


def relink_refusal(participant: Participant) -> str | None:
    """Why this participant cannot be re-linked (a status), or None when they can."""
    return None if participant.status in RELINKABLE else participant.status


async def relink_invite(
    tx: AsyncSession,
    participant: Participant,
    *,
    by: StaffView | None,
    channel: str,
    now: datetime,
    organisation_id: int | None = None,
) -> tuple[Invite, str]:
    """A RELINK code for `participant` (check `relink_refusal` first), audited. The invite is
    the participant's organisation's; for one who has none (signed up before organisations
    were recorded), `organisation_id` or the staff member's."""
    if relink_refusal(participant) is not None:
        raise ValueError(f"participant {participant.id} cannot be re-linked")
    organisation_id = participant.organisation_id or organisation_id
    if organisation_id is None and by is not None:
        organisation_id = by.organisation_id
    if organisation_id is None:
        raise ValueError(f"participant {participant.id} belongs to no organisation; give --org")
    invite, code = await make_invite(
        tx,
        kind=InviteKind.RELINK,
        organisation_id=organisation_id,
        participant_id=participant.id,
        expires_at=now + RELINK_TTL,
        created_by=by.staff_id if by is not None else None,
        now=now,
    )
    await audit(
        tx,
        staff=by,
        action=AuditAction.RELINK,
        channel=channel,
        now=now,
        participant_id=participant.id,
        organisation_id=organisation_id,
        detail=f"invite {invite.id} made",
    )
    return invite, code


async def start_relink(turn: Turn, invite: Invite) -> str | None:
    """A chat used a re-link code: the state to enter, or None (said why)."""
    turn.secret = True
    turn.forget("start_code")
    target = await turn.tx.get(Participant, invite.participant_id)
    if target is not None and turn.participant is not None and turn.participant.id == target.id:
        turn.say(_("This chat is already yours. Nothing needs to change. 😊"))
        return None
    if busy_chat(turn):
        return None
    if target is None or target.status == ParticipantStatus.ERASED:
        turn.say(code_not_valid())
        return None
    turn.remember(**{INVITE: invite.id})
    return "relink.confirm"


async def _target(turn: Turn) -> tuple[Invite, Participant] | None:
    invite_id = turn.data.get(INVITE)
    if not invite_id:
        return None
    invite = await usable_invite_by_id(turn.tx, int(invite_id), turn.now)
    if invite is None or invite.kind != InviteKind.RELINK or invite.participant_id is None:
        return None
    target = await turn.tx.get(Participant, invite.participant_id)
    if target is None or relink_refusal(target) is not None:
        return None
    return invite, target


async def ask_confirm(turn: Turn) -> None:
    found = await _target(turn)
    name = found[1].name if found is not None else ""
    turn.say(
        _("Welcome! Is this <b>{name}</b>'s account?").format(name=esc(name or "")),
        (Button(_("Yes, it's me"), "relink:yes"), Button(_("No"), "relink:no")),
    )


async def confirm(turn: Turn, incoming: Incoming) -> str | None:
    """They said whether the account the code is for is theirs."""
    choice = pick(
        incoming,
        [
            Option("relink:yes", _("Yes, it's me"), YES_WORDS),
            Option("relink:no", _("No"), (*NO_WORDS, "bukan", "salah")),
        ],
    )
    if choice is None:
        turn.say(_('Please press "Yes, it\'s me" or "No".'))
        return None
    found = await _target(turn)
    turn.forget(INVITE)
    if choice.payload == "relink:no" or found is None:
        if turn.participant is None:  # a stranger's chat: nothing of it is kept
            await forget_refusal(turn)
        turn.say(
            code_not_valid()
            if found is None
            else _(
                "All right, nothing has changed. If this code is not yours, please give it "
                "back to the caseworker who gave it to you."
            )
        )
        return END
    invite, target = found
    await take_over(turn, target, invite)
    return END


async def take_over(turn: Turn, target: Participant, invite: Invite) -> None:
    """This chat becomes the participant's; their other chats are retired."""
    invite.used_at = turn.now  # single use, in the transaction that moves the chat
    retired = await retire_addresses(turn.tx, target.id, turn.address.id, turn.now)
    turn.address.participant_id = target.id
    turn.address.participant = target
    turn.participant = target
    if target.status == ParticipantStatus.UNREACHABLE:
        target.status = ParticipantStatus.ACTIVE  # the new chat can be reached
    switch_language(target.language)
    await audit(
        turn.tx,
        staff=None,
        action=AuditAction.RELINK,
        channel=turn.address.channel,
        now=turn.now,
        participant_id=target.id,
        organisation_id=target.organisation_id,
        detail=f"invite {invite.id} claimed; {len(retired)} old chat(s) retired",
    )
    log.info(
        "address %s took over participant %s; retired %d", turn.address.id, target.id, len(retired)
    )
    turn.say(
        _(
            "Done, {name}! 🎉 This chat is now yours: from now on our messages and reminders "
            "come here. Your schedule and your data are all still here."
        ).format(name=esc(target.name or ""))
    )
    show_menu(turn)  # a stopped participant's menu says how to receive messages again


RELINK: dict[str, Step] = {"relink.confirm": Step(ask_confirm, confirm)}
