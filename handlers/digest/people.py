"""The digest's news about people: who stopped or became unreachable, who signed up, and who
is released soon without having claimed their code."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digest.sections import DigestScope, Item, first_name, section
from handlers.i18n import N_, _
from handlers.text import esc
from storage.models import ParticipantStatus
from storage.staff.digest_queries import Change, new_sign_ups, people_gone, releases_ahead

RELEASE_AHEAD = timedelta(days=7)


def _item(key: str, line: str, change: Change, *, still_open: bool = False) -> Item:
    return Item(
        key=key,
        line=line,
        participant_id=change.person.id,
        first_name=first_name(change.person.name),
        still_open=still_open,
        caseworker_id=change.person.caseworker_id,
    )


def _who(change: Change) -> str:
    return f"#{change.person.id} {esc(first_name(change.person.name))}"


@section("gone", 40, N_("Stopped messages or unreachable"), state=True)
async def gone(tx: AsyncSession, scope: DigestScope) -> list[Item]:
    """Told once; told again only if they come back and leave again."""
    items = []
    for change in await people_gone(tx, scope.people):
        if change.status == ParticipantStatus.STOPPED:
            line = _("{who} stopped messages from the bot").format(who=_who(change))
        else:
            line = _("{who} can no longer be reached (blocked the bot?)").format(who=_who(change))
        items.append(_item(f"gone:{change.person.id}:{change.status}", line, change))
    return items


@section("new", 50, N_("New sign-ups"))
async def new(tx: AsyncSession, scope: DigestScope) -> list[Item]:
    items = []
    for change in await new_sign_ups(tx, scope.people, scope.since):
        line = _("{who} signed up and is assigned to you").format(who=_who(change))
        if scope.caseworker_id is None:
            line = _("{who} signed up").format(who=_who(change))
        items.append(_item(f"new:{change.person.id}", line, change))
    return items


@section("releases", 60, N_("Released soon, code not claimed"))
async def releases(tx: AsyncSession, scope: DigestScope) -> list[Item]:
    """Open until they claim their code (or the release is a week past)."""
    items = []
    first = scope.today - RELEASE_AHEAD
    for change in await releases_ahead(tx, scope.people, first, scope.today + RELEASE_AHEAD):
        assert change.on is not None
        day = format_date(change.on, "EEE, d MMM", locale=scope.language)
        if change.on < scope.today:
            line = _("{who} was released on {day} and has not claimed their code")
        else:
            line = _("{who} is released on {day} and has not claimed their code yet")
        items.append(
            _item(
                f"release:{change.person.id}",
                line.format(who=_who(change), day=day),
                change,
                still_open=True,
            )
        )
    return items
