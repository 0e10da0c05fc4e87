"""What the /siaran steps share: the draft being written (its id in the conversation, checked
against the admin's organisation every time), the channels running, and a button typed as its
title or its number."""

from __future__ import annotations

from sqlalchemy import select

from handlers.flow import Turn
from handlers.i18n import _
from handlers.staff.scope import StaffView
from handlers.types import Button, Incoming, Kind
from storage.broadcasts.audience import Running
from storage.models import Broadcast, BroadcastStatus, Staff

DRAFT_KEY = "broadcast_draft"  # conversation data: the id of the draft being written
TEXT_MAX = 3000  # an announcement is short; Telegram's limit is 4096 with the heading
STEPS = (
    "staff.bc_text",
    "staff.bc_text_en",
    "staff.bc_audience",
    "staff.bc_pick",
    "staff.bc_preview",
    "staff.bc_neutral",
    "staff.bc_neutral_en",
    "staff.bc_when",
)


def running(turn: Turn) -> Running:
    return turn.settings.channels or None


async def draft_of(turn: Turn, staff: StaffView) -> Broadcast | None:
    """The draft this chat is writing, if it is still a draft of the admin's organisation."""
    draft_id = turn.data.get(DRAFT_KEY)
    if not staff.is_admin or not isinstance(draft_id, int):
        return None
    return await own_draft(turn, staff, draft_id)


async def own_draft(turn: Turn, staff: StaffView, draft_id: int) -> Broadcast | None:
    query = select(Broadcast).where(
        Broadcast.id == draft_id,
        Broadcast.organisation_id == staff.organisation_id,
        Broadcast.status == BroadcastStatus.DRAFT,
    )
    return (await turn.tx.execute(query)).scalar_one_or_none()


async def last_draft(turn: Turn, staff: StaffView) -> Broadcast | None:
    """The admin's own latest draft, to continue from /siaran."""
    query = (
        select(Broadcast)
        .where(
            Broadcast.organisation_id == staff.organisation_id,
            Broadcast.created_by == staff.staff_id,
            Broadcast.status == BroadcastStatus.DRAFT,
        )
        .order_by(Broadcast.id.desc())
        .limit(1)
    )
    return (await turn.tx.execute(query)).scalar_one_or_none()


def in_flow(turn: Turn) -> bool:
    return turn.conversation.step in STEPS


def gone() -> str:
    return _("That draft is no longer open. Type /siaran to start again.")


def typed_button(
    incoming: Incoming, buttons: tuple[Button, ...], *, numbers: bool = True
) -> str | None:
    """The payload of the button whose title (or, with `numbers`, place in the list) was typed."""
    if incoming.kind != Kind.TEXT:
        return None
    text = " ".join(incoming.text.split()).casefold()
    if numbers and text.isdigit() and 1 <= int(text) <= len(buttons):
        return buttons[int(text) - 1].payload
    for button in buttons:
        if button.title.casefold() == text:
            return button.payload
    return None


async def staff_timezone(turn: Turn, staff: StaffView) -> str:
    member = await turn.tx.get(Staff, staff.staff_id)
    return member.timezone if member is not None else turn.settings.default_timezone
