"""/siaran, choosing who gets it: the audience so far with its running count, then narrowing it
step by step (a category, a kabupaten/kota, a program, a session, an interest, an app, a language,
"tidak merespons"). Every list fits WhatsApp's 10 rows; typed names and numbers work too. Ids
typed or carried in buttons are checked against the admin's organisation."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from handlers.broadcasts.composing.drafts import draft_of, gone, in_flow, running, typed_button
from handlers.broadcasts.composing.preview import channel_name, figures_lines, language_name
from handlers.flow import WAIT, Turn
from handlers.i18n import N_, _
from handlers.participants.labels import CATEGORIES, INTERESTS, title
from handlers.regions.search import match_regencies, regency_by_key
from handlers.staff.commands import staff_payload
from handlers.staff.scope import StaffView
from handlers.states import finish
from handlers.text import esc, fit
from handlers.types import Button, Incoming, Kind
from storage.broadcasts.audience import Audience, count
from storage.broadcasts.choices import cities, program_names, programs, session_of, sessions
from storage.models import Broadcast

KIND_KEY = "broadcast_kind"  # conversation data: the kind of filter being chosen
# code -> (menu row title, Audience field); "done" and "all" are no filters.
KINDS: dict[str, tuple[str, str]] = {
    "done": (N_("Continue: preview"), ""),
    "all": (N_("Everyone"), ""),
    "cat": (N_("By group"), "categories"),
    "city": (N_("By city/regency"), "city_keys"),
    "prog": (N_("By program"), "program_ids"),
    "sess": (N_("By session"), "session_ids"),
    "int": (N_("By interest"), "interests"),
    "chan": (N_("By app"), "channels"),
    "lang": (N_("By language"), "languages"),
    "silent": (N_("Not responding"), "unresponsive"),
}
LANGUAGES = ("id", "en")
CHANNELS = ("telegram", "whatsapp")
DONE_WORDS = frozenset({"lanjut", "kirim", "selesai", "preview", "done", "continue"})


def audience_buttons() -> tuple[Button, ...]:
    return tuple(
        Button(fit(_(label)), staff_payload("bc_kind", code)) for code, (label, _f) in KINDS.items()
    )


async def describe(turn: Turn, staff: StaffView, audience: Audience) -> str:
    """The audience in words, one line a kind of filter."""
    if audience.everyone:
        return _("Everyone in your organisation")
    either = _(" or ")
    lines = []
    if audience.categories:
        lines.append(
            _("Group: {v}").format(v=either.join(title(CATEGORIES, c) for c in audience.categories))
        )
    if audience.city_keys:
        names = [_city_name(key, staff.language) for key in audience.city_keys]
        lines.append(_("City/regency: {v}").format(v=either.join(names)))
    if audience.provinces:
        lines.append(_("Province: {v}").format(v=either.join(audience.provinces)))
    if audience.program_ids:
        found = await program_names(turn.tx, staff.organisation_id, audience.program_ids)
        names = [esc(found.get(pid, f"#{pid}")) for pid in audience.program_ids]
        lines.append(_("Program: {v}").format(v=either.join(names)))
    if audience.session_ids:
        labels = []
        for sid in audience.session_ids:
            found_session = await session_of(turn.tx, staff.organisation_id, sid)
            if found_session is None:
                labels.append(f"#{sid}")
                continue
            session, name = found_session
            when = _session_title(session.starts_at, session.timezone, name, staff.language)
            labels.append(f"{esc(when)} (#{sid})")
        lines.append(_("Session: {v}").format(v=either.join(labels)))
    if audience.interests:
        lines.append(
            _("Interest: {v}").format(
                v=either.join(title(INTERESTS, i) for i in audience.interests)
            )
        )
    if audience.channels:
        lines.append(
            _("App: {v}").format(v=either.join(channel_name(c) for c in audience.channels))
        )
    if audience.languages:
        lines.append(
            _("Language: {v}").format(v=either.join(language_name(x) for x in audience.languages))
        )
    if audience.unresponsive:
        lines.append(_("Not responding to check-ins"))
    return "\n".join(f"• {line}" for line in lines)  # fmt: skip


def _city_name(key: str, language: str) -> str:
    regency = regency_by_key(key)
    return regency.label(language) if regency is not None else key


async def ask_audience(turn: Turn, staff: StaffView) -> None:
    draft = await draft_of(turn, staff)
    if draft is None:
        turn.say(gone())
        finish(turn)
        return
    audience = Audience.from_json(draft.audience)
    counted = await count(turn.tx, audience, running(turn))
    figures = "\n".join(figures_lines(counted))
    turn.say(
        _(
            "Who should get it?\n\n<b>Now:</b>\n{audience}\n{figures}\n\n"
            "Narrow it down (each choice narrows it further), or continue to the preview."
        ).format(audience=await describe(turn, staff, audience), figures=figures),
        audience_buttons(),
    )


async def answer_audience(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    payload = typed_button(incoming, audience_buttons())
    typed = " ".join(incoming.text.split()).casefold() if incoming.kind == Kind.TEXT else ""
    if payload is None and typed in DONE_WORDS:
        payload = staff_payload("bc_kind", "done")
    if payload is None:
        return None
    await kind_pressed(turn, staff, payload.rpartition(":")[2])
    return WAIT


async def kind_pressed(turn: Turn, staff: StaffView, kind: str) -> None:
    from handlers.staff.chat import enter_staff

    draft = await draft_of(turn, staff)
    if draft is None or not in_flow(turn) or kind not in (*KINDS, "back"):
        turn.say(gone() if draft is None else _("That button is no longer valid."))
        return
    if kind == "back":
        await enter_staff(turn, staff, "staff.bc_audience")
        return
    audience = Audience.from_json(draft.audience)
    if kind == "done":
        counted = await count(turn.tx, audience, running(turn))
        if counted.recipients == 0:
            turn.say(_("Nobody can get it with these choices. Choose Everyone, or other choices."))
            await enter_staff(turn, staff, "staff.bc_audience")
            return
        await enter_staff(turn, staff, "staff.bc_preview")
        return
    if kind == "all":
        _set(draft, Audience(staff.organisation_id))
    elif kind == "silent":
        _set(draft, audience.adding("unresponsive", 1))
    else:
        turn.remember(**{KIND_KEY: kind})
        await enter_staff(turn, staff, "staff.bc_pick")
        return
    await enter_staff(turn, staff, "staff.bc_audience")


def _set(draft: Broadcast, audience: Audience) -> None:
    draft.audience = audience.to_json()


async def _options(turn: Turn, staff: StaffView, kind: str) -> list[tuple[str, str]]:
    """(title, value) of the choices of one kind, at most 9."""
    if kind == "cat":
        return [(title(CATEGORIES, code), code) for code in CATEGORIES]
    if kind == "int":
        return [(title(INTERESTS, code), code) for code in INTERESTS]
    if kind == "lang":
        return [(language_name(code), code) for code in LANGUAGES]
    if kind == "chan":
        on = running(turn)
        return [(channel_name(c), c) for c in CHANNELS if on is None or c in on]
    if kind == "city":
        found = await cities(turn.tx, staff.organisation_id)
        return [(_city_name(key, staff.language), key) for key in found]
    if kind == "prog":
        return [(p.name, str(p.id)) for p in await programs(turn.tx, staff.organisation_id)]
    if kind == "sess":
        since = turn.now - timedelta(days=7)
        upcoming = await sessions(turn.tx, staff.organisation_id, since)
        return [(_session_title(s.starts_at, s.timezone, name, staff.language), str(s.id)) for s, name in upcoming]  # fmt: skip
    return []


def _session_title(starts_at: datetime, timezone: str, name: str, language: str) -> str:
    day = format_datetime(starts_at.astimezone(ZoneInfo(timezone)), "d MMM", locale=language)
    return f"{day} {name}"


async def _pick_buttons(turn: Turn, staff: StaffView, kind: str) -> tuple[Button, ...]:
    options = await _options(turn, staff, kind)
    return (
        *(Button(fit(label), staff_payload("bc_add", f"{kind}/{value}")) for label, value in options),
        Button(_("Back"), staff_payload("bc_kind", "back")),
    )  # fmt: skip


async def ask_pick(turn: Turn, staff: StaffView) -> None:
    kind = str(turn.data.get(KIND_KEY, ""))
    hints = {
        "city": _("Choose a city or regency, or type its name (e.g. kota bekasi)."),
        "prog": _("Choose a program, or type its number."),
        "sess": _("Choose a session, or type its number."),
    }
    text = hints.get(kind, _("Choose one. You can add more afterwards."))
    buttons = await _pick_buttons(turn, staff, kind)
    if len(buttons) == 1:
        text = _("There is nothing to choose here yet.") + " " + text
    turn.say(text, buttons)


async def answer_pick(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    kind = str(turn.data.get(KIND_KEY, ""))
    # A number typed is a program's or session's own number there, not a row's.
    numbers = kind not in ("prog", "sess")
    payload = typed_button(incoming, await _pick_buttons(turn, staff, kind), numbers=numbers)
    if payload is not None:
        pressed = value_pressed if ":bc_add:" in payload else kind_pressed
        await pressed(turn, staff, payload.rpartition(":")[2])
        return WAIT
    text = " ".join(incoming.text.split()) if incoming.kind == Kind.TEXT else ""
    value: str | None = None
    if kind == "city" and text:
        found = match_regencies(text)
        value = found[0].key if len(found) == 1 else None
    elif kind in ("prog", "sess") and text.lstrip("#").isdigit():
        value = text.lstrip("#")
    if value is None:
        return None
    await value_pressed(turn, staff, f"{kind}/{value}")
    return WAIT  # fmt: skip


async def value_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    """ "staff:bc_add:<kind>/<value>": one more alternative of that kind."""
    from handlers.staff.chat import enter_staff

    draft = await draft_of(turn, staff)
    if draft is None or not in_flow(turn):
        turn.say(gone())
        return
    kind, _sep, raw = argument.partition("/")
    value = await _checked(turn, staff, kind, raw)
    if value is None:
        turn.say(_("There is no such choice in your organisation."))
        await enter_staff(turn, staff, "staff.bc_pick")
        return
    _set(draft, Audience.from_json(draft.audience).adding(KINDS[kind][1], value))
    turn.forget(KIND_KEY)
    await enter_staff(turn, staff, "staff.bc_audience")


async def _checked(turn: Turn, staff: StaffView, kind: str, raw: str) -> str | int | None:
    """The value if it is one this admin may choose (never another organisation's)."""
    if kind == "cat":
        return raw if raw in CATEGORIES else None
    if kind == "int":
        return raw if raw in INTERESTS else None
    if kind == "lang":
        return raw if raw in LANGUAGES else None
    if kind == "chan":
        return raw if raw in CHANNELS else None
    if kind == "city":
        return raw if regency_by_key(raw) is not None else None
    if kind in ("prog", "sess") and raw.isdigit():
        number = int(raw)
        if kind == "prog":
            found = await program_names(turn.tx, staff.organisation_id, [number])
            return number if found else None
        return number if await session_of(turn.tx, staff.organisation_id, number) else None
    return None
