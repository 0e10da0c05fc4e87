"""What a participant's card shows, loaded with a fixed number of statements whatever the
person's history (no query per session, note or referral)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import (
    Address,
    Appointment,
    Enrolment,
    Flag,
    FlagStatus,
    Note,
    Occurrence,
    Organisation,
    Participant,
    Program,
    ProgramSession,
    Referral,
    Staff,
)
from storage.staff.notes import latest_notes


@dataclass(frozen=True)
class ReferralLine:
    referral: Referral
    partner: str  # the partner organisation's name
    program: str | None


@dataclass(frozen=True)
class CardData:
    organisation: str | None
    caseworker: str | None
    addresses: list[Address]
    enrolments: list[Enrolment]  # sessions (with their program), oldest first
    occurrences: list[Occurrence]  # appointments' dated meetings, oldest first
    referrals: list[ReferralLine]
    notes: list[tuple[Note, str | None]]  # newest first, with the author's name
    note_count: int
    open_flags: int


async def card_data(
    tx: AsyncSession,
    participant: Participant,
    *,
    organisation_id: int,
    partner: bool,
    notes: int,
) -> CardData:
    """Everything the card of `participant` shows to a staff member of `organisation_id`.
    `partner`: that organisation sees them through a referral, so only its own programs'
    sessions and appointments, its own referrals, and no notes or flags."""
    caseworker = aliased(Staff)
    names = (
        await tx.execute(
            select(Organisation.name, caseworker.name)
            .select_from(Participant)
            .outerjoin(Organisation, Organisation.id == Participant.organisation_id)
            .outerjoin(caseworker, caseworker.id == Participant.caseworker_id)
            .where(Participant.id == participant.id)
        )
    ).one()
    addresses = await tx.execute(
        select(Address).where(Address.participant_id == participant.id).order_by(Address.id)
    )
    enrolments = (
        select(Enrolment)
        .join(ProgramSession, ProgramSession.id == Enrolment.session_id)
        .where(Enrolment.participant_id == participant.id)
        .order_by(ProgramSession.starts_at, Enrolment.id)
    )
    occurrences = (
        select(Occurrence)
        .join(Appointment, Appointment.id == Occurrence.appointment_id)
        .where(Appointment.participant_id == participant.id)
        .order_by(Occurrence.starts_at, Occurrence.id)
    )
    partner_org, program = aliased(Organisation), aliased(Program)
    referrals = (
        select(Referral, partner_org.name, program.name)
        .join(partner_org, partner_org.id == Referral.partner_id)
        .outerjoin(program, program.id == Referral.program_id)
        .where(Referral.participant_id == participant.id)
        .order_by(Referral.id)
    )
    if partner:
        own_programs = select(Program.id).where(Program.organisation_id == organisation_id)
        enrolments = enrolments.where(ProgramSession.program_id.in_(own_programs))
        occurrences = occurrences.where(Appointment.organisation_id == organisation_id)
        referrals = referrals.where(Referral.partner_id == organisation_id)
    note_rows: list[tuple[Note, str | None]] = []
    note_count = open_flags = 0
    if not partner:
        note_rows, note_count = await latest_notes(tx, participant.id, organisation_id, limit=notes)
        open_flags = (
            await tx.execute(
                select(func.count(Flag.id)).where(
                    Flag.participant_id == participant.id, Flag.status == FlagStatus.OPEN
                )
            )
        ).scalar_one()
    return CardData(
        organisation=names[0],
        caseworker=names[1],
        addresses=list(addresses.scalars()),
        enrolments=list((await tx.execute(enrolments)).scalars().unique()),
        occurrences=list((await tx.execute(occurrences)).scalars().unique()),
        referrals=[
            ReferralLine(referral, partner_name, program_name)
            for referral, partner_name, program_name in (await tx.execute(referrals)).tuples()
        ],
        notes=note_rows,
        note_count=int(note_count),
        open_flags=int(open_flags),
    )


def last_inbound(addresses: list[Address]) -> datetime | None:
    seen = [a.last_inbound_at for a in addresses if a.last_inbound_at is not None]
    return max(seen) if seen else None
