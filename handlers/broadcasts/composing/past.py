"""/siaran's first answer: the organisation's latest broadcasts with their figures, a new one
(or the admin's open draft), and stopping one that is still running or scheduled."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from handlers.broadcasts.composing.audit import audit_cancel
from handlers.broadcasts.composing.drafts import DRAFT_KEY, last_draft, staff_timezone
from handlers.broadcasts.composing.listing import figures_line
from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.staff.commands import staff_payload
from handlers.staff.scope import StaffView
from handlers.states import finish
from handlers.text import clean_line, esc, fit
from handlers.types import Button
from storage.broadcasts.figures import figures_of
from storage.broadcasts.writing import RUNNING, cancel, recent
from storage.models import Broadcast, BroadcastStatus

SHOWN = 5  # broadcasts listed
STOPPABLE = 7  # "Stop #n" rows: with "New" and "Continue draft", within a 10-row list
CLIP = 60  # characters of each broadcast's text in the list
STATUS = {
    BroadcastStatus.SENDING: N_("sending"),
    BroadcastStatus.SCHEDULED: N_("scheduled"),
    BroadcastStatus.DONE: N_("done"),
    BroadcastStatus.CANCELLED: N_("cancelled"),
}


async def siaran_command(turn: Turn, staff: StaffView, _args: str) -> None:
    from handlers.staff.chat import enter_staff

    found = await recent(turn.tx, staff.organisation_id, SHOWN)
    draft = await last_draft(turn, staff)
    if not found and draft is None:
        await enter_staff(turn, staff, "staff.bc_text")
        return
    zone = ZoneInfo(await staff_timezone(turn, staff))
    lines = []
    for broadcast in found:
        figures = await figures_of(turn.tx, broadcast.id)
        when = broadcast.confirmed_at or broadcast.created_at
        day = format_datetime(when.astimezone(zone), "d MMM HH.mm", locale=staff.language)
        status = _(STATUS[broadcast.status]) if broadcast.status in STATUS else broadcast.status
        if broadcast.local_date is not None and broadcast.local_time is not None:
            status += f" {broadcast.local_date:%d/%m} {broadcast.local_time:%H.%M}"
        text = clean_line(broadcast.text)
        text = text if len(text) <= CLIP else text[: CLIP - 1] + "…"
        lines.append(
            f"<b>#{broadcast.id}</b> · {day} · {status}\n{esc(text)}\n{figures_line(figures)}"
        )
    buttons = [Button(_("New broadcast"), staff_payload("bc_new", ""))]
    if draft is not None:
        buttons.append(Button(_("Continue draft"), staff_payload("bc_new", draft.id)))
    stoppable = [b for b in found if b.status in RUNNING][:STOPPABLE]
    buttons += [
        Button(fit(_("Stop #{id}").format(id=b.id)), staff_payload("bc_stop", b.id))
        for b in stoppable
    ]
    heading = _("Your organisation's latest broadcasts:") if found else _("No broadcasts yet.")
    turn.say(heading + ("\n\n" + "\n\n".join(lines) if lines else ""), tuple(buttons))  # fmt: skip


async def new_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    from handlers.broadcasts.composing.drafts import own_draft
    from handlers.staff.chat import enter_staff

    if not staff.is_admin:
        turn.say(_("That button is no longer valid."))
        return
    finish(turn)
    if argument.isdigit() and (draft := await own_draft(turn, staff, int(argument))) is not None:
        turn.remember(**{DRAFT_KEY: draft.id})
        await enter_staff(turn, staff, "staff.bc_audience")
        return
    await enter_staff(turn, staff, "staff.bc_text")


async def _stoppable(turn: Turn, staff: StaffView, argument: str) -> Broadcast | None:
    if not staff.is_admin or not argument.isdigit():
        return None
    broadcast = await turn.tx.get(Broadcast, int(argument))
    if broadcast is None or broadcast.organisation_id != staff.organisation_id:
        return None
    return broadcast


async def stop_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    broadcast = await _stoppable(turn, staff, argument)
    if broadcast is None or broadcast.status not in RUNNING:
        turn.say(_("That broadcast is not running any more."))
        return
    turn.say(
        _("Stop broadcast #{id}? Nobody else will get it.").format(id=broadcast.id),
        (
            Button(_("Yes, stop it"), staff_payload("bc_stopped", broadcast.id)),
            Button(_("No, keep it"), staff_payload("cmd", "siaran")),
        ),
    )


async def stop_confirmed(turn: Turn, staff: StaffView, argument: str) -> None:
    found = await _stoppable(turn, staff, argument)
    broadcast = (
        await cancel(turn.tx, found.id, now=turn.now, staff_id=staff.staff_id)
        if found is not None
        else None
    )
    if broadcast is None:
        turn.say(_("That broadcast is not running any more."))
        return
    await audit_cancel(turn.tx, broadcast, staff=staff, channel=turn.incoming.channel, now=turn.now)
    figures = await figures_of(turn.tx, broadcast.id)
    turn.say(
        _("Broadcast #{id} is stopped. {figures}").format(
            id=broadcast.id, figures=figures_line(figures)
        )
    )
