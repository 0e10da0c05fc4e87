"""Linking a second chat (WhatsApp and Telegram) to one participant: the number they signed up
with, then the code sent to the chat they used before. On success the new chat belongs to them,
and reminders go to whichever chat they wrote from last."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from handlers.flow import END, WAIT, Step, Turn
from handlers.i18n import _, ngettext, switch_language
from handlers.linking.codes import Check, check_code
from handlers.linking.sending import send_code, signed_up_with
from handlers.menu import registered, show_menu
from handlers.text import esc
from handlers.types import Incoming, Kind
from handlers.understanding.phones import normalise_phone
from storage.erasure import delete_unregistered
from storage.models import Participant

log = logging.getLogger(__name__)

CODE_STEP_TTL = timedelta(hours=1)  # the code itself expires sooner; then we say so


def code_sent_text() -> str:
    """The same whether the number is registered or not: typing a number reveals nothing."""
    return _(
        "If this number is registered, I have sent a code to the chat you used before. "
        "Type the 6 digits here."
    )


async def ask_phone(turn: Turn) -> None:
    turn.say(
        _(
            "Let's link this chat to your data. Which phone number did you sign up with? "
            "Type it like this: 0812 3456 7890."
        )
    )


async def phone(turn: Turn, incoming: Incoming) -> str | None:
    """They typed (or shared) the number they signed up with."""
    turn.secret = True  # perhaps not even theirs: not kept
    typed = incoming.phone if incoming.kind == Kind.CONTACT else incoming.text
    number = normalise_phone(typed or "")
    if number is None:
        turn.say(_("That number doesn't look right. Please type it like this: 0812 3456 7890."))
        return WAIT
    await send_code(turn, await signed_up_with(turn, number))
    return "link.code"


async def ask_code(turn: Turn) -> None:
    turn.say(code_sent_text())


async def code(turn: Turn, incoming: Incoming) -> str | None:
    """They typed the code sent to their other chat."""
    turn.secret = True
    typed = re.sub(r"[\s\-.]", "", incoming.text)
    if not (typed.isdigit() and len(typed) == 6):
        turn.say(_("Please type the 6 digits of the code."))
        return WAIT
    result, left, pid = check_code(turn, typed)
    if result == Check.EXPIRED:
        turn.say(_("This code has expired. Type HUBUNGKAN to get a new one."))
        return END
    if result == Check.USED_UP:
        turn.say(_("That code is not right, and no tries are left. Please try again later."))
        return END
    if result == Check.WRONG:
        turn.say(
            ngettext(
                "That code is not right. You can try once more.",
                "That code is not right. You can try {count} more times.",
                left,
            ).format(count=left)
        )
        return WAIT
    assert pid is not None
    await join(turn, pid)
    return END


async def join(turn: Turn, participant_id: int) -> None:
    """This chat becomes the participant's; a sign-up just begun here gives way to it."""
    target = await turn.tx.get(Participant, participant_id)
    if target is None or not registered(target):
        turn.say(_("Sorry, that sign-up is no longer there. Type MENU to start again."))
        return
    current = turn.participant
    if current is not None and current.id != target.id:
        if registered(current):  # two people's data are never merged silently
            turn.say(separate_sign_up_text())
            return
        turn.address.participant_id = None
        turn.address.participant = None
        await turn.tx.flush()
        await delete_unregistered(turn.tx, current)  # it held nothing worth keeping
    turn.address.participant_id = target.id
    turn.address.participant = target
    turn.participant = target
    switch_language(target.language)
    log.info("address %s linked to participant %s", turn.address.id, target.id)
    turn.say(
        _(
            "Done, {name}! 🎉 This chat is now linked to your data. We will write to you in the "
            "chat you used last."
        ).format(name=esc(target.name or ""))
    )
    show_menu(turn)


def separate_sign_up_text() -> str:
    return _(
        "This chat already has its own sign-up, so I cannot link it myself. "
        "If you signed up twice, please ask your caseworker to join the two."
    )


LINK: dict[str, Step] = {
    "link.phone": Step(ask_phone, phone, accepts=frozenset({Kind.TEXT, Kind.CONTACT})),
    "link.code": Step(ask_code, code, accepts=frozenset({Kind.TEXT}), ttl=CODE_STEP_TTL),
}
