"""Every state of every flow in one visible table, and moving between them."""

from __future__ import annotations

from handlers.checkins.steps import CHECKIN
from handlers.flow import END, WAIT, Step, Turn
from handlers.linking.codes import WAIT as LINK_WAIT
from handlers.linking.steps import LINK
from handlers.participants.erase import ERASE
from handlers.participants.language import LANGUAGE
from handlers.participants.number_change import NUMBER_CHANGE
from handlers.participants.optout import OPTOUT
from handlers.participants.profile import PROFILE
from handlers.participants.signup import SIGNUP
from handlers.prerelease.consent import PRERELEASE
from handlers.prerelease.relink import RELINK
from handlers.reminders.rsvp import RSVP
from handlers.staff.claim import CLAIM
from handlers.staff.claiming import TRIES_KEY
from handlers.staff.menu import STAFF_MENU_KEY

STATES: dict[str, Step] = {
    **SIGNUP,
    **PROFILE,
    **ERASE,
    **RSVP,
    **OPTOUT,
    **LANGUAGE,
    **NUMBER_CHANGE,
    **LINK,
    **CLAIM,
    **PRERELEASE,
    **RELINK,
    **CHECKIN,
}
# What outlives a flow: the language chosen before sign-up, a pause after wrong link codes, the
# codes (staff invites...) that did not work this hour, and that this chat was given the staff menu.
KEPT = frozenset({"lang", LINK_WAIT, TRIES_KEY, STAFF_MENU_KEY})


async def enter(turn: Turn, state: str, *, ask: bool = True) -> None:
    """Move the conversation to `state` and ask its question (unless it was just said)."""
    if state == END:
        finish(turn)
        return
    if state == WAIT:
        return
    step = STATES[state]
    conversation = turn.conversation
    conversation.flow = state.split(".", 1)[0]
    conversation.step = state
    conversation.expires_at = turn.now + step.ttl
    if ask:
        await step.ask(turn)


def finish(turn: Turn) -> None:
    """Leave any flow; only what is in KEPT survives."""
    conversation = turn.conversation
    conversation.flow = None
    conversation.step = None
    conversation.expires_at = None
    keep = {k: v for k, v in conversation.data.items() if k in KEPT}
    conversation.data = keep


def current_step(turn: Turn) -> Step | None:
    conversation = turn.conversation
    if conversation.step is None or conversation.step not in STATES:
        return None
    if conversation.expires_at is not None and conversation.expires_at < turn.now:
        finish(turn)
        return None
    return STATES[conversation.step]
