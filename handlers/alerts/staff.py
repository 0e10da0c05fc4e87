"""What an alert's buttons do: take it on ("Saya tangani"), close it with a short outcome
("Selesai"), open the person's card. Only a staff member who may act on the participant may do
the first two; any other id is answered as if there were no such alert."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from handlers.alerts.compose import alert_text
from handlers.alerts.sending import taken_on
from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.staff.audit import AuditAction, audit_turn
from handlers.staff.commands import staff_button, staff_payload
from handlers.staff.scope import StaffView, participant_in_scope
from handlers.text import esc
from handlers.types import Button, Template
from storage.flags import acknowledge_flag, flags_raised_with, resolve_flag
from storage.models import Flag, FlagOutcome, FlagStatus, Participant, Staff

log = logging.getLogger(__name__)

ACK = "alack"
SHOW = "alshow"  # the alert template's "Buka": the whole alert, with its buttons
DONE = "aldone"
OUTCOME = "alout"
CARD = "p"  # handlers/staff/cards: the participant's card
FLAG_ID_DIGITS = 9
# Short codes in payloads -> (stored outcome, button title).
OUTCOMES = {
    "c": (FlagOutcome.CONTACTED, N_("Contacted")),
    "r": (FlagOutcome.REFERRED, N_("Referred")),
    "n": (FlagOutcome.NOT_URGENT, N_("Not an emergency")),
    "o": (FlagOutcome.OTHER, N_("Other")),
}


def alert_buttons(flags: Sequence[Flag]) -> tuple[Button, ...]:
    """For the alert of `flags` (the first names it): take on (until someone has), resolve
    (while open), and the card: at most three."""
    lead = flags[0]
    buttons = []
    if any(flag.status == FlagStatus.OPEN for flag in flags):
        if not any(flag.acknowledged_at for flag in flags):
            buttons.append(Button(_("I'll handle it"), staff_payload(ACK, lead.id)))
        buttons.append(Button(_("Resolve"), staff_payload(DONE, lead.id)))
    buttons.append(Button(_("View card"), staff_payload(CARD, lead.participant_id)))
    return tuple(buttons)


ALERT_TEMPLATE = "alert"  # bot/channels/whatsapp/templates.toml: "Buka", "Saya tangani"


def alert_template(flags: Sequence[Flag], who: str, what: str) -> Template:
    """The alert where WhatsApp allows no free text: who and what, "Buka" and "Saya tangani"."""
    lead = flags[0]
    return Template(
        ALERT_TEMPLATE, (who, what), (staff_payload(SHOW, lead.id), staff_payload(ACK, lead.id))
    )


async def _alert_to_act_on(
    turn: Turn, staff: StaffView, argument: str
) -> tuple[list[Flag], Participant] | None:
    """The alert (its flags) named in a payload, if `staff` may act on its participant; else
    None, answered as if there were no such alert, whether or not it exists."""
    flag_id = int(argument) if argument.isdigit() and len(argument) <= FLAG_ID_DIGITS else None
    flag = await turn.tx.get(Flag, flag_id) if flag_id is not None else None
    participant = (
        await participant_in_scope(turn.tx, staff, flag.participant_id, act=True)
        if flag is not None
        else None
    )
    flags = await flags_raised_with(turn.tx, flag) if flag is not None else []
    if flag is None or participant is None or not flags:
        log.info("alert button refused staff=%s", staff.staff_id)
        turn.say(_("There is no such alert, or you cannot act on it."))
        return None
    return flags, participant


def _open(flags: Sequence[Flag]) -> list[Flag]:
    return [flag for flag in flags if flag.status == FlagStatus.OPEN]


def _who(participant: Participant) -> str:
    return _("{name} (#{id})").format(name=esc(participant.name or "-"), id=participant.id)


async def ack_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    """ "I'll handle it": no escalation; the alert stays open until it is resolved."""
    found = await _alert_to_act_on(turn, staff, argument)
    if found is None:
        return
    flags, participant = found
    if not _open(flags):
        turn.say(_("The alert about {who} is already resolved.").format(who=_who(participant)))
        return
    taken = [
        flag.id
        for flag in _open(flags)
        if await acknowledge_flag(turn.tx, flag.id, staff.staff_id, turn.now)
    ]
    if taken:
        await taken_on(turn.tx, flags[0].id)
        await audit_turn(
            turn,
            staff,
            AuditAction.ACKNOWLEDGE,
            participant_id=participant.id,
            detail="flags=" + ",".join(str(flag_id) for flag_id in taken),
        )
    turn.say(
        _(
            "Thank you: you are handling the alert about {who}. "
            "It stays open until you press Resolve."
        ).format(who=_who(participant)),
        alert_buttons(flags),
    )


async def show_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    """ "Buka" on the alert template: the whole alert as it is now, with its buttons."""
    found = await _alert_to_act_on(turn, staff, argument)
    if found is None:
        return
    flags, participant = found
    await audit_turn(
        turn,
        staff,
        AuditAction.VIEW,
        participant_id=participant.id,
        detail="alert flags=" + ",".join(str(flag.id) for flag in flags),
    )
    member = await turn.tx.get(Staff, staff.staff_id)
    zone = member.timezone if member is not None else "Asia/Jakarta"
    text = await alert_text(turn.tx, flags, zone, staff.language)
    turn.say(text, alert_buttons(flags))


async def done_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    """ "Resolve": how did it end? One of a few short outcomes."""
    found = await _alert_to_act_on(turn, staff, argument)
    if found is None:
        return
    flags, participant = found
    if not _open(flags):
        turn.say(_("The alert about {who} is already resolved.").format(who=_who(participant)))
        return
    turn.say(
        _("How was the alert about {who} resolved?").format(who=_who(participant)),
        tuple(
            Button(_(label), staff_payload(OUTCOME, f"{flags[0].id}.{code}"))
            for code, (_outcome, label) in OUTCOMES.items()
        ),
    )


async def outcome_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    """An outcome chosen: the alert's flags are closed, with who, when and how."""
    flag_part, _dot, code = argument.partition(".")
    if code not in OUTCOMES:
        turn.say(_("There is no such alert, or you cannot act on it."))
        return
    found = await _alert_to_act_on(turn, staff, flag_part)
    if found is None:
        return
    flags, participant = found
    outcome, label = OUTCOMES[code]
    closed = [
        flag.id
        for flag in _open(flags)
        if await resolve_flag(turn.tx, flag.id, turn.now, staff_id=staff.staff_id, outcome=outcome)
    ]
    if not closed:
        turn.say(_("The alert about {who} is already resolved.").format(who=_who(participant)))
        return
    await taken_on(turn.tx, flags[0].id)
    await audit_turn(
        turn,
        staff,
        AuditAction.RESOLVE,
        participant_id=participant.id,
        detail="flags=" + ",".join(str(flag_id) for flag_id in closed) + f" outcome={outcome}",
    )
    turn.say(
        _("The alert about {who} is resolved: {outcome}. Thank you.").format(
            who=_who(participant), outcome=_(label)
        ),
        (Button(_("View card"), staff_payload(CARD, participant.id)),),
    )


staff_button(ACK, ack_pressed)
staff_button(SHOW, show_pressed)
staff_button(DONE, done_pressed)
staff_button(OUTCOME, outcome_pressed)
