"""/hubungkan (or the word HUBUNGKAN): where linking a second chat begins."""

from __future__ import annotations

from handlers.flow import Turn
from handlers.i18n import _
from handlers.linking.codes import waiting
from handlers.linking.sending import own_phone, send_code, signed_up_with
from handlers.menu import registered
from handlers.states import enter


async def link(turn: Turn, _args: str) -> None:
    """A new chat asks to be linked to a sign-up made on another channel."""
    if registered(turn.participant):
        turn.say(
            _(
                "This chat is already linked to your data. To use another app too, type "
                "HUBUNGKAN in that app. If you signed up twice, your caseworker can join the two."
            )
        )
        return
    if waiting(turn):
        turn.say(_("Too many wrong codes. Please try again in an hour."))
        return
    phone = own_phone(turn.address)
    found = await signed_up_with(turn, phone) if phone is not None else None
    if found is None:
        await enter(turn, "link.phone")
        return
    # The channel tells us this chat's own number: no need to ask it, nor to hide that it is known.
    await send_code(turn, found)
    turn.say(
        _(
            "This number has signed up with us before. I have sent a code to the chat you used "
            "then. Type the 6 digits here."
        )
    )
    await enter(turn, "link.code", ask=False)
