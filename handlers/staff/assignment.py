"""Which organisation serves a participant, and their caseworker: rules at sign-up, then staff
(or the command line) assign and reassign."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.programs.admin import Refused
from handlers.staff.audit import AuditAction, audit
from handlers.staff.scope import StaffView, participant_in_scope
from storage.models import AssignmentRule, Organisation, Participant, Program, Staff, StaffStatus
from storage.staff.accounts import add_rule, first_program_of, matching_rule

# A start code that names an organisation: a poster's link https://t.me/<bot>?start=org3
ORG_START_CODE = re.compile(r"^org-?(\d{1,9})$", re.IGNORECASE)


async def assign_at_signup(
    tx: AsyncSession, participant: Participant, *, channel: str, now: datetime
) -> None:
    """Give a participant who just signed up an organisation and maybe a caseworker: the most
    specific rule (their first program's, else their city's); else the organisation their start
    code names; else the only organisation there is. One already placed (registered by staff
    before release) keeps their place. None of these: only the command line sees them, until
    an operator runs `pendamping participants assign`."""
    if participant.organisation_id is not None:
        return
    program_id = await first_program_of(tx, participant.id)
    rule = await matching_rule(tx, program_id=program_id, city_key=participant.city_key)
    if rule is not None:
        participant.organisation_id = rule.organisation_id
        participant.caseworker_id = rule.caseworker_id
        why = f"sign-up, rule {rule.id}"
    elif (named := await _organisation_of_start_code(tx, participant.start_code)) is not None:
        participant.organisation_id = named
        why = "sign-up, start code"
    elif (only := await _only_organisation(tx)) is not None:
        participant.organisation_id = only
        why = "sign-up, the only organisation"
    else:
        return
    await audit(
        tx,
        staff=None,
        action=AuditAction.ASSIGN,
        channel=channel,
        now=now,
        participant_id=participant.id,
        organisation_id=participant.organisation_id,
        detail=why,
    )


async def _organisation_of_start_code(tx: AsyncSession, start_code: str | None) -> int | None:
    found = ORG_START_CODE.match((start_code or "").strip())
    if found is None:
        return None
    org = await tx.get(Organisation, int(found.group(1)))
    return org.id if org is not None else None


async def _only_organisation(tx: AsyncSession) -> int | None:
    ids = list((await tx.execute(select(Organisation.id).limit(2))).scalars())
    return ids[0] if len(ids) == 1 else None


async def assign(
    tx: AsyncSession,
    participant_id: int,
    *,
    organisation_id: int,
    caseworker_id: int | None,
    now: datetime,
) -> Participant:
    """The command line's assignment: any participant, to any organisation and (optionally) a
    caseworker of it. Refused says why."""
    participant = await tx.get(Participant, participant_id)
    if participant is None:
        raise Refused(
            f"there is no participant {participant_id}; see `pendamping participants list`"
        )
    if caseworker_id is not None:
        await _caseworker_of(tx, caseworker_id, organisation_id)
    participant.organisation_id = organisation_id
    participant.caseworker_id = caseworker_id
    await audit(
        tx,
        staff=None,
        action=AuditAction.ASSIGN,
        channel="cli",
        now=now,
        participant_id=participant.id,
        organisation_id=organisation_id,
        detail=f"caseworker {caseworker_id}" if caseworker_id else "no caseworker",
    )
    return participant


class Reassigned(StrEnum):
    DONE = "done"
    NO_PARTICIPANT = "no_participant"  # unknown, or not theirs to act on: the same answer
    NO_CASEWORKER = "no_caseworker"  # not an active caseworker of the participant's organisation


async def reassign(
    tx: AsyncSession,
    staff: StaffView,
    participant_id: int | str,
    caseworker_id: int | None,
    now: datetime,
    *,
    channel: str,
) -> Reassigned:
    """A staff member gives a participant they may act on (scope, `act=True`) another
    caseworker of the participant's organisation (None: nobody)."""
    participant = await participant_in_scope(tx, staff, participant_id, act=True)
    if participant is None or participant.organisation_id is None:
        return Reassigned.NO_PARTICIPANT
    if caseworker_id is not None:
        try:
            await _caseworker_of(tx, caseworker_id, participant.organisation_id)
        except Refused:
            return Reassigned.NO_CASEWORKER
    participant.caseworker_id = caseworker_id
    await audit(
        tx,
        staff=staff,
        action=AuditAction.ASSIGN,
        channel=channel,
        now=now,
        participant_id=participant.id,
        organisation_id=participant.organisation_id,
        detail=f"caseworker {caseworker_id}" if caseworker_id else "no caseworker",
    )
    return Reassigned.DONE


async def _caseworker_of(tx: AsyncSession, staff_id: int, organisation_id: int) -> Staff:
    staff = await tx.get(Staff, staff_id)
    if (
        staff is None
        or staff.organisation_id != organisation_id
        or staff.status != StaffStatus.ACTIVE
    ):
        raise Refused(
            f"staff member {staff_id} is not an active staff member of organisation "
            f"{organisation_id}; see `pendamping staff list --org {organisation_id}`"
        )
    return staff


@dataclass(frozen=True)
class RuleTarget:
    city_key: str | None = None
    program_id: int | None = None


async def add_assignment_rule(
    tx: AsyncSession,
    *,
    organisation_id: int,
    caseworker_id: int,
    target: RuleTarget,
    now: datetime,
) -> AssignmentRule:
    """A rule of the command line's: new sign-ups of `target` go to this caseworker."""
    if (target.city_key is None) == (target.program_id is None):
        raise Refused("give either a city or a program, not both")
    await _caseworker_of(tx, caseworker_id, organisation_id)
    if target.program_id is not None:
        program = await tx.get(Program, target.program_id)
        if program is None:
            raise Refused(
                f"there is no program {target.program_id}; see `pendamping programs list`"
            )
    rule = await add_rule(
        tx,
        AssignmentRule(
            organisation_id=organisation_id,
            caseworker_id=caseworker_id,
            city_key=target.city_key,
            program_id=target.program_id,
            created_at=now,
        ),
    )
    await audit(
        tx,
        staff=None,
        action=AuditAction.RULE,
        channel="cli",
        now=now,
        organisation_id=organisation_id,
        detail=f"rule {rule.id}: caseworker {caseworker_id}",
    )
    return rule
