"""/catatan: a dated note about a participant, by staff who may act on them (their caseworker,
an admin of their organisation). `/catatan <number> <text>` saves it at once; `/catatan <number>`
or the card's "Add note" button asks for the text. Notes are read by the participant's
organisation's staff only (never partners), on the card; they are never shown to the participant
in a chat (their own data export holds them: handlers/participants/export.py says why). Every
note is audited (NOTE); the text never goes to the log or the audit row."""

from __future__ import annotations

import logging

from handlers.flow import END, WAIT, Turn
from handlers.i18n import N_, _
from handlers.staff.audit import AuditAction, audit_turn
from handlers.staff.cards.card import NOT_FOUND
from handlers.staff.commands import staff_button, staff_command, staff_payload, staff_step
from handlers.staff.scope import Access, StaffView, access_to, participant_in_scope
from handlers.text import esc
from handlers.types import Button, Incoming, Kind
from storage.models import Participant
from storage.staff.notes import NOTE_MAX, add_note

log = logging.getLogger(__name__)

FOR_KEY = "note_for"  # conversation data: whom the note being typed is about


async def _actable(turn: Turn, staff: StaffView, argument: str) -> Participant | None:
    """The participant `argument` names if `staff` may add a note; otherwise says why (an id out
    of scope exactly like an id nobody has) and returns None."""
    participant = await participant_in_scope(turn.tx, staff, argument)
    if participant is None:
        turn.say(_(NOT_FOUND))
        return None
    if await access_to(turn.tx, staff, participant) < Access.ACT:
        turn.say(
            _("Only #{id}'s caseworker or an admin of their organisation can add notes.").format(
                id=participant.id
            )
        )
        return None
    return participant


async def note_command(turn: Turn, staff: StaffView, args: str) -> None:
    number, _sep, text = args.strip().partition(" ")
    if not number:
        turn.say(
            _("Type /catatan, the participant's number and the note, e.g. /catatan 12 Came by.")
        )
        return
    participant = await _actable(turn, staff, number)
    if participant is None:
        return
    if text.strip():
        await _save(turn, staff, participant, text)
        return
    await _ask_for_text(turn, staff, participant)


async def note_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    participant = await _actable(turn, staff, argument)
    if participant is not None:
        await _ask_for_text(turn, staff, participant)


async def _ask_for_text(turn: Turn, staff: StaffView, participant: Participant) -> None:
    from handlers.staff.chat import enter_staff

    turn.remember(**{FOR_KEY: participant.id})
    await enter_staff(turn, staff, "staff.note_text")


async def ask_text(turn: Turn, _staff: StaffView) -> None:
    turn.say(
        _("Type the note about #{id}. Only your organisation's staff will see it.").format(
            id=turn.data.get(FOR_KEY, "?")
        ),
        (Button(_("Cancel"), staff_payload("cmd", "batal")),),
    )


async def answer_text(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    if incoming.kind != Kind.TEXT or not incoming.text.strip():
        turn.say(_("Please type the note as a text message, or BATAL to cancel."))
        return WAIT
    participant = await _actable(turn, staff, str(turn.data.get(FOR_KEY, "")))
    turn.forget(FOR_KEY)
    if participant is not None:
        await _save(turn, staff, participant, incoming.text)
    return END


async def _save(turn: Turn, staff: StaffView, participant: Participant, text: str) -> None:
    text = text.strip()
    note = await add_note(
        turn.tx,
        participant_id=participant.id,
        staff_id=staff.staff_id,
        organisation_id=staff.organisation_id,
        text=text,
        now=turn.now,
    )
    await audit_turn(
        turn,
        staff,
        AuditAction.NOTE,
        participant_id=participant.id,
        detail=f"note={note.id}",
    )
    log.info("note %s added by staff %s", note.id, staff.staff_id)
    saved = _("Note saved for #{id}.").format(id=participant.id)
    if len(text) > NOTE_MAX:
        saved += " " + _("It was long: the first {count} characters were kept.").format(
            count=NOTE_MAX
        )
    turn.say(
        saved + "\n\n<i>" + esc(note.text[:200]) + "</i>",
        (
            Button(_("Open card"), staff_payload("p", participant.id)),
            Button(_("Menu"), staff_payload("cmd", "menu")),
        ),
    )


staff_command(
    "catatan",
    note_command,
    N_("Add a note about a participant"),
    title=N_("Add note"),
    in_menu=False,
)
staff_button("note", note_pressed)
staff_step("note_text", ask_text, answer_text)
