"""/audit (admins): the latest rows of their organisation's audit log, in their language: what
its staff did, and what anyone (a partner's staff) did about its participants."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.staff.audit import AuditAction
from handlers.staff.commands import staff_command
from handlers.staff.scope import StaffView
from handlers.text import esc
from storage.models import Participant, ParticipantStatus, Staff
from storage.staff.chat import organisation_audit, staff_names

SHOWN = 20

ACTIONS: dict[str, str] = {
    AuditAction.VIEW: N_("viewed"),
    AuditAction.SEARCH: N_("listed participants"),
    AuditAction.EXPORT: N_("exported"),
    AuditAction.NOTE: N_("wrote a note"),
    AuditAction.MESSAGE: N_("sent a message"),
    AuditAction.RELAY: N_("got a participant's reply"),
    AuditAction.BROADCAST: N_("sent a broadcast"),
    AuditAction.REFER: N_("referred"),
    AuditAction.WITHDRAW: N_("withdrew a referral"),
    AuditAction.ASSIGN: N_("assigned"),
    AuditAction.INVITE: N_("made an invite"),
    AuditAction.CLAIM: N_("joined as staff"),
    AuditAction.REVOKE: N_("ended staff access"),
    AuditAction.ROLE: N_("changed a role"),
    AuditAction.PARTNERSHIP: N_("partnership"),
    AuditAction.PRERELEASE: N_("registered before release"),
    AuditAction.RELINK: N_("re-linked a phone"),
    AuditAction.IMPORT: N_("imported sessions"),
}


def _when(moment: datetime, timezone: str, language: str) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo(timezone))
    return format_datetime(local, "d MMM HH.mm", locale=language)


async def show_audit(turn: Turn, staff: StaffView, _args: str) -> None:
    entries = await organisation_audit(turn.tx, staff.organisation_id, limit=SHOWN)
    if not entries:
        turn.say(_("The audit log of your organisation is empty."))
        return
    names = await staff_names(turn.tx, {e.staff_id for e in entries if e.staff_id is not None})
    own = await turn.tx.get(Staff, staff.staff_id)
    timezone = own.timezone if own is not None else turn.settings.default_timezone
    lines = []
    for entry in entries:
        who = esc(names.get(entry.staff_id, "")) if entry.staff_id else _("command line")
        label = ACTIONS.get(entry.action)
        action = _(label) if label is not None else entry.action
        line = f"{_when(entry.at, timezone, staff.language)} · {who} · {action}"
        if entry.participant_id is not None:
            participant = await turn.tx.get(Participant, entry.participant_id)
            erased = participant is None or participant.status == ParticipantStatus.ERASED
            line += " · " + _("participant #{id}").format(id=entry.participant_id)
            if erased:
                line += " " + _("(erased)")
        lines.append(line)
    turn.say(
        _("The latest {count} entries of your organisation's audit log:").format(count=len(lines))
        + "\n\n"
        + "\n".join(lines)
    )


staff_command(
    "audit",
    show_audit,
    N_("Who saw and did what (audit log)"),
    admin_only=True,
    title=N_("Audit log"),
)
