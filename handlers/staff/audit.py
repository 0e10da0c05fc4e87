"""Writing the audit log: every staff look at a participant's data and every staff act."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.flow import Turn
from handlers.staff.scope import StaffView
from storage.staff.audit import add_audit_entry


class AuditAction(StrEnum):
    VIEW = "view"  # a participant's card, list row details, attendance
    SEARCH = "search"  # a list or a search of participants (detail: how many were shown)
    EXPORT = "export"
    NOTE = "note"
    MESSAGE = "message"  # a message relayed to a participant
    RELAY = "relay"  # a participant's reply relayed to staff (staff: the first who received it)
    BROADCAST = "broadcast"
    REFER = "refer"
    WITHDRAW = "withdraw"  # a referral withdrawn
    ASSIGN = "assign"  # a participant (re)assigned to a caseworker
    RULE = "rule"  # an assignment rule added
    INVITE = "invite"
    CLAIM = "claim"  # an invite used: a chat bound to a staff member
    REVOKE = "revoke"
    ROLE = "role"
    PARTNERSHIP = "partnership"
    PRERELEASE = "prerelease"  # a person registered before release
    RELINK = "relink"  # a participant's new chat took over
    ATTENDANCE = "attendance"  # a participant marked present or absent at a session
    APPOINTMENT = "appointment"  # an appointment scheduled for a participant
    HANDLED = "handled"  # a "Tidak bisa" or reschedule answer dealt with (detail: how)
    IMPORT = "import"  # sessions imported from a file sent in chat (detail: counts)
    ACKNOWLEDGE = "acknowledge"  # an alert taken on ("Saya tangani"; detail: the flag id)
    RESOLVE = "resolve"  # a flag closed from its alert (detail: the flag id and the outcome)


async def audit(
    tx: AsyncSession,
    *,
    staff: StaffView | None,
    action: AuditAction,
    channel: str,
    now: datetime,
    participant_id: int | None = None,
    organisation_id: int | None = None,
    detail: str | None = None,
) -> None:
    """One row: who (`staff`, None for the command line), what, about whom, when, where.
    `detail` is for ids, counts and kinds only: never a name, a number or a message's text."""
    await add_audit_entry(
        tx,
        at=now,
        action=str(action),
        channel=channel,
        staff_id=staff.staff_id if staff is not None else None,
        organisation_id=organisation_id
        if organisation_id is not None
        else (staff.organisation_id if staff is not None else None),
        participant_id=participant_id,
        detail=detail,
    )


async def audit_turn(
    turn: Turn,
    staff: StaffView | None,
    action: AuditAction,
    *,
    participant_id: int | None = None,
    organisation_id: int | None = None,
    detail: str | None = None,
) -> None:
    """`audit` of something done in this chat turn (by `staff`; None: by the participant
    writing), on the turn's channel, at its time."""
    await audit(
        turn.tx,
        staff=staff,
        action=action,
        channel=turn.incoming.channel,
        now=turn.now,
        participant_id=participant_id,
        organisation_id=organisation_id,
        detail=detail,
    )
