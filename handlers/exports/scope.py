"""Who an export is for, and so which rows it holds: a staff member's export covers what they
may see (handlers/staff/scope.py decides), the command line's the whole organisation named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.staff.scope import (
    StaffView,
    appointments_seen_by_organisation,
    seen_by_organisation,
    sessions_seen_by_organisation,
    visible,
)
from handlers.timefmt import zone_abbr
from storage.models import Organisation


@dataclass(frozen=True)
class ExportScope:
    organisation_id: int
    timezone: str  # the organisation's: every time in the file is shown in it
    staff: StaffView | None  # None: the command line, for the whole organisation
    channel: str  # where it was asked for ("telegram", "whatsapp", "cli"), for the audit log
    now: datetime
    since: datetime | None = None  # only what happened (or signed up) from this moment on

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def zone_name(self) -> str:
        return zone_abbr(self.timezone)

    def participants(self) -> ColumnElement[bool]:
        if self.staff is not None:
            return visible(self.staff)
        return seen_by_organisation(self.organisation_id)

    def sessions(self) -> ColumnElement[bool]:
        return sessions_seen_by_organisation(self.organisation_id)

    def appointments(self) -> ColumnElement[bool]:
        return appointments_seen_by_organisation(self.organisation_id)


async def staff_scope(
    tx: AsyncSession, staff: StaffView, *, channel: str, now: datetime, default_timezone: str
) -> ExportScope:
    """What `staff` may export, read afresh (with their organisation's time zone)."""
    organisation = await tx.get(Organisation, staff.organisation_id)
    timezone = organisation.timezone if organisation is not None else default_timezone
    return ExportScope(staff.organisation_id, timezone, staff, channel, now)


def organisation_scope(
    organisation: Organisation, *, now: datetime, since: datetime | None = None
) -> ExportScope:
    """The whole of `organisation`'s view, as its admins have it: for the command line."""
    return ExportScope(organisation.id, organisation.timezone, None, "cli", now, since)
