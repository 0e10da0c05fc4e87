"""The digest's most urgent sections: answers nobody has dealt with, and missed meetings."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digest.sections import DigestScope, Item, first_name, section
from handlers.i18n import N_, _
from handlers.text import esc
from handlers.timefmt import zone_abbr
from storage.staff.digest_queries import Meeting, missed_meetings, unhandled_answers

APPOINTMENT_KINDS = {"counselling": N_("counselling"), "reporting": N_("mandatory reporting")}


def short_when(moment: datetime, timezone: str, language: str) -> str:
    """ "Rab, 2 Des 09.00 WIB": short enough for a phone's line."""
    local = moment.astimezone(ZoneInfo(timezone))
    pattern = "EEE, d MMM HH.mm" if language == "id" else "EEE, d MMM HH:mm"
    return f"{format_datetime(local, pattern, locale=language)} {zone_abbr(timezone)}"


def meeting_title(meeting: Meeting) -> str:
    if meeting.appointment:
        return _(APPOINTMENT_KINDS.get(meeting.title, meeting.title))
    return esc(meeting.title)


def who(meeting: Meeting) -> str:
    return f"#{meeting.person.id} {esc(first_name(meeting.person.name))}"


def _item(key: str, line: str, meeting: Meeting, *, still_open: bool) -> Item:
    return Item(
        key=key,
        line=line,
        participant_id=meeting.person.id,
        first_name=first_name(meeting.person.name),
        still_open=still_open,
        caseworker_id=meeting.person.caseworker_id,
        program=meeting.program,
    )


@section("answers", 10, N_("Asked for another date or cannot come"))
async def unhandled(tx: AsyncSession, scope: DigestScope) -> list[Item]:
    """Open until a staff member deals with it (handled_at): repeated every day till then."""
    items = []
    for meeting in await unhandled_answers(tx, scope.people, scope.since):
        when = short_when(meeting.starts_at, meeting.timezone, scope.language)
        values = {"who": who(meeting), "title": meeting_title(meeting), "when": when}
        if meeting.answer == "reschedule":
            line = _("{who} asks for another date for {title} ({when})").format(**values)
        else:
            line = _("{who} cannot come to {title} ({when})").format(**values)
        items.append(_item(f"answer:{meeting.key}", line, meeting, still_open=True))
    return items


@section("missed", 20, N_("Missed a session"))
async def missed(tx: AsyncSession, scope: DigestScope) -> list[Item]:
    items = []
    for meeting in await missed_meetings(tx, scope.people, scope.since):
        when = short_when(meeting.starts_at, meeting.timezone, scope.language)
        line = _("{who} missed {title} ({when})").format(
            who=who(meeting), title=meeting_title(meeting), when=when
        )
        items.append(_item(f"missed:{meeting.key}", line, meeting, still_open=False))
    return items
