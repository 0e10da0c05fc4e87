"""What this package registers with the staff features: the claims of PRERELEASE and RELINK
codes (handlers/staff/codes.py) and the caseworker's /gantinomor (handlers/staff/commands.py).

Importing this module registers them; the engine's wiring imports it."""

from __future__ import annotations

from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.prerelease.consent import start_prerelease
from handlers.prerelease.invites import invite_links
from handlers.prerelease.relink import relink_invite, relink_refusal, start_relink
from handlers.staff.codes import on_claim
from handlers.staff.commands import staff_command
from handlers.staff.scope import StaffView, participant_in_scope
from handlers.states import enter
from handlers.text import esc
from handlers.types import Reply
from storage.models import Invite, InviteKind, ParticipantStatus


async def claim_prerelease(turn: Turn, invite: Invite) -> None:
    state = await start_prerelease(turn, invite)
    if state is not None:
        await enter(turn, state)


async def claim_relink(turn: Turn, invite: Invite) -> None:
    state = await start_relink(turn, invite)
    if state is not None:
        await enter(turn, state)


async def new_number(turn: Turn, staff: StaffView, args: str) -> None:
    """/gantinomor <id>: a code for a participant's new phone or number."""
    typed = args.strip()
    if not typed:
        turn.say(_("Type /gantinomor and the participant's number, e.g. /gantinomor 12."))
        return
    participant = await participant_in_scope(turn.tx, staff, typed, act=True)
    if participant is None:  # out of scope reads exactly like an id that does not exist
        turn.say(_("There is no participant {id} that you can act on.").format(id=esc(typed)))
        return
    refusal = relink_refusal(participant)
    if refusal == ParticipantStatus.ERASED:
        turn.say(
            _("Participant {id} erased their data. They can sign up again as new.").format(
                id=participant.id
            )
        )
        return
    if refusal is not None:
        turn.say(
            _(
                "Participant {id} has not finished signing up, so there is no chat to move yet."
            ).format(id=participant.id)
        )
        return
    invite, code = await relink_invite(
        turn.tx, participant, by=staff, channel=turn.address.channel, now=turn.now
    )
    links = invite_links(
        code,
        telegram_username=turn.settings.telegram_username,
        whatsapp_number=turn.settings.whatsapp_number,
    )
    text = _(
        "Code for {name}'s new phone: <b>{code}</b>\n"
        "It works once, for 48 hours. Give it to them yourself (not to anyone else). On the new "
        "phone they open a link below, or send the code to this bot."
    ).format(name=esc(participant.name or ""), code=code)
    text += "".join(f"\n{link.url}" for link in links)
    if participant.status == ParticipantStatus.STOPPED:
        text += "\n\n" + _("Note: they stopped our messages; the new chat is told how to resume.")
    # Said through `tell`, so that the message log keeps a placeholder, never the code.
    turn.tell(turn.address, Reply(text), logged=f"[relink code, invite {invite.id}]")


on_claim(InviteKind.PRERELEASE, claim_prerelease)
on_claim(InviteKind.RELINK, claim_relink)
staff_command(
    "gantinomor",
    new_number,
    N_("A participant's new phone or number: make a code for it"),
    title=N_("New phone"),
)
