"""The digest's agenda: today's and tomorrow's sessions and appointments, with the answers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digest.attention import meeting_title, short_when, who
from handlers.digest.sections import DigestScope, Item, first_name, section
from handlers.i18n import N_, _
from handlers.text import esc
from storage.staff.digest_queries import appointments_between, sessions_between

ANSWERS = {"yes": N_("coming"), "no": N_("can't come"), "reschedule": N_("another date")}


@section("agenda", 30, N_("Today and tomorrow"), needs_attention=False)
async def agenda(tx: AsyncSession, scope: DigestScope) -> list[Item]:
    """Shown every day it applies (a schedule is not news that wears off)."""
    start = scope.day_start(scope.today)
    end = scope.day_start(scope.today + timedelta(days=2))
    items = []
    for found in await sessions_between(tx, scope.people, start, end):
        line = _(
            "{when} {title}: {coming} coming · {not_coming} can't come · {silent} no answer yet"
        )
        items.append(
            Item(
                key=f"agenda:s:{found.session_id}:{scope.today.isoformat()}",
                line=line.format(
                    when=short_when(found.starts_at, found.timezone, scope.language),
                    title=esc(found.title),
                    coming=found.coming,
                    not_coming=found.not_coming,
                    silent=found.silent,
                ),
                still_open=True,
                program=found.program,
            )
        )
    for meeting in await appointments_between(tx, scope.people, start, end):
        answer = _(ANSWERS[meeting.answer]) if meeting.answer in ANSWERS else _("no answer yet")
        line = _("{when} {title} with {who}: {answer}").format(
            when=short_when(meeting.starts_at, meeting.timezone, scope.language),
            title=meeting_title(meeting),
            who=who(meeting),
            answer=answer,
        )
        items.append(
            Item(
                key=f"agenda:{meeting.key}:{scope.today.isoformat()}",
                line=line,
                participant_id=meeting.person.id,
                first_name=first_name(meeting.person.name),
                still_open=True,
                caseworker_id=meeting.person.caseworker_id,
                program=meeting.program,
            )
        )
    return items
