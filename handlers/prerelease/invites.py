"""The pre-release and re-link codes: made, linked to, and found again by id at the claim.

INTEGRATOR: `make_invite` and `invite_links` stand in for st-cli's `create_invite`
(handlers/staff/invites.py) and `invite_links` (handlers/staff/links.py); merge them with those.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.staff.codes import code_hash, new_code
from storage.invites import add_invite
from storage.models import Invite

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
    message carries the code, for the bots this deployment has."""
    found: list[Link] = []
    if telegram_username:
        found.append(Link("telegram", f"https://t.me/{telegram_username.lstrip('@')}?start={code}"))
    if whatsapp_number:
        digits = "".join(ch for ch in whatsapp_number if ch.isdigit())
        found.append(Link("whatsapp", f"https://wa.me/{digits}?text={quote('KODE ' + code)}"))
    return found
