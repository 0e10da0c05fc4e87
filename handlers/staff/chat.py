"""A staff member's chat: their commands, buttons and questions, never a participant's flows.

The engine sends here every message from a chat whose staff member is active (read afresh for
each message). A chat whose staff access ended is told so once, gets the participants' command
menu back, and from then on is a stranger's chat.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from handlers.flow import END, WAIT, Turn
from handlers.hints import media_hint
from handlers.i18n import _
from handlers.staff.commands import (
    PREFIX,
    STAFF_BUTTONS,
    STAFF_COMMANDS,
    STAFF_FILES,
    STAFF_STEPS,
    StaffStep,
    staff_payload,
)
from handlers.staff.discovery import discover
from handlers.staff.menu import STAFF_MENU_KEY, menu_buttons, show_staff_menu, staff_help
from handlers.staff.scope import StaffView
from handlers.states import finish
from handlers.types import Kind
from handlers.understanding.choices import normalise

log = logging.getLogger(__name__)

MENU_WORDS = frozenset({"start", "menu", "mulai"})
HELP_WORDS = frozenset({"bantuan", "help"})
CANCEL_WORDS = frozenset({"batal", "cancel"})
STEP_TTL = timedelta(hours=2)  # a staff question left unanswered goes stale


async def route_staff(turn: Turn, staff: StaffView) -> None:
    discover()
    incoming = turn.incoming
    if incoming.kind == Kind.COMMAND and incoming.command is not None:
        await _command(turn, staff, incoming.command.lower(), incoming.args)
        return
    if incoming.kind == Kind.BUTTON and incoming.payload:
        await _press(turn, staff, incoming.payload)
        return
    if incoming.kind == Kind.DOCUMENT and incoming.attachment is not None:
        for run in STAFF_FILES:
            if await run(turn, staff):
                return
    if incoming.kind == Kind.TEXT:
        word, _sep, args = incoming.text.strip().partition(" ")
        typed = normalise(word)
        step = _current_step(turn)
        # Inside a question (a message being typed) only the bare word is a command: "Mulai
        # besok ..." is a message that begins with "mulai".
        bare = step is None or not args.strip()
        if (typed in CANCEL_WORDS | MENU_WORDS and bare) or (step is None and _is_command(typed)):
            await _command(turn, staff, typed, args.strip())
            return
        if step is None and (payload := _menu_title(staff, incoming.text)) is not None:
            await _press(turn, staff, payload)  # a menu row's title typed, as in the terminal
            return
        if step is not None:
            next_state = await step.answer(turn, staff, incoming)
            await enter_staff(turn, staff, next_state)
            return
    elif _current_step(turn) is not None:
        turn.say(media_hint(incoming.kind))
        return
    show_staff_menu(turn, staff)


async def _press(turn: Turn, staff: StaffView, payload: str) -> None:
    prefix, _sep, rest = payload.partition(":")
    action, _sep, argument = rest.partition(":")
    if prefix == PREFIX and action == "cmd":
        await _command(turn, staff, argument, "")
        return
    pressed = STAFF_BUTTONS.get(action) if prefix == PREFIX else None
    if pressed is not None:
        await pressed(turn, staff, argument)
        return
    if prefix in STAFF_COMMANDS:  # "<command>:<arguments>", as if typed: "mitra:terima 5"
        await _command(turn, staff, prefix, rest)
        return
    turn.say(media_hint(Kind.BUTTON))
    show_staff_menu(turn, staff)


def _menu_title(staff: StaffView, text: str) -> str | None:
    """The payload of the menu row whose title is `text` (any page), if one is."""
    wanted = " ".join(text.split()).casefold()
    page = 0
    while True:
        buttons = menu_buttons(staff, page)
        for button in buttons:
            if button.title.casefold() == wanted:
                return button.payload
        if not buttons or buttons[-1].payload != staff_payload("more", page + 1):
            return None
        page += 1


def staff_reply_logged() -> str:
    """What the message log keeps of a reply in a staff chat, instead of its text: staff replies
    show participants' data (which the participant's erasure could not find there) and invite
    codes (shown once). Were the reply lost in a crash, this is what is sent instead."""
    return _("Sorry, this answer got lost on our side. Please ask again.")


def _is_command(word: str) -> bool:
    return word in STAFF_COMMANDS or word in MENU_WORDS or word in HELP_WORDS


async def _command(turn: Turn, staff: StaffView, name: str, args: str) -> None:
    if name in MENU_WORDS:
        finish(turn)
        show_staff_menu(turn, staff, set_commands=True)
        return
    if name in HELP_WORDS:
        staff_help(turn, staff)
        return
    if name in CANCEL_WORDS:
        had_step = _current_step(turn) is not None
        finish(turn)
        show_staff_menu(turn, staff, _("Cancelled.") if had_step else None)
        return
    command = STAFF_COMMANDS.get(name)
    if command is None or (command.admin_only and not staff.is_admin):
        turn.say(
            _("There is no staff command /{command}. Here is what you can do:").format(
                command=name[:32]
            )
        )
        show_staff_menu(turn, staff)
        return
    finish(turn)
    await command.run(turn, staff, args)


def _current_step(turn: Turn) -> StaffStep | None:
    conversation = turn.conversation
    if conversation.step is None or conversation.step not in STAFF_STEPS:
        return None
    if conversation.expires_at is not None and conversation.expires_at < turn.now:
        finish(turn)
        return None
    return STAFF_STEPS[conversation.step]


async def enter_staff(turn: Turn, staff: StaffView, state: str | None) -> None:
    """Move to staff question `state` ("staff.<name>") and ask it; END finishes, WAIT stays,
    None asks the current question again."""
    if state == END:
        finish(turn)
        return
    if state == WAIT:
        return
    if state is None:
        state = turn.conversation.step
        if state is None or state not in STAFF_STEPS:
            return
    conversation = turn.conversation
    conversation.flow = "staff"
    conversation.step = state
    conversation.expires_at = turn.now + STEP_TTL
    await STAFF_STEPS[state].ask(turn, staff)


async def staff_ended(turn: Turn) -> bool:
    """A chat that was a staff member's and is not any more (revoked): told once, the
    participants' command menu back, then a stranger's chat. False for any other chat."""
    was_staff = turn.address.staff_id is not None or turn.data.get(STAFF_MENU_KEY)
    if not was_staff or turn.participant is not None:
        return False
    turn.address.staff_id = None
    finish(turn)
    turn.forget(STAFF_MENU_KEY)
    turn.say(
        _(
            "Your staff access has ended, so staff commands no longer work in this chat. "
            "If you think this is a mistake, please contact your coordinator."
        )
    )
    turn.replies[-1] = replace(turn.replies[-1], chat_commands=())
    log.info("staff access ended address=%s", turn.address.id)
    return True
