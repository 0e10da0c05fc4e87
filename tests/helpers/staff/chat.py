"""Organisations, invites and staff chats made for the staff tests (invites straight through
storage, as the command line makes them)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from handlers.staff.codes import code_hash, new_code
from storage.db import Database
from storage.models import AuditEntry, Invite, InviteKind, Organisation, Participant
from storage.staff.invites import add_invite
from tests.fakes.channel import Person


async def add_organisation(db: Database, name: str) -> int:
    async with db.transaction() as tx:
        organisation = Organisation(name=name, kind="rutan", timezone="Asia/Jakarta")
        tx.add(organisation)
        await tx.flush()
        return organisation.id


async def make_invite(
    db: Database,
    organisation_id: int,
    *,
    now: datetime,
    role: str = "caseworker",
    name: str | None = "Budi Santoso",
    expires_in: timedelta = timedelta(hours=72),
    revoked: bool = False,
) -> str:
    """A staff invite; returns its code (only its hash is stored)."""
    code = new_code()
    async with db.transaction() as tx:
        await add_invite(
            tx,
            Invite(
                kind=InviteKind.STAFF,
                code_hash=code_hash(code),
                organisation_id=organisation_id,
                role=role,
                name=name,
                created_at=now - timedelta(hours=1),
                expires_at=now + expires_in,
                revoked_at=now if revoked else None,
            ),
        )
    return code


async def join_as_staff(
    person: Person, db: Database, organisation_id: int, **invite: object
) -> None:
    """Claim a fresh invite from `person`'s chat and confirm the name."""
    code = await make_invite(db, organisation_id, now=datetime.now(UTC), **invite)  # type: ignore[arg-type]
    await person.says(f"/start {code}")
    if invite.get("name", "Budi Santoso") is None:
        await person.says(str(person.profile_name or "Staf Baru"))
    else:
        await person.presses("claim:yes")


async def place(
    db: Database, participant_id: int, organisation_id: int, caseworker_id: int | None = None
) -> None:
    async with db.transaction() as tx:
        participant = await tx.get(Participant, participant_id)
        assert participant is not None
        participant.organisation_id = organisation_id
        participant.caseworker_id = caseworker_id


async def audit_rows(db: Database) -> list[AuditEntry]:
    async with db.transaction() as tx:
        return list((await tx.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars())
