"""Queries on staff members and the chats they use."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Address,
    AssignmentRule,
    Enrolment,
    Membership,
    ProgramSession,
    Staff,
    StaffRole,
    StaffStatus,
)


async def active_staff_of_address(tx: AsyncSession, address_id: int) -> Staff | None:
    """The active staff member whose chat this is (None for a participant's chat, a stranger's,
    or a revoked staff member's)."""
    query = (
        select(Staff)
        .join(Address, Address.staff_id == Staff.id)
        .where(Address.id == address_id, Staff.status == StaffStatus.ACTIVE)
    )
    return (await tx.execute(query)).scalar_one_or_none()


async def staff_of_organisation(tx: AsyncSession, organisation_id: int) -> list[Staff]:
    query = select(Staff).where(Staff.organisation_id == organisation_id).order_by(Staff.id)
    return list((await tx.execute(query)).scalars())


async def active_admins(tx: AsyncSession, organisation_id: int) -> list[Staff]:
    """The organisation's active admins, oldest first (alerts nobody took on and replies with no
    caseworker go to them)."""
    query = (
        select(Staff)
        .where(
            Staff.organisation_id == organisation_id,
            Staff.role == StaffRole.ADMIN,
            Staff.status == StaffStatus.ACTIVE,
        )
        .order_by(Staff.id)
    )
    return list((await tx.execute(query)).scalars())


async def staff_members(tx: AsyncSession, organisation_id: int | None = None) -> list[Staff]:
    """Every staff member (of one organisation), revoked ones too, oldest first."""
    query = select(Staff).order_by(Staff.id)
    if organisation_id is not None:
        query = query.where(Staff.organisation_id == organisation_id)
    return list((await tx.execute(query)).scalars())


async def staff_channels(tx: AsyncSession, staff_ids: Sequence[int]) -> dict[int, list[str]]:
    """The channel names of each staff member's chats ("telegram", "whatsapp")."""
    query = (
        select(Address.staff_id, Address.channel)
        .where(Address.staff_id.in_(staff_ids))
        .order_by(Address.channel)
    )
    found: dict[int, list[str]] = {}
    for staff_id, channel in await tx.execute(query):
        if channel not in found.setdefault(staff_id, []):
            found[staff_id].append(channel)
    return found


async def add_rule(tx: AsyncSession, rule: AssignmentRule) -> AssignmentRule:
    tx.add(rule)
    await tx.flush()
    return rule


async def assignment_rules(
    tx: AsyncSession, organisation_id: int | None = None
) -> list[AssignmentRule]:
    query = select(AssignmentRule).order_by(AssignmentRule.id)
    if organisation_id is not None:
        query = query.where(AssignmentRule.organisation_id == organisation_id)
    return list((await tx.execute(query)).scalars())


async def matching_rule(
    tx: AsyncSession, *, program_id: int | None, city_key: str | None
) -> AssignmentRule | None:
    """The most specific rule whose caseworker is still active: one for the program, else one
    for the city (the oldest first when several organisations have one)."""
    for column, value in (
        (AssignmentRule.program_id, program_id),
        (AssignmentRule.city_key, city_key),
    ):
        if value is None:
            continue
        query = (
            select(AssignmentRule)
            .join(Staff, Staff.id == AssignmentRule.caseworker_id)
            .where(column == value, Staff.status == StaffStatus.ACTIVE)
            .order_by(AssignmentRule.id)
            .limit(1)
        )
        rule = (await tx.execute(query)).scalar_one_or_none()
        if rule is not None:
            return rule
    return None


async def first_program_of(tx: AsyncSession, participant_id: int) -> int | None:
    """The program of the participant's first membership or enrolment (staff may have planned
    it before release), if any."""
    found = [
        row
        for query in (
            select(Membership.created_at, Membership.id, Membership.program_id).where(
                Membership.participant_id == participant_id
            ),
            select(Enrolment.created_at, Enrolment.id, ProgramSession.program_id)
            .join(ProgramSession, ProgramSession.id == Enrolment.session_id)
            .where(Enrolment.participant_id == participant_id),
        )
        for row in (await tx.execute(query.order_by(query.selected_columns[0]).limit(1))).all()
    ]
    return min(found)[2] if found else None


async def staff_addresses(tx: AsyncSession, staff_id: int) -> list[Address]:
    """A staff member's chats (one per channel they joined from)."""
    query = select(Address).where(Address.staff_id == staff_id).order_by(Address.id)
    return list((await tx.execute(query)).scalars())
