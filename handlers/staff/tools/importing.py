"""Sessions from a spreadsheet sent in chat (admins): the file is checked exactly as
`pendamping sessions import` checks it, the report comes back (the first problems in the chat,
every one in an attached report when there are many), and nothing is written until the admin
presses Impor. Only their own organisation's programs can be named.

Between the check and the confirmation the conversation keeps only the file's reference (the
platform's id, its name, type and size) and when it was checked: never its rows, which may name
people. Confirming downloads the file again and checks it again (the database may have changed),
then imports the good rows in the turn's one transaction: all of them or, if anything fails,
none. A check not confirmed within CONFIRM_TTL, or any other staff command, drops it.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from handlers.files import MAX_FILE_BYTES, Unfetched, fetch_file, unfetched_text
from handlers.flow import Turn
from handlers.i18n import N_, _, ngettext
from handlers.programs.admin import add_sessions, existing_session_keys, program_refs
from handlers.programs.csv_import import Parsed
from handlers.programs.spreadsheet import kind_of, parse_sessions_file
from handlers.programs.values import InputError
from handlers.staff.audit import AuditAction, audit_turn
from handlers.staff.commands import staff_button, staff_command, staff_file, staff_payload
from handlers.staff.menu import show_staff_menu
from handlers.staff.scope import StaffView
from handlers.states import finish
from handlers.text import esc
from handlers.types import Attachment, Button, Document, Reply

log = logging.getLogger(__name__)

PENDING_KEY = "import_file"  # conversation data: the file checked and waiting for Impor
CONFIRM_TTL = timedelta(hours=1)
SHOWN_PROBLEMS = 5  # problems listed in the chat; the attached report has every one
SHOWN_IDS = 10  # the new sessions' numbers listed after an import
PROBLEM_CHARS = 160  # a problem longer than this is cut in the chat (never in the report)


async def explain(turn: Turn, staff: StaffView, _args: str) -> None:
    turn.say(
        _(
            "To add sessions, send me a CSV or Excel (.xlsx) file of them, as a file. "
            "The first row names the columns: program, date, start, end, timezone and place "
            "are needed; title, map_url, bring, capacity, contact, city, open and offsets may "
            "be added. I check every row first and import nothing until you say so."
        ),
        (Button(_("Menu"), staff_payload("cmd", "menu")),),
    )


async def file_received(turn: Turn, staff: StaffView) -> bool:
    """An admin's file: checked as a sessions file (a dry run). False for anyone else's file,
    which gets the staff chat's usual answer."""
    attachment = turn.incoming.attachment
    if not staff.is_admin or attachment is None:
        return False
    finish(turn)
    kind = kind_of(attachment.filename, attachment.mime)
    if kind != "csv" and kind != "xlsx":
        text = (
            _("That is an old Excel file (.xls). Please save it as Excel Workbook (.xlsx) or CSV.")
            if kind == "xls"
            else _("I can only import sessions from a CSV or Excel (.xlsx) file.")
        )
        show_staff_menu(turn, staff, text)
        return True
    parsed = await _check(turn, staff, attachment)
    if parsed is None:
        return True
    name = _file_name(attachment)
    summary = (
        _("<b>Check of {name}</b> (nothing imported yet)").format(name=esc(name))
        + "\n"
        + ngettext(
            "{count} session can be imported.",
            "{count} sessions can be imported.",
            len(parsed.rows),
        ).format(count=len(parsed.rows))
    )
    if not parsed.rows:
        tail = _("Nothing to import: please fix the file and send it again.")
        menu = (Button(_("Menu"), staff_payload("cmd", "menu")),)
        turn.replies.append(_reply(summary, parsed, tail, menu, name))
        return True
    stamp = str(int(turn.now.timestamp()))
    turn.remember(
        **{
            PENDING_KEY: {
                "ref": attachment.ref,
                "name": attachment.filename,
                "mime": attachment.mime,
                "size": attachment.size,
                "at": turn.now.isoformat(),
                "stamp": stamp,
            }
        }
    )
    question = (
        _("Import these sessions? The program's members are enrolled and get reminders.")
        if not parsed.errors
        else _(
            "Import the good rows? Rows with problems are left out: fix them and send them again."
        )
    )
    buttons = (
        Button(_("Import"), staff_payload("imp_ok", stamp)),
        Button(_("Cancel"), staff_payload("imp_no")),
    )
    turn.replies.append(_reply(summary, parsed, question, buttons, name))
    return True


async def confirm(turn: Turn, staff: StaffView, argument: str) -> None:
    """Impor pressed: the file downloaded and checked again, its good rows imported, audited."""
    pending = turn.data.get(PENDING_KEY)
    turn.forget(PENDING_KEY)
    if not staff.is_admin or not _still_valid(pending, argument, turn.now):
        show_staff_menu(
            turn,
            staff,
            _(
                "This import is no longer waiting (done, cancelled or too old). Please send the file again."
            ),
        )
        return
    assert isinstance(pending, dict)
    attachment = Attachment(
        str(pending["ref"]), pending.get("name"), pending.get("mime"), pending.get("size")
    )
    parsed = await _check(turn, staff, attachment)
    if parsed is None:
        return
    added = (
        await add_sessions(turn.tx, parsed.rows, turn.now, turn.settings.reminders)
        if parsed.rows
        else []
    )
    refused = len({line for line, _reason in parsed.errors})
    await audit_turn(
        turn,
        staff,
        AuditAction.IMPORT,
        detail=f"sessions imported={len(added)} refused_rows={refused}",
    )
    log.info("sessions imported from chat: %d, rows refused: %d", len(added), refused)
    ids = ", ".join(str(event.id) for event, _enrolled in added[:SHOWN_IDS])
    ids += ", …" if len(added) > SHOWN_IDS else ""
    summary = ngettext(
        "Done: {count} session imported.", "Done: {count} sessions imported.", len(added)
    ).format(count=len(added)) + (" " + _("Numbers: {ids}.").format(ids=ids) if ids else "")
    menu = (Button(_("Menu"), staff_payload("cmd", "menu")),)
    turn.replies.append(_reply(summary, parsed, "", menu, _file_name(attachment)))


async def cancel(turn: Turn, staff: StaffView, _argument: str) -> None:
    turn.forget(PENDING_KEY)
    show_staff_menu(turn, staff, _("Cancelled: nothing was imported."))


def _still_valid(pending: object, stamp: str, now: datetime) -> bool:
    if not isinstance(pending, dict) or pending.get("stamp") != stamp or not pending.get("ref"):
        return False
    try:
        checked = datetime.fromisoformat(str(pending["at"]))
    except (KeyError, ValueError):
        return False
    return now - checked <= CONFIRM_TTL


async def _check(turn: Turn, staff: StaffView, attachment: Attachment) -> Parsed | None:
    """The file's rows checked against the admin's own programs; None once the reason it cannot
    be checked at all has been said."""
    content = await fetch_file(turn.fetch, attachment, MAX_FILE_BYTES)
    if isinstance(content, Unfetched):
        show_staff_menu(turn, staff, unfetched_text(content, MAX_FILE_BYTES))
        return None
    programs = await program_refs(turn.tx, staff.organisation_id)
    existing = await existing_session_keys(turn.tx, turn.now)
    try:
        return parse_sessions_file(content, programs=programs, existing=existing, now=turn.now)
    except InputError as problem:
        show_staff_menu(
            turn,
            staff,
            _("This file cannot be imported: {problem}").format(problem=esc(str(problem))),
        )
        return None


def _reply(
    summary: str, parsed: Parsed, tail: str, buttons: tuple[Button, ...], name: str
) -> Reply:
    """The counts, the first problems, a question: short enough for a phone. With more
    problems than the chat shows, every one of them in an attached report."""
    problems = "\n".join(_problem_lines(parsed))
    text = "\n\n".join(part for part in (summary, problems, tail) if part)
    document = _report(parsed, name) if len(parsed.errors) > SHOWN_PROBLEMS else None
    return Reply(text, buttons, document=document)


def _problem_lines(parsed: Parsed) -> list[str]:
    if not parsed.errors:
        return []
    refused = len({line for line, _reason in parsed.errors})
    lines = [
        ngettext(
            "{count} row has problems and is left out:",
            "{count} rows have problems and are left out:",
            refused,
        ).format(count=refused)
    ]
    for line, reason in parsed.errors[:SHOWN_PROBLEMS]:
        shown = reason if len(reason) <= PROBLEM_CHARS else reason[: PROBLEM_CHARS - 1] + "…"
        lines.append(_("line {line}: {problem}").format(line=line, problem=esc(shown)))
    more = len(parsed.errors) - SHOWN_PROBLEMS
    if more > 0:
        lines.append(
            ngettext(
                "…and {count} more problem: see the attached report.",
                "…and {count} more problems: see the attached report.",
                more,
            ).format(count=more)
        )
    return lines


def _report(parsed: Parsed, name: str) -> Document:
    """Every problem, one a row, as a CSV the admin opens beside their file."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("line"), _("problem")])
    for line, reason in parsed.errors:
        writer.writerow([line, _neutral(reason)])
    stem = PurePosixPath(name).stem or "sesi"
    return Document(f"laporan-{stem}.csv", out.getvalue().encode("utf-8-sig"), "text/csv")


def _neutral(cell: str) -> str:
    """A spreadsheet runs a cell starting with = + - @ as a formula: not in our report."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def _file_name(attachment: Attachment) -> str:
    return PurePosixPath(attachment.filename or "").name or _("your file")


staff_command(
    "impor",
    explain,
    N_("Import sessions from a spreadsheet"),
    admin_only=True,
    title=N_("Import sessions"),
)
staff_file(file_received)
staff_button("imp_ok", confirm)
staff_button("imp_no", cancel)
