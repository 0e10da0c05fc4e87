"""The alert kinds of the outbox: an alert to a staff member, and its escalation to the admins.
Both are rendered when sent, in the reader's language, from the flag as it is then. Outside
WhatsApp's 24 hours they go as the `alert` template: who and what in one line, "Buka" to see
every answer with the alert's buttons, "Saya tangani" to take it on from the lock screen."""

from __future__ import annotations

from handlers.alerts.compose import alert_summary, alert_text
from handlers.alerts.staff import alert_buttons, alert_template
from handlers.i18n import _
from handlers.outbox.registry import Draft, Skip, register
from handlers.types import Reply
from storage.models import Flag, FlagStatus, OutboxKind, ScheduledStatus


async def _flags_of(draft: Draft) -> list[Flag]:
    """The alert's flags that still exist (none once its participant was erased)."""
    data = draft.row.data
    ids = data.get("flags") if data else None
    if not isinstance(ids, list):
        return []
    found = [await draft.tx.get(Flag, flag_id) for flag_id in ids if isinstance(flag_id, int)]
    return [flag for flag in found if flag is not None]


async def _alert(draft: Draft) -> Reply | Skip:
    flags = await _flags_of(draft)
    if not flags:
        return Skip(ScheduledStatus.CANCELLED, "alert forgotten (its participant was erased)")
    text = await alert_text(draft.tx, flags, draft.reader.timezone, draft.reader.language)
    template = alert_template(flags, *await alert_summary(draft.tx, flags))
    return Reply(text, alert_buttons(flags), template=template)


async def _escalation(draft: Draft) -> Reply | Skip:
    flags = await _flags_of(draft)
    if not flags:
        return Skip(ScheduledStatus.CANCELLED, "alert forgotten (its participant was erased)")
    if all(f.status != FlagStatus.OPEN for f in flags) or any(f.acknowledged_at for f in flags):
        return Skip(ScheduledStatus.CANCELLED, "alert taken on in time")
    hours = (draft.row.data or {}).get("hours", 0)
    head = _("⏫ Nobody has taken this alert on in {hours} hours:").format(hours=hours)
    body = await alert_text(draft.tx, flags, draft.reader.timezone, draft.reader.language)
    text = f"{head}\n\n{body}"
    who, what = await alert_summary(draft.tx, flags)
    return Reply(text, alert_buttons(flags), template=alert_template(flags, who, f"{head} {what}"))


register(OutboxKind.STAFF_ALERT, render=_alert)
register(OutboxKind.ALERT_ESCALATION, render=_escalation)
