"""Claiming a pre-release code: a greeting, consent asked as in any sign-up, then the chat
becomes the pre-registered participant's and sign-up goes on with what staff did not fill in."""

from __future__ import annotations

import logging

from handlers.flow import END, SIGNUP_TTL, Step, Turn
from handlers.i18n import _
from handlers.menu import registered
from handlers.participants.signup import ask_consent, consent_given, forget_refusal
from handlers.staff.audit import AuditAction, audit
from handlers.types import Incoming
from storage.models import Invite, InviteKind, Participant, ParticipantStatus
from storage.staff.invites import usable_invite_by_id

log = logging.getLogger(__name__)

INVITE = "prerelease_invite"  # conversation data: the id of the invite being claimed


def busy_chat(turn: Turn) -> bool:
    """A chat that is already someone's cannot claim a code for someone else (said why)."""
    if turn.address.staff_id is not None:
        turn.say(
            _(
                "This chat is a staff chat. Please open the code on the phone of the person it "
                "is for."
            )
        )
        return True
    if registered(turn.participant):
        turn.say(
            _(
                "This chat already has its own sign-up, so it cannot take this code. "
                "Please ask your caseworker for help."
            )
        )
        return True
    if turn.participant is not None:
        turn.say(
            _(
                "You have started signing up in this chat. Type BATAL to cancel that first, "
                "then open your link again."
            )
        )
        return True
    return False


async def start_prerelease(turn: Turn, invite: Invite) -> str | None:
    """A chat used a pre-release code: the state to enter, or None (said why)."""
    turn.secret = True  # the code is not kept in the message log
    turn.forget("start_code")
    if busy_chat(turn):
        return None
    target = await turn.tx.get(Participant, invite.participant_id)
    if target is None or target.status != ParticipantStatus.PREREGISTERED:
        turn.say(code_not_valid())
        return None
    turn.remember(**{INVITE: invite.id})
    turn.say(_("Welcome! 🌱 We are glad you are here."))
    return "prerelease.consent"


def code_not_valid() -> str:
    return _("Sorry, this code does not work (anymore). Please ask your caseworker for a new one.")


async def consent(turn: Turn, incoming: Incoming) -> str | None:
    """They agreed (or not) to the data we keep; agreeing hands them their pre-filled sign-up."""
    given = consent_given(turn, incoming)
    if given is None:
        return None
    invite_id = turn.data.get(INVITE)
    if not given:
        await forget_refusal(turn)
        turn.say(
            _(
                "All right, no problem. We have not stored anything about you. "
                "If you change your mind, open your link again."
            )
        )
        return END
    invite = await usable_invite_by_id(turn.tx, int(invite_id), turn.now) if invite_id else None
    target = None
    if invite is not None and invite.kind == InviteKind.PRERELEASE:
        target = await turn.tx.get(Participant, invite.participant_id)
    if invite is None or target is None or target.status != ParticipantStatus.PREREGISTERED:
        await forget_refusal(turn)
        turn.say(code_not_valid())
        return END
    invite.used_at = turn.now  # single use, in the transaction that binds the chat
    target.status = ParticipantStatus.REGISTERING
    target.consent_at = turn.now
    target.consent_version = turn.settings.consent_version
    target.language = turn.language
    turn.address.participant_id = target.id
    turn.address.participant = target
    turn.participant = target
    turn.forget(INVITE)
    await audit(
        turn.tx,
        staff=None,
        action=AuditAction.CLAIM,
        channel=turn.address.channel,
        now=turn.now,
        participant_id=target.id,
        organisation_id=target.organisation_id,
        detail=f"prerelease invite {invite.id}",
    )
    log.info("address %s claimed pre-registered participant %s", turn.address.id, target.id)
    turn.say(
        _(
            "Thank you! 🙏 Your caseworker has already filled in part of your details. "
            "Just a few more questions."
        )
    )
    return "signup.city" if target.city is None else "signup.phone"


PRERELEASE: dict[str, Step] = {
    "prerelease.consent": Step(ask_consent, consent, ttl=SIGNUP_TTL),
}
