"""The pre-release and re-link codes: made, linked to, and found again by id at the claim.

A code is made like every one-time code (handlers/staff/codes.py); this module adds the row for
one participant with an exact expiry (the audit row is the caller's: PRERELEASE or RELINK).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.flow import FlowSettings
from handlers.staff.codes import code_hash, new_code
from handlers.staff.links import invite_links as staff_links
from storage.models import Invite
from storage.staff.invites import add_invite

PRERELEASE_GRACE = timedelta(days=14)  # a pre-release code works this long after the release day
RELINK_TTL = timedelta(hours=48)


@dataclass(frozen=True)
class Link:
    channel: str  # "telegram", "whatsapp"
    url: str


async def make_invite(
    tx: AsyncSession,
    *,
    kind: str,
    organisation_id: int,
    participant_id: int,
    expires_at: datetime,
    created_by: int | None,
    now: datetime,
) -> tuple[Invite, str]:
    """A new one-time code for `participant_id`: the invite row (hash only) and the code, which
    is shown once and stored nowhere."""
    code = new_code()
    invite = await add_invite(
        tx,
        Invite(
            kind=kind,
            code_hash=code_hash(code),
            organisation_id=organisation_id,
            participant_id=participant_id,
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
        ),
    )
    return invite, code


def invite_links(
    code: str, *, telegram_username: str | None, whatsapp_number: str | None
) -> list[Link]:
    """A Telegram deep link (`/start <code>`) and a WhatsApp click-to-chat link whose pre-filled
    message carries the code, for the bots this deployment has (made by handlers/staff/links.py,
    like a staff invite's)."""
    digits = "".join(ch for ch in whatsapp_number or "" if ch.isdigit()) or None
    made = staff_links(
        code, FlowSettings(telegram_username=telegram_username, whatsapp_number=digits)
    )
    return [
        Link(channel, url)
        for channel, url in (("telegram", made.telegram), ("whatsapp", made.whatsapp))
        if url
    ]
