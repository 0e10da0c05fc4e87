"""/siaran, writing and sending: the text (Indonesian), optionally an English version, then (after
the audience: audience.py) the preview, a neutral version for discreet recipients if the
text names an institution, and "Kirim sekarang" / "Jadwalkan" ("besok 09.00") / "Batal".
Confirming writes every recipient's outbox row in this turn, so "sent" is true when it is said."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date

from handlers.broadcasts.composing.audit import audit_send
from handlers.broadcasts.composing.drafts import (
    DRAFT_KEY,
    TEXT_MAX,
    draft_of,
    gone,
    in_flow,
    running,
    staff_timezone,
    typed_button,
)
from handlers.broadcasts.composing.preview import build, render
from handlers.broadcasts.composing.timing import parse_moment
from handlers.broadcasts.composing.writing import write_in
from handlers.flow import END, WAIT, Turn
from handlers.hints import media_hint
from handlers.i18n import _
from handlers.reminders.discretion import is_sensitive
from handlers.staff.commands import staff_payload
from handlers.staff.menu import show_staff_menu
from handlers.staff.scope import StaffView
from handlers.states import finish
from handlers.types import Button, Incoming, Kind
from storage.broadcasts.audience import Audience, count
from storage.broadcasts.writing import confirm, create_draft, due_later
from storage.models import Broadcast

SKIP_WORDS = frozenset({"lewati", "skip", "tidak", "tidak usah", "gak", "no"})
SEND_WORDS = frozenset({"kirim", "kirim sekarang", "send", "send now"})


def _typed_text(turn: Turn, incoming: Incoming) -> str | None:
    """The text typed, or None after saying why it cannot be one (media, empty, too long)."""
    if incoming.kind != Kind.TEXT or not incoming.text.strip():
        turn.say(media_hint(incoming.kind))
        return None
    text = incoming.text.strip()
    if len(text) > TEXT_MAX:
        turn.say(
            _("That is too long: please keep it under {limit} characters.").format(limit=TEXT_MAX)
        )
        return None
    return text


def _said(incoming: Incoming, words: frozenset[str]) -> bool:
    return incoming.kind == Kind.TEXT and " ".join(incoming.text.split()).casefold() in words


def _skipped(incoming: Incoming) -> bool:
    return _said(incoming, SKIP_WORDS)


async def ask_text(turn: Turn, _staff: StaffView) -> None:
    turn.say(
        _("Write the announcement in Indonesian, just as participants will read it. BATAL cancels.")
    )


async def answer_text(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    if not staff.is_admin:
        return END
    text = _typed_text(turn, incoming)
    if text is None:
        return WAIT
    draft = await create_draft(
        turn.tx,
        organisation_id=staff.organisation_id,
        created_by=staff.staff_id,
        text=text,
        audience=Audience(staff.organisation_id),
        now=turn.now,
    )
    turn.remember(**{DRAFT_KEY: draft.id})
    return "staff.bc_text_en"


async def ask_text_en(turn: Turn, _staff: StaffView) -> None:
    turn.say(
        _("Participants who chose English can get an English version. Type it, or press Skip."),
        (Button(_("Skip"), staff_payload("bc_skip", "en")),),
    )


async def answer_text_en(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    draft = await draft_of(turn, staff)
    if draft is None:
        turn.say(gone())
        return END
    if _skipped(incoming):
        return "staff.bc_audience"
    text = _typed_text(turn, incoming)
    if text is None:
        return WAIT
    draft.text_en = text
    return "staff.bc_audience"


async def skip_pressed(turn: Turn, staff: StaffView, which: str) -> None:
    from handlers.staff.chat import enter_staff

    draft = await draft_of(turn, staff)
    if draft is None or not in_flow(turn):
        turn.say(gone())
        return
    if which == "en" and turn.conversation.step == "staff.bc_text_en":
        await enter_staff(turn, staff, "staff.bc_audience")
    elif which == "neutral_en" and turn.conversation.step == "staff.bc_neutral_en":
        await enter_staff(turn, staff, "staff.bc_preview")
    else:
        turn.say(_("That button is no longer valid."))


def _actions(draft: Broadcast, needs_neutral: bool) -> tuple[Button, ...]:
    neutral = (
        (Button(_("Neutral version"), staff_payload("bc_go", "neutral")),)
        if needs_neutral or draft.neutral_text
        else ()
    )
    return (
        Button(_("Send now"), staff_payload("bc_go", "now")),
        Button(_("Schedule"), staff_payload("bc_go", "later")),
        *neutral,
        Button(_("Cancel"), staff_payload("cmd", "batal")),
    )


async def ask_preview(turn: Turn, staff: StaffView) -> None:
    from handlers.staff.chat import enter_staff

    draft = await draft_of(turn, staff)
    if draft is None:
        turn.say(gone())
        return
    preview = await build(turn.tx, draft, running(turn))
    if preview.count.recipients == 0:
        turn.say(_("Nobody can get it with these choices. Choose Everyone, or other choices."))
        await enter_staff(turn, staff, "staff.bc_audience")
        return
    for part in render(preview, language=staff.language):
        turn.say(part)
    turn.say(_("Send it now, or at a set time?"), _actions(draft, preview.needs_neutral))


async def answer_preview(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    draft = await draft_of(turn, staff)
    if draft is None:
        turn.say(gone())
        return END
    preview = await build(turn.tx, draft, running(turn))
    payload = typed_button(incoming, _actions(draft, preview.needs_neutral))
    if payload is None and _said(incoming, SEND_WORDS):
        payload = staff_payload("bc_go", "now")
    if payload is not None:
        await go_pressed(turn, staff, payload.rpartition(":")[2])
        return WAIT
    if incoming.kind == Kind.TEXT:
        moment = parse_moment(incoming.text, await _today(turn, staff))
        if moment is not None:
            return await _schedule(turn, staff, draft, moment)
    return None


async def go_pressed(turn: Turn, staff: StaffView, what: str) -> None:
    from handlers.staff.chat import enter_staff

    draft = await draft_of(turn, staff)
    if draft is None or turn.conversation.step != "staff.bc_preview":
        turn.say(gone() if draft is None else _("That button is no longer valid."))
        return
    if what == "now":
        await enter_staff(turn, staff, await send(turn, staff, draft, None))
    elif what == "later":
        await enter_staff(turn, staff, "staff.bc_when")
    elif what == "neutral":
        await enter_staff(turn, staff, "staff.bc_neutral")
    else:  # "Cancel" typed as its number
        finish(turn)
        show_staff_menu(turn, staff, _("Cancelled."))


async def ask_neutral(turn: Turn, _staff: StaffView) -> None:
    turn.say(
        _(
            "Write a neutral version for participants in discreet mode: the same news, without "
            "naming Bapas, Lapas or another institution (other people may see their screen)."
        )
    )


async def answer_neutral(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    return await _neutral(turn, staff, incoming, english=False)


async def ask_neutral_en(turn: Turn, _staff: StaffView) -> None:
    turn.say(
        _("And the neutral version in English? Type it, or press Skip."),
        (Button(_("Skip"), staff_payload("bc_skip", "neutral_en")),),
    )


async def answer_neutral_en(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    if _skipped(incoming):
        return "staff.bc_preview"
    return await _neutral(turn, staff, incoming, english=True)


async def _neutral(
    turn: Turn, staff: StaffView, incoming: Incoming, *, english: bool
) -> str | None:
    draft = await draft_of(turn, staff)
    if draft is None:
        turn.say(gone())
        return END
    text = _typed_text(turn, incoming)
    if text is None:
        return WAIT
    if is_sensitive(text):
        turn.say(_("This version still names an institution. Please write it without that word."))
        return WAIT
    if english:
        draft.neutral_text_en = text
        return "staff.bc_preview"
    draft.neutral_text = text
    return "staff.bc_neutral_en" if draft.text_en else "staff.bc_preview"


async def ask_when(turn: Turn, _staff: StaffView) -> None:
    turn.say(
        _(
            'When should it arrive? Type a day and a time, e.g. "besok 09.00", "jumat jam 8" or '
            '"12/12 14.00". Each person gets it at that time in their own zone (WIB, WITA, '
            "WIT), never at night."
        )
    )


async def answer_when(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    draft = await draft_of(turn, staff)
    if draft is None:
        turn.say(gone())
        return END
    text = incoming.text if incoming.kind == Kind.TEXT else ""
    moment = parse_moment(text, await _today(turn, staff))
    if moment is None:
        turn.say(_('I could not read that. Please type a day and a time, e.g. "besok 09.00".'))
        return WAIT
    return await _schedule(turn, staff, draft, moment)


async def _today(turn: Turn, staff: StaffView) -> date:
    return turn.now.astimezone(ZoneInfo(await staff_timezone(turn, staff))).date()


async def _schedule(
    turn: Turn, staff: StaffView, draft: Broadcast, moment: tuple[date, time]
) -> str:
    zone = ZoneInfo(await staff_timezone(turn, staff))
    if datetime.combine(*moment, tzinfo=zone) <= turn.now:
        turn.say(_("That time has passed already. Please choose a later one."))
        return WAIT
    return await send(turn, staff, draft, moment)


async def send(
    turn: Turn, staff: StaffView, draft: Broadcast, moment: tuple[date, time] | None
) -> str:
    """Confirm, write every recipient's row, audit; the next state."""
    counted = await count(turn.tx, Audience.from_json(draft.audience), running(turn))
    if counted.recipients == 0:
        turn.say(_("Nobody can get it with these choices. Choose Everyone, or other choices."))
        return "staff.bc_audience"
    local_date, local_time = moment if moment is not None else (None, None)
    broadcast = await confirm(
        turn.tx,
        draft.id,
        now=turn.now,
        left_out=counted.left_out,
        local_date=local_date,
        local_time=local_time,
    )
    if broadcast is None:
        turn.say(gone())
        return END
    broadcast.progress_address_id = turn.address.id  # where its progress is told
    await write_in(turn.tx, broadcast, running(turn), turn.settings.reminders.quiet, turn.now)
    await audit_send(turn.tx, broadcast, staff=staff, channel=turn.incoming.channel, now=turn.now)
    turn.forget(DRAFT_KEY)
    if moment is None:
        text = _(
            "Broadcast #{id} is on its way to {n} people. /siaran shows how it goes, "
            "and can stop it."
        ).format(id=broadcast.id, n=broadcast.recipients)
        night = await due_later(turn.tx, broadcast.id, turn.now)
        if night:
            quiet_end = turn.settings.reminders.quiet.end
            text += "\n\n" + _(
                "{n} of them are in their night hours now: they get it at {time}, their time."
            ).format(n=night, time=f"{quiet_end:%H.%M}")
        turn.say(text)
    else:
        day = format_date(moment[0], "EEEE, d MMMM y", locale=staff.language)
        turn.say(
            _(
                "Broadcast #{id} is scheduled for {n} people: {day} at {time}, in each "
                "person's own zone. /siaran shows it, and can cancel it."
            ).format(id=broadcast.id, n=broadcast.recipients, day=day, time=f"{moment[1]:%H.%M}")
        )
    return END
