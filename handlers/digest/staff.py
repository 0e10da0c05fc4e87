"""/ringkasan: the morning digest now, or its settings ("/ringkasan jam 6", "/ringkasan mati",
"/ringkasan nyala", "/ringkasan kosong diam"); and the template's "Buka" button, which opens the
digest it announced."""

from __future__ import annotations

import re

from handlers.digest.compose import compose
from handlers.digest.planning import replan
from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.staff.commands import staff_button, staff_command
from handlers.staff.scope import StaffView
from storage.models import OutboxKind, ScheduledMessage, Staff

OFF_WORDS = frozenset({"mati", "off", "matikan", "stop"})
ON_WORDS = frozenset({"nyala", "on", "hidup", "nyalakan", "aktif"})
QUIET_WORDS = frozenset({"diam", "tidak", "no", "none"})  # nothing on a day with no news
LINE_WORDS = frozenset({"kirim", "ya", "yes", "line"})  # one short line on such a day
_HOUR = re.compile(r"^(?:jam|pukul|hour|at)?\s*(\d{1,2})(?:[.:]00)?$")
ROW_ID_DIGITS = 9


async def ringkasan(turn: Turn, view: StaffView, args: str) -> None:
    staff = await turn.tx.get(Staff, view.staff_id)
    assert staff is not None  # the engine found them active a moment ago
    words = args.strip().lower().split()
    if not words:
        await _send_now(turn, staff, scheduled_id=None)
        return
    hour = _HOUR.match(" ".join(words))
    if hour is not None and int(hour.group(1)) < 24:
        staff.digest_hour = int(hour.group(1))
        staff.digest_on = True
    elif words[0] in OFF_WORDS:
        staff.digest_on = False
    elif words[0] in ON_WORDS:
        staff.digest_on = True
    elif words[0] == "kosong" and len(words) == 2 and words[1] in QUIET_WORDS | LINE_WORDS:
        staff.digest_quiet_line = words[1] in LINE_WORDS
    else:
        turn.say(_settings(staff) + "\n\n" + _usage())
        return
    await replan(turn.tx, staff, turn.now)
    turn.say(_("Saved.") + " " + _settings(staff))


def _settings(staff: Staff) -> str:
    if not staff.digest_on:
        return _("Your morning digest is off.")
    when = _("Your morning digest comes every day at {hour}.00 your time.").format(
        hour=f"{staff.digest_hour:02d}"
    )
    quiet = (
        _("On a day with nothing to report you get one short line.")
        if staff.digest_quiet_line
        else _("On a day with nothing to report you get nothing.")
    )
    return when + " " + quiet


def _usage() -> str:
    return _(
        "/ringkasan sends it now. To change it: /ringkasan jam 6 (the hour), /ringkasan mati "
        "(off), /ringkasan nyala (on), /ringkasan kosong diam (nothing on quiet days), "
        "/ringkasan kosong kirim (one line on quiet days)."
    )


async def _send_now(turn: Turn, staff: Staff, *, scheduled_id: int | None) -> None:
    digest = await compose(
        turn.tx, staff, turn.now, scheduled_id=scheduled_id, channel=turn.incoming.channel
    )
    turn.say(digest.text, digest.buttons)


async def open_digest(turn: Turn, view: StaffView, argument: str) -> None:
    """The "Buka" button of the digest template: that digest, as it is now (its news again)."""
    staff = await turn.tx.get(Staff, view.staff_id)
    assert staff is not None
    row_id = int(argument) if argument.isdigit() and len(argument) <= ROW_ID_DIGITS else None
    row = await turn.tx.get(ScheduledMessage, row_id) if row_id is not None else None
    ours = row is not None and row.kind == OutboxKind.DIGEST and row.staff_id == staff.id
    await _send_now(turn, staff, scheduled_id=row.id if ours and row is not None else None)


staff_command(
    "ringkasan", ringkasan, N_("Morning digest: now, or change its hour"), title=N_("Digest")
)
staff_button("dg", open_digest)
