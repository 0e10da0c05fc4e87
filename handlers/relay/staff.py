"""The staff side of relay, found by handlers/staff/discovery.py: /pesan <number> [text], the
"Kirim pesan" button of a card and the "Balas" button of a relayed reply (both
"staff:msg:<participant id>"), and the question that takes the message's text.

Only a staff member who may act on the participant (their caseworker, or an admin of their
organisation) can write; any other number is answered like a number nobody has.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from handlers.flow import END, WAIT, Turn
from handlers.hints import media_hint
from handlers.i18n import N_, _
from handlers.relay.sending import MESSAGE_MAX, label, send_to_participant, why_not
from handlers.staff.audit import AuditAction, audit_turn
from handlers.staff.commands import staff_button, staff_command, staff_payload, staff_step
from handlers.staff.scope import StaffView, participant_in_scope
from handlers.text import esc
from handlers.types import Button, Incoming, Kind
from storage.models import Participant, RelayDirection, Staff
from storage.staff.relay import ThreadLine, relay_thread

ACTION = "msg"  # "staff:msg:<participant id>": write to this participant
TO_KEY = "relay_to"  # conversation data: whom the message being typed is for
THREAD_SHOWN = 5  # the last messages shown before typing a new one


def write_button(participant_id: int) -> Button:
    """The card's "Kirim pesan" button (and a relayed reply's "Balas" is the same payload)."""
    return Button(_("Send message"), staff_payload(ACTION, participant_id))


def reply_button(participant_id: int) -> Button:
    """ "Balas" on a participant's relayed reply: write back to them."""
    return Button(_("Reply"), staff_payload(ACTION, participant_id))


def not_found() -> str:
    return _("There is no participant with that number that you can write to.")


async def message_command(turn: Turn, staff: StaffView, args: str) -> None:
    """/pesan <number> <text> sends; /pesan <number> asks for the text."""
    number, _sep, text = args.strip().partition(" ")
    if not number:
        turn.say(
            _(
                "To write to a participant, type /pesan and their number, e.g. /pesan 12, "
                "or press Send message on their card."
            )
        )
        return
    participant = await participant_in_scope(turn.tx, staff, number, act=True)
    if participant is None:
        turn.say(not_found())
        return
    if text.strip():
        await _send(turn, staff, participant, text.strip())
        return
    await start_writing(turn, staff, participant)


async def write_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    participant = await participant_in_scope(turn.tx, staff, argument, act=True)
    if participant is None:
        turn.say(not_found())
        return
    await start_writing(turn, staff, participant)


async def start_writing(turn: Turn, staff: StaffView, participant: Participant) -> None:
    """Show the conversation so far, then ask for the message (unless it cannot go at all)."""
    from handlers.staff.chat import enter_staff

    refused = await why_not(turn, participant)
    if refused is not None:
        turn.say(refused)
        return
    thread = await relay_thread(turn.tx, participant.id, THREAD_SHOWN)
    if thread:
        await audit_turn(
            turn,
            staff,
            AuditAction.VIEW,
            participant_id=participant.id,
            detail=f"relay thread shown={len(thread)}",
        )
        timezone = await _timezone_of(turn, staff)
        lines = [_thread_line(line, participant, timezone, staff.language) for line in thread]
        heading = _("Your last messages with {who}:").format(who=label(participant))
        turn.say(heading + "\n\n" + "\n\n".join(lines))
    turn.remember(**{TO_KEY: participant.id})
    await enter_staff(turn, staff, "staff.relay_text")


async def ask_text(turn: Turn, staff: StaffView) -> None:
    participant_id = turn.data.get(TO_KEY)
    participant = (
        await participant_in_scope(turn.tx, staff, str(participant_id), act=True)
        if isinstance(participant_id, int)
        else None
    )
    who = label(participant) if participant is not None else "-"
    turn.say(
        _(
            "Type your message to {who}. It reaches them from you, by your name; they can "
            "reply. BATAL cancels."
        ).format(who=who),
        (Button(_("Cancel"), staff_payload("cmd", "batal")),),
    )


async def answer_text(turn: Turn, staff: StaffView, incoming: Incoming) -> str | None:
    participant_id = turn.data.get(TO_KEY)
    participant = (
        await participant_in_scope(turn.tx, staff, str(participant_id), act=True)
        if isinstance(participant_id, int)
        else None
    )
    if participant is None:  # reassigned away, or access changed, since the question
        turn.say(not_found())
        return END
    if incoming.kind != Kind.TEXT or not incoming.text.strip():
        turn.say(media_hint(incoming.kind))
        return WAIT
    return END if await _send(turn, staff, participant, incoming.text.strip()) else WAIT


async def _send(turn: Turn, staff: StaffView, participant: Participant, text: str) -> bool:
    """False if the text is too long (the staff member may type it again, shorter)."""
    if len(text) > MESSAGE_MAX:
        turn.say(
            _("That message is too long: please keep it under {limit} characters.").format(
                limit=MESSAGE_MAX
            )
        )
        return False
    await send_to_participant(turn, staff, participant, text)
    return True


async def _timezone_of(turn: Turn, staff: StaffView) -> str:
    member = await turn.tx.get(Staff, staff.staff_id)
    return member.timezone if member is not None else turn.settings.default_timezone


def _thread_line(line: ThreadLine, participant: Participant, timezone: str, language: str) -> str:
    when = format_datetime(line.at.astimezone(ZoneInfo(timezone)), "d MMM HH.mm", locale=language)
    if line.direction == RelayDirection.TO_PARTICIPANT:
        who = _("{staff} to {participant}")
    else:
        who = _("{participant} to {staff}")
    names = who.format(
        staff=esc(line.staff_name or _("staff")), participant=esc(participant.name or "-")
    )
    return f"<i>{when} · {names}</i>\n{esc(line.text)}"


staff_command(
    "pesan",
    message_command,
    N_("Write to a participant"),
    title=N_("Send message"),
    in_menu=False,
)
staff_button(ACTION, write_pressed)
staff_step("relay_text", ask_text, answer_text)
