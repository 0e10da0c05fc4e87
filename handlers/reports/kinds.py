"""The weekly digest as an outbox kind: its figures and chart drawn when it is sent."""

from __future__ import annotations

import asyncio

from handlers.outbox.registry import Draft, Skip, register
from handlers.reports.chart import draw_weekly
from handlers.reports.weekly import WEEKS, iso_week, this_monday, weekly_figures, weekly_text
from handlers.staff.commands import staff_payload
from handlers.types import Document, Reply, Template
from storage.models import OutboxKind, ScheduledStatus

TEMPLATE = "weekly"  # bot/channels/whatsapp/templates.toml: "your weekly digest is ready"
OPEN_ACTION = "wk"  # "staff:wk:<row id>": the template's Buka (handlers/reports/staff.py)


async def _weekly(draft: Draft) -> Reply | Skip:
    staff = draft.reader.staff
    if staff is None:
        return Skip(ScheduledStatus.FAILED, "a weekly digest is for a staff member")
    if not staff.digest_on:
        return Skip(ScheduledStatus.CANCELLED, "digest turned off")
    if draft.row.event_at is not None and draft.now >= draft.row.event_at:
        return Skip(ScheduledStatus.SKIPPED, "too late: its Monday is over")
    figures = await weekly_figures(draft.tx, staff, draft.now)
    if figures.empty:
        return Skip(ScheduledStatus.SKIPPED, "nothing to chart")
    png = await asyncio.to_thread(draw_weekly, figures)
    week = iso_week(this_monday(draft.now, staff.timezone))
    template = Template(TEMPLATE, (str(WEEKS),), (staff_payload(OPEN_ACTION, draft.row.id),))
    document = Document(f"ringkasan-{week}.png", png, "image/png")
    return Reply(weekly_text(figures), document=document, template=template)


register(OutboxKind.WEEKLY, render=_weekly)
