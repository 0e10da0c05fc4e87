"""A participant's own data: the summary they see, /profil, and picking a field to change."""

from __future__ import annotations

from handlers.flow import END, Step, Turn
from handlers.i18n import _
from handlers.participants.labels import CATEGORIES, CONTACT_TIMES, INTERESTS, title
from handlers.partners.consent import partners_section
from handlers.text import esc
from handlers.timefmt import zone_abbr
from handlers.types import Button, Incoming, Kind
from handlers.understanding.choices import Option, buttons, pick
from handlers.understanding.phones import display_phone
from storage.addresses import addresses_of
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


BACK_WORDS = ("kembali", "batal", "tidak jadi", "gak jadi", "ga jadi", "nggak jadi", "tidak ada",
              "gak ada", "tidak", "gak", "nggak", "selesai", "sudah", "cukup", "back")  # fmt: skip


def _field_options() -> list[Option]:
    return [
        Option("edit:name", _("Name"), ("nama", "namanya")),
        Option("edit:category", _("Group"), ("kategori", "kelompok", "golongan")),
        Option(
            "edit:city",
            _("City"),
            ("kota", "kotanya", "kabupaten", "kab", "alamat", "alamatnya", "domisili"),
        ),
        Option(
            "edit:phone", _("Phone"), ("nomor", "nomornya", "hp", "telepon", "no hp", "nomer", "wa")
        ),
        Option("edit:interests", _("Interests"), ("minat", "minatnya", "pilihan")),
        Option("edit:time", _("Best time"), ("waktu", "waktunya", "jam")),
        Option("edit:discreet", _("Discreet mode"), ("rahasia", "diskret", "samaran")),
    ]


def field_named(incoming: Incoming) -> str | None:
    """The state for changing the field a typed answer names ("ganti kota"), if it names one."""
    if incoming.kind != Kind.TEXT:
        return None
    choice = pick(incoming, _field_options(), numbers=False)
    return FIELDS[choice.payload.removeprefix("edit:")] if choice is not None else None


async def ask_pick(turn: Turn) -> None:
    turn.say(
        _("What would you like to change?"),
        (*buttons(_field_options()), Button(_("Nothing, go back"), "edit:back")),
    )


async def pick_field(turn: Turn, incoming: Incoming) -> str | None:
    """They chose which part of their data to change, or nothing after all."""
    choice = pick(incoming, [*_field_options(), Option("edit:back", "", BACK_WORDS)])
    if choice is None:
        turn.say(_("Please choose one of the buttons."))
        return None
    back = str(turn.data.get("return_to") or "profile.view")
    if choice.payload == "edit:back":
        return back
    turn.remember(return_to=back)
    return FIELDS[choice.payload.removeprefix("edit:")]


CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp"}


async def channels_line(turn: Turn, participant: Participant) -> str:
    """ "• Chat apps: Telegram, WhatsApp": where the person talks with us (after linking, two)."""
    names: list[str] = []
    for address in await addresses_of(turn.tx, participant.id):
        name = CHANNEL_NAMES.get(address.channel, address.channel.capitalize())
        if name not in names:
            names.append(name)
    return "• {label}: <b>{names}</b>".format(label=_("Chat apps"), names=", ".join(sorted(names)))


async def ask_view(turn: Turn) -> None:
    assert turn.participant is not None
    turn.forget("return_to")
    partners, take_back = await partners_section(turn, turn.participant)
    turn.say(
        _("Your data:")
        + "\n\n"
        + describe(turn.participant)
        + "\n"
        + await channels_line(turn, turn.participant)
        + ("\n\n" + partners if partners else ""),
        (Button(_("Change"), "profile:edit"), Button(_("Close"), "profile:close"), *take_back),
    )


async def view(turn: Turn, incoming: Incoming) -> str | None:
    """They want to change something in their profile (perhaps naming it), or are done looking."""
    field = field_named(incoming)
    if field is not None:
        turn.remember(return_to="profile.view")
        return field
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
