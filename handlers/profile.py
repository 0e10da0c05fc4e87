"""A participant's own data: the summary they see, /profil, and picking a field to change."""

from __future__ import annotations

from handlers.choices import Option, buttons, pick
from handlers.flow import END, Step, Turn
from handlers.i18n import _
from handlers.labels import CATEGORIES, CONTACT_TIMES, INTERESTS, title
from handlers.phones import display_phone
from handlers.text import esc
from handlers.timefmt import zone_abbr
from handlers.types import Button, Incoming
from storage.models import Participant


def describe(participant: Participant) -> str:
    """The participant's data as a short list, person-typed parts escaped."""
    place = ", ".join(p for p in (participant.city, participant.province) if p) or "-"
    interests = ", ".join(title(INTERESTS, c) for c in participant.interests) or "-"
    lines = [
        (_("Name"), esc(participant.name or "-")),
        (_("Group"), title(CATEGORIES, participant.category)),
        (_("Lives in"), esc(place)),
        (_("Time zone"), zone_abbr(participant.timezone)),
        (_("Phone"), display_phone(participant.phone) if participant.phone else _("(not given)")),
        (_("Interests"), interests),
        (_("Best time"), title(CONTACT_TIMES, participant.contact_time)),
        (_("Language"), "Bahasa Indonesia" if participant.language == "id" else "English"),
        (_("Discreet mode"), _("On") if participant.discreet else _("Off")),
    ]
    return "\n".join(f"• {label}: <b>{value}</b>" for label, value in lines)


FIELDS = {
    "name": "signup.name",
    "category": "signup.category",
    "city": "signup.city",
    "phone": "signup.phone",
    "interests": "signup.interests",
    "time": "signup.time",
    "discreet": "signup.discreet",
}


def _field_options() -> list[Option]:
    return [
        Option("edit:name", _("Name"), ("nama",)),
        Option("edit:category", _("Group"), ("kategori", "kelompok")),
        Option("edit:city", _("City"), ("kota", "kabupaten", "alamat", "tempat")),
        Option("edit:phone", _("Phone"), ("nomor", "hp", "telepon", "no hp")),
        Option("edit:interests", _("Interests"), ("minat",)),
        Option("edit:time", _("Best time"), ("waktu", "jam")),
        Option("edit:discreet", _("Discreet mode"), ("rahasia", "diskret", "samaran")),
    ]


async def ask_pick(turn: Turn) -> None:
    turn.say(_("What would you like to change?"), buttons(_field_options()))


async def pick_field(turn: Turn, incoming: Incoming) -> str | None:
    """They chose which part of their data to change."""
    choice = pick(incoming, _field_options())
    if choice is None:
        turn.say(_("Please choose one of the buttons."))
        return None
    if not turn.data.get("return_to"):
        turn.remember(return_to="profile.view")
    return FIELDS[choice.payload.removeprefix("edit:")]


async def ask_view(turn: Turn) -> None:
    assert turn.participant is not None
    turn.forget("return_to")
    turn.say(
        _("Your data:") + "\n\n" + describe(turn.participant),
        (Button(_("Change"), "profile:edit"), Button(_("Close"), "profile:close")),
    )


async def view(turn: Turn, incoming: Incoming) -> str | None:
    """They want to change something in their profile, or are done looking."""
    choice = pick(
        incoming,
        [
            Option("profile:edit", _("Change"), ("ubah", "ganti", "edit")),
            Option("profile:close", _("Close"), ("tutup", "selesai", "sudah", "ok")),
        ],
    )
    if choice is None:
        turn.say(_('Please press "Change" or "Close".'))
        return None
    if choice.payload == "profile:close":
        turn.say(_("All right. Type /bantuan if you need anything."))
        return END
    turn.remember(return_to="profile.view")
    return "edit.pick"


PROFILE: dict[str, Step] = {
    "profile.view": Step(ask_view, view),
    "edit.pick": Step(ask_pick, pick_field),
}
