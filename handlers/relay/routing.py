"""Who on the staff a participant's reply goes to: never into the void.

The staff member who wrote to them, while they may still act on the participant; else the
participant's current caseworker (the writer was replaced, or their access revoked); else the
organisation's admins. Only members with a chat the bot can write to count.
"""

from __future__ import annotations

from handlers.flow import Turn
from handlers.relay.delivery import chats_of
from handlers.staff.scope import Access, StaffView, access_to
from storage.models import Participant, Staff, StaffStatus
from storage.staff.accounts import active_admins


def view_of(member: Staff) -> StaffView:
    return StaffView(member.id, member.organisation_id, member.role, member.name, member.language)


async def may_act(turn: Turn, member: Staff | None, participant: Participant) -> bool:
    if member is None or member.status != StaffStatus.ACTIVE:
        return False
    return await access_to(turn.tx, view_of(member), participant) >= Access.ACT


async def reply_recipients(
    turn: Turn, participant: Participant, writer_id: int | None
) -> list[Staff]:
    """The staff members a reply to `writer_id`'s message goes to (empty: nobody reachable)."""
    tx = turn.tx
    for candidate_id in (writer_id, participant.caseworker_id):
        member = await tx.get(Staff, candidate_id) if candidate_id is not None else None
        if (
            member is not None
            and await may_act(turn, member, participant)
            and await chats_of(turn, member)
        ):
            return [member]
    if participant.organisation_id is None:
        return []
    admins = await active_admins(tx, participant.organisation_id)
    return [admin for admin in admins if await chats_of(turn, admin)]
