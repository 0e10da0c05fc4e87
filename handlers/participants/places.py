"""Sign-up steps for where a person lives: kota/kabupaten, province, and the time zone that follows.

Every place question takes a place at any time ("bukan, saya di ambon" at the confirmation, a
city at the time-zone picker or the province question), a number for a button shown, and "ganti
kota" or "kembali" to go back to the city question, so no answer leaves a person going round.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from handlers.flow import WAIT, Turn
from handlers.i18n import _
from handlers.participants.steps import after, is_yes, person, yes_no
from handlers.regions import search as regions
from handlers.text import clean_line, esc, fit
from handlers.timefmt import ZONES, format_clock, zone_abbr
from handlers.types import Button, Incoming, Kind
from handlers.understanding.choices import NO_WORDS, YES_WORDS, normalise, normalised_set, pick

TYPED_MAX = 80
OFFER = "place_offer"  # the payloads of the place buttons shown last, for a typed number
BACK_WORDS = (
    "ganti kota", "ganti", "ubah kota", "ubah", "kota lain", "salah kota", "kota salah",
    "kota nya salah", "bukan kota itu", "kembali", "balik", "ulang", "ulangi", "batal",
    "tidak tahu", "gak tahu", "ga tahu", "nggak tahu", "tidak tau", "gak tau", "ga tau",
    "nggak tau", "gatau", "lupa", "bingung", "change city", "back", "don't know",
)  # fmt: skip
NONE_WORDS = ("tidak ada", "gak ada", "ga ada", "bukan semua", "lain", "yang lain", "none")
# Ways of naming a zone: "WIT", "waktu indonesia timur", "UTC+9" (normalised: "utc 9").
ZONE_WORDS = {
    "WIB": ("wib", "indonesia barat", "utc 7", "gmt 7"),
    "WITA": ("wita", "indonesia tengah", "utc 8", "gmt 8"),
    "WIT": ("wit", "indonesia timur", "utc 9", "gmt 9"),
}
YES_NO = YES_WORDS + NO_WORDS
# Words that name no place in an answer to a place question.
CHATTER = (*YES_NO, "itu", "ini", "kota", "kotanya", "kabupaten", "zona", "zonanya", "waktu",
           "waktunya", "jam", "jamnya", "sekali", "dong", "kok", "sih", "nya", "tapi", "semua",
           "saya", "sudah", "udah")  # fmt: skip
# A denial and what it denies, up to "tapi" or a comma: "bukan kota serang, tapi ...".
_DENIED = re.compile(
    r"\b(?:bukan|tidak|tdk|gak|ga|nggak|salah|no)\b[^,.;!?]*?"
    r"(?=\b(?:tapi|tetapi|melainkan|namun|but)\b|[,.;!?]|$)",
    re.IGNORECASE,
)
CITY_AGAIN = "place:city"
OLD_CITY_AGAIN = "zone:city"  # on pickers shown before "place:city"


async def ask_city(turn: Turn) -> None:
    turn.forget(OFFER)
    turn.say(
        _(
            "Which city or regency (kota/kabupaten) do you live in? "
            "Type its name, for example: Kota Ambon or Kabupaten Serang."
        )
    )


async def city(turn: Turn, incoming: Incoming) -> str | None:
    """They named their kota/kabupaten, or picked one of our suggestions."""
    incoming = _offered(turn, incoming)
    if incoming.kind == Kind.BUTTON:
        return _pressed(turn, incoming)
    typed = clean_line(incoming.text)[:TYPED_MAX]
    words = normalise(typed)
    if turn.data.get(OFFER) and words in normalised_set(NONE_WORDS + NO_WORDS):
        return "signup.province"  # none of the suggestions
    not_a_place = words in normalised_set(BACK_WORDS) or _chatter_only(typed)
    found = None if not_a_place else _place(turn, typed, suggest=True)
    if found is not None:
        return found
    if not_a_place or len(words) < 3 or any(ch.isdigit() for ch in words):
        turn.say(_("Please type the name of your city or regency."))
        return None
    named = regions.match_province(typed)
    if named is not None:  # "bali": the province is known; which kota/kabupaten in it?
        turn.remember(city_province=named.name)
        turn.say(
            _("{province} is a province. Which city or regency in {province}?").format(
                province=esc(named.name)
            )
        )
        return WAIT
    turn.remember(typed_city=typed)
    known = turn.data.get("city_province")
    if known:
        return _set_province(turn, regions.province(known))
    return "signup.province"


def _pressed(turn: Turn, incoming: Incoming) -> str | None:
    """A place button: a suggested city, "None of these", a province, or "Change city"."""
    payload = incoming.payload or ""
    if payload in (CITY_AGAIN, OLD_CITY_AGAIN):
        return "signup.city"
    if payload == "city:none":
        return "signup.province"
    if payload.startswith("prov:"):
        found_province = regions.match_province(payload.removeprefix("prov:"))
        if found_province is not None:
            return _set_province(turn, found_province)
    found = regions.regency_by_key(payload.removeprefix("city:"))
    if not payload.startswith("city:") or found is None:
        turn.say(_("That button is no longer valid."))
        return None
    return _set_regency(turn, found)


def _offered(turn: Turn, incoming: Incoming) -> Incoming:
    """A typed number for one of the place buttons shown last is that button."""
    offer = turn.data.get(OFFER) or []
    text = normalise(incoming.text) if incoming.kind == Kind.TEXT else ""
    if text.isdigit() and 1 <= int(text) <= len(offer):
        return replace(incoming, kind=Kind.BUTTON, payload=offer[int(text) - 1])
    return incoming


def _offer(turn: Turn, text: str, found: tuple[Button, ...]) -> str:
    turn.remember(**{OFFER: [b.payload for b in found]})
    turn.say(text, found)
    return WAIT


def _place(turn: Turn, typed: str, *, suggest: bool) -> str | None:
    """The next state if the text names a kota/kabupaten (or, with `suggest`, looks like one
    mistyped), else None. A province alone counts only where a city was not asked for."""
    matches = regions.match_regencies(typed)
    if len(matches) == 1:
        return _set_regency(turn, matches[0])
    if matches:
        text = _("There are several with that name. Which one?")
        return _offer(turn, text, _regency_buttons(turn, matches))
    if not suggest or any(ch.isdigit() for ch in typed):
        return None
    suggestions = regions.suggest_regencies(typed)
    if not suggestions:
        return None
    turn.remember(typed_city=typed)
    return _offer(
        turn,
        _('I could not find "{place}". Did you mean one of these?').format(place=esc(typed)),
        (*_regency_buttons(turn, suggestions), Button(_("None of these"), "city:none")),
    )


def _regency_buttons(turn: Turn, found: list[regions.Regency]) -> tuple[Button, ...]:
    return tuple(Button(fit(r.label(turn.language)), f"city:{r.key}") for r in found[:9])


def _set_regency(turn: Turn, regency: regions.Regency) -> str:
    participant = person(turn)
    participant.city = regency.label("id")
    participant.city_key = regency.key
    participant.province = regency.province
    participant.timezone = regions.province(regency.province).timezone
    turn.forget("typed_city", "city_province", OFFER)
    return "signup.zone"


def _set_province(turn: Turn, found: regions.Province) -> str:
    """The province (and its zone) without a kota/kabupaten we know: the one they typed is
    kept, or the one we had if it is in that province."""
    participant = person(turn)
    typed = turn.data.get("typed_city")
    if typed:
        participant.city, participant.city_key = typed, None
    elif participant.province != found.name:
        participant.city, participant.city_key = None, None
    participant.province = found.name
    participant.timezone = found.timezone
    turn.forget("typed_city", "city_province", OFFER)
    return "signup.zone"


async def ask_province(turn: Turn) -> None:
    turn.forget(OFFER)
    turn.say(_("Which province is that in?"), (Button(_("Change city"), CITY_AGAIN),))


async def province(turn: Turn, incoming: Incoming) -> str | None:
    """They named their province (when we did not know their city)."""
    incoming = _offered(turn, incoming)
    if incoming.kind == Kind.BUTTON:
        return _pressed(turn, incoming)
    typed = clean_line(incoming.text)[:TYPED_MAX]
    if normalise(typed) in normalised_set(BACK_WORDS + NO_WORDS):
        return "signup.city"
    found = regions.match_province(typed)
    if found is not None:
        return _set_province(turn, found)
    city_named = _place(turn, typed, suggest=False)
    if city_named is not None:
        return city_named
    suggestions = regions.suggest_provinces(typed)
    if suggestions:
        return _offer(
            turn,
            _("Did you mean one of these provinces?"),
            (
                *(Button(fit(p.name), f"prov:{p.name}") for p in suggestions),
                Button(_("Change city"), CITY_AGAIN),
            ),
        )
    turn.say(_("Sorry, I don't know that province. Please type it again, e.g. Jawa Tengah."))
    return None


async def ask_zone(turn: Turn) -> None:
    turn.forget(OFFER)
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
    """They confirmed the place and time zone, said no, or typed a correction."""
    incoming = _offered(turn, incoming)
    if _is_place_button(incoming):
        return _pressed(turn, incoming)
    corrected = _correction(turn, incoming)
    if corrected is not None:
        return corrected
    choice = pick(incoming, yes_no("zone", _("Yes, that's right"), _("No")))
    if choice is None:
        turn.say(
            _(
                'Please press "Yes, that\'s right" or "No". '
                "If the city is wrong, you can also type the right one."
            )
        )
        return None
    if not is_yes(choice):
        return "signup.zone_pick"
    return after(turn, "signup.phone")


def _zone_buttons() -> tuple[Button, ...]:
    return (
        Button("WIB (UTC+7)", "zone:WIB"),
        Button("WITA (UTC+8)", "zone:WITA"),
        Button("WIT (UTC+9)", "zone:WIT"),
        Button(_("Change city"), OLD_CITY_AGAIN),
    )


async def ask_zone_pick(turn: Turn) -> None:
    turn.forget(OFFER)
    turn.say(
        _(
            "What is not right? Type the name of your city or regency, "
            "or choose the time zone you use."
        ),
        _zone_buttons(),
    )


async def zone_pick(turn: Turn, incoming: Incoming) -> str | None:
    """They chose WIB, WITA or WIT themselves, typed another place, or want to go back."""
    incoming = _offered(turn, incoming)
    if _is_place_button(incoming):
        return _pressed(turn, incoming)
    if incoming.kind == Kind.TEXT and normalise(incoming.text).isdigit():
        number = int(normalise(incoming.text))
        buttons = _zone_buttons()
        if 1 <= number <= len(buttons):
            incoming = replace(incoming, kind=Kind.BUTTON, payload=buttons[number - 1].payload)
            if incoming.payload == OLD_CITY_AGAIN:
                return "signup.city"
    corrected = _correction(turn, incoming)
    if corrected is not None:
        return corrected
    turn.say(
        _("Please choose WIB, WITA or WIT, or type the name of your city or regency.")
        if incoming.kind == Kind.TEXT
        else _("That button is no longer valid.")
    )
    return None


def _is_place_button(incoming: Incoming) -> bool:
    payload = incoming.payload or ""
    return incoming.kind == Kind.BUTTON and (
        payload.startswith(("city:", "prov:")) or payload in (CITY_AGAIN, OLD_CITY_AGAIN)
    )


def _correction(turn: Turn, incoming: Incoming) -> str | None:
    """A zone pressed or typed ("WIT", "waktu indonesia timur"), "ganti kota", or another
    place typed at the confirmation or the picker: the next state, else None."""
    if incoming.kind == Kind.BUTTON:
        key = (incoming.payload or "").removeprefix("zone:")
        return _set_zone(turn, key) if key in ZONES else None
    if incoming.kind != Kind.TEXT:
        return None
    if normalise(incoming.text) in normalised_set(BACK_WORDS):
        return "signup.city"
    typed = _affirmed(clean_line(incoming.text)[:TYPED_MAX])
    zone_key = _zone_named(normalise(typed))
    if zone_key is not None:
        return _set_zone(turn, zone_key)
    if _chatter_only(typed):
        return None  # "iya betul", "kotanya salah": a yes or a no, read as one
    said_yes_or_no = bool(set(normalise(incoming.text).split()) & normalised_set(YES_NO))
    found = _place(turn, typed, suggest=not said_yes_or_no)
    if found is not None:
        return found
    named = regions.match_province(typed)
    return _set_province(turn, named) if named is not None else None


def _affirmed(text: str) -> str:
    """The text without what it denies: "bukan serang tapi ambon" -> "tapi ambon", "bukan kota
    serang" -> "", "bukan, saya di ambon" -> ", saya di ambon"."""
    return _DENIED.sub(" ", text).strip()


def _chatter_only(text: str) -> bool:
    """Nothing but yes, no and words about the question ("iya betul", "kotanya salah")."""
    return set(normalise(text).split()) <= normalised_set(CHATTER)


def _zone_named(words: str) -> str | None:
    tokens = words.split()
    named = {
        key
        for key, phrases in ZONE_WORDS.items()
        for phrase in phrases
        if any(tokens[i : i + len(phrase.split())] == phrase.split() for i in range(len(tokens)))
    }
    return named.pop() if len(named) == 1 else None


def _set_zone(turn: Turn, key: str) -> str:
    person(turn).timezone = ZONES[key]
    turn.forget(OFFER)
    return after(turn, "signup.phone")
