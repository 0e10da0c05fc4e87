"""What a person hears when their message goes to a human: in danger, in need, or just writing."""

from __future__ import annotations

from handlers.flow import Turn
from handlers.i18n import _
from handlers.reminders.discretion import is_sensitive
from handlers.text import esc
from handlers.understanding.distress import Risk
from storage.programs import organisation_contact


async def contact_line(turn: Turn) -> str:
    """ "You can also call <org>: <contact>.", or "" when no organisation has a contact."""
    found = await organisation_contact(turn.tx, turn.participant.id if turn.participant else None)
    if found is None:
        return ""
    name, contact = found
    participant = turn.participant
    if participant is not None and participant.discreet and is_sensitive(name):
        # A reply shows on a lock screen as much as a reminder does.
        return _("You can also contact your caseworker directly: {contact}").format(
            contact=esc(contact)
        )
    return _("You can also contact {organisation} directly: {contact}").format(
        organisation=esc(name), contact=esc(contact)
    )


async def support(turn: Turn, risk: Risk) -> None:
    """Someone wrote that they are in danger: answer warmly, now, with people to call."""
    settings = turn.settings
    consented = turn.participant is not None
    if risk == Risk.SELF_HARM:
        opening = _(
            "Thank you for telling me. What you feel matters, and you do not have to face it alone."
        )
    elif risk == Risk.VIOLENCE:
        opening = _("I am sorry this is happening. Your safety comes first.")
    elif risk == Risk.ARREST:
        opening = _("Thank you for letting us know. Stay calm; you have the right to a lawyer.")
    else:
        opening = _(
            "Thank you for being honest. Falling back happens on the road to recovery, "
            "and it is not the end of it."
        )
    lines = [opening]
    if consented:
        lines.append(_("I have passed your message on to your caseworker, who will contact you."))
    if risk in (Risk.SELF_HARM, Risk.VIOLENCE):
        lines.append(
            _("If you are in danger right now, call {emergency}.").format(
                emergency=esc(settings.emergency_number)
            )
        )
    if risk == Risk.SELF_HARM and settings.crisis_lines:
        lines.append(
            _("To talk with someone now (free, confidential): {lines}").format(
                lines=esc(_(" or ").join(settings.crisis_lines))
            )
        )
    contact = await contact_line(turn)
    if contact:
        lines.append(contact)
    turn.say("\n\n".join(lines))
    if consented:
        turn.flag(str(risk), urgent=True)


async def passed_on(turn: Turn, reason: str, *, hardship: bool = False) -> None:
    """A message the bot cannot act on goes to staff; say so honestly, never "noted"."""
    lines = [
        _("I am sorry to hear that. 🙏") if hardship else "",
        _(
            "I have passed your message on to your caseworker. "
            "They will read it and get back to you."
        ),
    ]
    contact = await contact_line(turn)
    if contact:
        lines.append(contact)
    turn.say("\n".join(line for line in lines if line))
    turn.flag(reason, urgent=False)
