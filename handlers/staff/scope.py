"""What a staff member may see and do: THE one scope check. Every staff query and every id that
comes from a typed command or a button payload goes through here; nothing else decides.

- An admin sees and acts on every participant of their organisation.
- A caseworker acts on the participants assigned to them and sees their organisation's other
  participants read-only.
- Through an active referral (the participant consented), a partner organisation's staff see
  that one participant, read-only; nothing once it is withdrawn.
- Nobody sees anyone else. An id out of scope is answered exactly like an id that does not
  exist, so that trying ids tells nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Address,
    Participant,
    ParticipantStatus,
    Program,
    ProgramSession,
    Referral,
    ReferralStatus,
    StaffRole,
)
from storage.staff.accounts import active_staff_of_address

MAX_ID_DIGITS = 18  # ids typed or in payloads longer than this are not ids


class Access(IntEnum):
    NONE = 0
    READ = 1  # see the card, attendance, RSVPs
    ACT = 2  # also change, note, message, refer, reassign


@dataclass(frozen=True)
class StaffView:
    """A staff member as the scope check needs them, read afresh for every message (a revoked
    member's next message already finds nothing)."""

    staff_id: int
    organisation_id: int
    role: str
    name: str
    language: str

    @property
    def is_admin(self) -> bool:
        return self.role == StaffRole.ADMIN


async def staff_of(tx: AsyncSession, address: Address) -> StaffView | None:
    """The active staff member writing from `address`, or None (a participant, a stranger, or
    someone whose staff access was revoked)."""
    if address.staff_id is None:
        return None
    staff = await active_staff_of_address(tx, address.id)
    if staff is None:
        return None
    return StaffView(staff.id, staff.organisation_id, staff.role, staff.name, staff.language)


async def access_to(tx: AsyncSession, staff: StaffView, participant: Participant) -> Access:
    if participant.status == ParticipantStatus.REGISTERING:
        return Access.NONE  # still signing up: not anyone's to see yet
    if participant.organisation_id == staff.organisation_id:
        if staff.is_admin or participant.caseworker_id == staff.staff_id:
            return Access.ACT
        return Access.READ
    referred = await tx.execute(
        select(Referral.id).where(
            Referral.participant_id == participant.id,
            Referral.partner_id == staff.organisation_id,
            Referral.status == ReferralStatus.ACTIVE,
        )
    )
    return Access.READ if referred.first() is not None else Access.NONE


async def participant_in_scope(
    tx: AsyncSession, staff: StaffView, participant_id: int | str, *, act: bool = False
) -> Participant | None:
    """The participant named by an id typed or carried in a payload, if `staff` may see them
    (`act`: and act on them); None otherwise, whether or not the id exists."""
    if isinstance(participant_id, str):
        text = participant_id.strip().lstrip("#")
        if not text.isdigit() or len(text) > MAX_ID_DIGITS:
            return None
        participant_id = int(text)
    participant = await tx.get(Participant, participant_id)
    if participant is None:
        return None
    needed = Access.ACT if act else Access.READ
    return participant if await access_to(tx, staff, participant) >= needed else None


def visible(staff: StaffView) -> ColumnElement[bool]:
    """A WHERE clause on `Participant` for lists and searches: the participants `staff` may see
    (each one's access, read or act, is `access_to`)."""
    return seen_by_organisation(staff.organisation_id)


def seen_by_organisation(organisation_id: int) -> ColumnElement[bool]:
    """`visible` for any staff member of `organisation_id`: the whole organisation's view, which
    an admin has and the command line exports for it."""
    referred = select(Referral.participant_id).where(
        Referral.partner_id == organisation_id, Referral.status == ReferralStatus.ACTIVE
    )
    return (Participant.status != ParticipantStatus.REGISTERING) & or_(
        Participant.organisation_id == organisation_id, Participant.id.in_(referred)
    )


def sessions_seen_by_organisation(organisation_id: int) -> ColumnElement[bool]:
    """A WHERE clause on a query of `Participant` joined with `ProgramSession` and `Program`
    (with `seen_by_organisation`): the sessions, with their answers and attendance, that the
    organisation's staff may see of each participant. All of its own participants'; of a
    participant referred to it, only the referred program's (a referral to no program in
    particular: the organisation's own programs), as `referral_programs` gives them for one."""
    referred = exists().where(
        Referral.participant_id == Participant.id,
        Referral.partner_id == organisation_id,
        Referral.status == ReferralStatus.ACTIVE,
        or_(
            Referral.program_id == ProgramSession.program_id,
            Referral.program_id.is_(None) & (Program.organisation_id == organisation_id),
        ),
    )
    return (Participant.organisation_id == organisation_id) | referred


def appointments_seen_by_organisation(organisation_id: int) -> ColumnElement[bool]:
    """A WHERE clause on a query of `Participant` joined with their appointments: only an
    organisation's own participants' (a referral shares a program, not one-to-one meetings)."""
    return Participant.organisation_id == organisation_id
