"""Sign-up steps for where a person lives: kota/kabupaten, province, and the time zone that follows."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers import regions
from handlers.choices import normalise, pick
from handlers.flow import WAIT, Turn
from handlers.i18n import _
from handlers.steps import after, is_yes, person, yes_no
from handlers.text import clean_line, esc, fit
from handlers.timefmt import ZONES, format_clock, zone_abbr
from handlers.types import Button, Incoming, Kind


async def ask_city(turn: Turn) -> None:
    turn.say(
        _(
            "Which city or regency (kota/kabupaten) do you live in? "
            "Type its name, for example: Kota Ambon or Kabupaten Serang."
        )
    )


async def city(turn: Turn, incoming: Incoming) -> str | None:
    """They named their kota/kabupaten, or picked one of our suggestions."""
    if incoming.kind == Kind.BUTTON:
        if incoming.payload == "city:none":
            return "signup.province"
        found = regions.regency_by_key((incoming.payload or "").removeprefix("city:"))
        if found is None:
            turn.say(_("That button is no longer valid."))
            return None
        return _set_regency(turn, found)
    typed = clean_line(incoming.text)[:80]
    matches = regions.match_regencies(typed)
    if len(matches) == 1:
        return _set_regency(turn, matches[0])
    if matches:
        turn.say(_("There are several with that name. Which one?"), _regency_buttons(turn, matches))
        return WAIT
    suggestions = regions.suggest_regencies(typed)
    if suggestions:
        turn.say(
            _('I could not find "{place}". Did you mean one of these?').format(place=esc(typed)),
            (*_regency_buttons(turn, suggestions), Button(_("None of these"), "city:none")),
        )
        return WAIT
    if len(normalise(typed)) < 3:
        turn.say(_("Please type the name of your city or regency."))
        return None
    turn.remember(typed_city=typed)
    return "signup.province"


def _regency_buttons(turn: Turn, found: list[regions.Regency]) -> tuple[Button, ...]:
    return tuple(Button(fit(r.label(turn.language)), f"city:{r.key}") for r in found[:9])


def _set_regency(turn: Turn, regency: regions.Regency) -> str:
    participant = person(turn)
    participant.city = regency.label("id")
    participant.city_key = regency.key
    participant.province = regency.province
    participant.timezone = regions.province(regency.province).timezone
    turn.forget("typed_city")
    return "signup.zone"


async def ask_province(turn: Turn) -> None:
    turn.say(_("Which province is that in?"))


async def province(turn: Turn, incoming: Incoming) -> str | None:
    """They named their province (when we did not know their city)."""
    typed = (
        incoming.payload.removeprefix("prov:") if incoming.payload else clean_line(incoming.text)
    )
    found = regions.match_province(typed)
    if found is None:
        suggestions = regions.suggest_provinces(typed)
        if suggestions:
            turn.say(
                _("Did you mean one of these provinces?"),
                tuple(Button(fit(p.name), f"prov:{p.name}") for p in suggestions),
            )
            return WAIT
        turn.say(_("Sorry, I don't know that province. Please type it again, e.g. Jawa Tengah."))
        return None
    participant = person(turn)
    participant.city = turn.data.get("typed_city") or participant.city
    participant.city_key = None
    participant.province = found.name
    participant.timezone = found.timezone
    turn.forget("typed_city")
    return "signup.zone"


async def ask_zone(turn: Turn) -> None:
    participant = person(turn)
    place = ", ".join(p for p in (participant.city, participant.province) if p)
    turn.say(
        _(
            "So you live in <b>{place}</b>. The time there is {zone}; it is now {clock}. "
            "Is that right?"
        ).format(
            place=esc(place),
            zone=zone_abbr(participant.timezone),
            clock=format_clock(datetime.now(UTC), participant.timezone, turn.language),
        ),
        (Button(_("Yes, that's right"), "zone:yes"), Button(_("No"), "zone:no")),
    )


async def zone(turn: Turn, incoming: Incoming) -> str | None:
    """They confirmed the time zone we inferred from their place."""
    choice = pick(incoming, yes_no("zone", _("Yes, that's right"), _("No")))
    if choice is None:
        return _zone_typed(turn, incoming)
    if not is_yes(choice):
        return "signup.zone_pick"
    return after(turn, "signup.phone")


async def ask_zone_pick(turn: Turn) -> None:
    turn.say(
        _("Which time zone do you use?"),
        (
            Button("WIB (UTC+7)", "zone:WIB"),
            Button("WITA (UTC+8)", "zone:WITA"),
            Button("WIT (UTC+9)", "zone:WIT"),
            Button(_("Change city"), "zone:city"),
        ),
    )


async def zone_pick(turn: Turn, incoming: Incoming) -> str | None:
    """They chose WIB, WITA or WIT themselves, or want to give another city."""
    if incoming.payload == "zone:city":
        return "signup.city"
    return _zone_typed(turn, incoming)


def _zone_typed(turn: Turn, incoming: Incoming) -> str | None:
    key = (incoming.payload or "").removeprefix("zone:") or normalise(incoming.text).upper()
    if key not in ZONES:
        turn.say(_("Please choose WIB, WITA or WIT."))
        return None
    person(turn).timezone = ZONES[key]
    return after(turn, "signup.phone")
