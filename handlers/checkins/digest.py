"""The digest's check-in sections: open alerts (the most urgent of all), the check-ins since the
last digest, and the people who stopped answering them (handlers/digest/sections.py finds
this module by itself)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.digest.sections import DigestScope, Item, first_name, section
from handlers.i18n import N_, _
from handlers.staff.cards.checkins import MOOD_EMOJI
from handlers.text import esc
from storage.checkins.views import Alert, checkins_since, open_alerts, stopped_responding
from storage.models import CheckinStatus, FlagReason
from storage.staff.digest_queries import Person

REASONS = {
    FlagReason.LOW_MOOD: N_("feels very bad"),
    FlagReason.NO_HOME: N_("no safe place to live"),
    FlagReason.WANTS_CONTACT: N_("asks you to contact them"),
    FlagReason.SELF_HARM: N_("may want to hurt themselves"),
    FlagReason.VIOLENCE: N_("violence or threats"),
    FlagReason.ARREST: N_("arrested or held"),
    FlagReason.RELAPSE: N_("using again"),
    FlagReason.HARDSHIP: N_("asks for help"),
    FlagReason.MESSAGE: N_("a message waits"),
}


def _reason(code: str) -> str:
    return _(REASONS[code]) if code in REASONS else code


def _who(person: Person) -> str:
    return f"#{person.id} {esc(first_name(person.name))}"


def _item(key: str, line: str, person: Person, *, still_open: bool = False) -> Item:
    return Item(
        key=key,
        line=line,
        participant_id=person.id,
        first_name=first_name(person.name),
        still_open=still_open,
        caseworker_id=person.caseworker_id,
    )


def arrow(mood: int, previous: int | None) -> str:
    """ "🙂 4 ↑": their mood, and which way it went since their check-in before."""
    shown = f"{MOOD_EMOJI.get(mood, '?')} {mood}"
    if previous is None:
        return shown
    return shown + " " + ("↑" if mood > previous else "↓" if mood < previous else "→")


@section("checkin_alerts", 5, N_("Open alerts"))
async def alerts(tx: AsyncSession, scope: DigestScope) -> list[Item]:
    """One line a person, their open alerts together; repeated every day until resolved."""
    mine: dict[int, list[Alert]] = {}
    for alert in await open_alerts(tx, scope.people):  # the urgent first
        mine.setdefault(alert.person.id, []).append(alert)
    items = []
    for found in mine.values():
        person = found[0].person
        what = ", ".join(dict.fromkeys(_reason(alert.reason) for alert in found))
        line = _("{who}: {what}").format(who=_who(person), what=what)
        if any(alert.urgent for alert in found):
            line = "⚠️ " + line
        key = "alert:" + ",".join(str(alert.flag_id) for alert in found)
        items.append(_item(key, line, person, still_open=True))
    return items


@section("checkins", 25, N_("Check-ins since the last digest"), needs_attention=False)
async def checkins(tx: AsyncSession, scope: DigestScope) -> list[Item]:
    """Each told once (what the last digest reported is not repeated)."""
    items = []
    for answered in await checkins_since(tx, scope.people, scope.since):
        parts = [_who(answered.person)]
        if answered.mood is not None:
            parts.append(arrow(answered.mood, answered.previous_mood))
        if answered.status == CheckinStatus.PARTIAL:
            parts.append(_("partial"))
        if answered.flags:
            order = list(REASONS)
            codes = sorted(set(answered.flags), key=lambda c: order.index(c) if c in order else 99)
            parts.append("⚠️ " + ", ".join(_reason(code) for code in codes))
        items.append(_item(f"checkin:{answered.checkin_id}", " · ".join(parts), answered.person))
    return items


@section("unresponsive", 45, N_("Stopped answering check-ins"), state=True)
async def unresponsive(tx: AsyncSession, scope: DigestScope) -> list[Item]:
    """Told once; told again only if they answer one and then stop again."""
    return [
        _item(
            f"quiet:{person.id}",
            _("{who} did not answer the last two check-ins").format(who=_who(person)),
            person,
        )
        for person in await stopped_responding(tx, scope.people)
    ]
