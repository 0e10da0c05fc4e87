"""/alihkan <participant> (staff who may act on the participant): give them another caseworker of
their organisation, or none. The participant id and the chosen caseworker come back in button
payloads: both are checked again (handlers/staff/assignment.reassign), never trusted. The new
caseworker is told; the one who had them too."""

from __future__ import annotations

from handlers.flow import Turn
from handlers.i18n import N_, _, use_language
from handlers.staff.assignment import Reassigned, reassign
from handlers.staff.commands import staff_button, staff_command, staff_payload
from handlers.staff.menu import show_staff_menu
from handlers.staff.scope import MAX_ID_DIGITS, StaffView, participant_in_scope
from handlers.text import esc, fit
from handlers.types import Button, Reply
from storage.models import Participant, Staff, StaffRole, StaffStatus
from storage.staff.accounts import staff_of_organisation
from storage.staff.partners import staff_addresses

CHOICES = 8  # caseworkers offered, with "Nobody" and "Cancel": a WhatsApp list's 10 rows
NOBODY = "0"


def _no_participant(turn: Turn, staff: StaffView) -> None:
    turn.say(_("There is no participant with that number that you can change."))
    show_staff_menu(turn, staff)


async def ask(turn: Turn, staff: StaffView, args: str) -> None:
    argument = args.strip()
    if not argument:
        turn.say(_("Type /alihkan and the participant's number, e.g. /alihkan 12."))
        return
    participant = await participant_in_scope(turn.tx, staff, argument, act=True)
    if participant is None or participant.organisation_id is None:
        _no_participant(turn, staff)
        return
    members = [
        m
        for m in await staff_of_organisation(turn.tx, participant.organisation_id)
        if m.status == StaffStatus.ACTIVE and m.id != participant.caseworker_id
    ]
    members.sort(key=lambda m: (m.role != StaffRole.CASEWORKER, m.name.casefold()))
    buttons = [
        Button(fit(m.name), staff_payload("reassign", f"{participant.id}.{m.id}"))
        for m in members[:CHOICES]
    ]
    if participant.caseworker_id is not None:
        buttons.append(
            Button(_("Nobody for now"), staff_payload("reassign", f"{participant.id}.{NOBODY}"))
        )
    current = await _name_of(turn, participant.caseworker_id)
    text = _("Who should be the caseworker of <b>#{id} {name}</b>? Now: {current}.").format(
        id=participant.id, name=esc(participant.name or "-"), current=esc(current or _("nobody"))
    )
    if len(members) > CHOICES:
        text += "\n" + _(
            "Not in the list? Type /alihkan {id} and the staff number, e.g. /alihkan {id} 7."
        ).format(id=participant.id)
    if not buttons:
        turn.say(_("There is no other active staff member in this organisation."))
        show_staff_menu(turn, staff)
        return
    turn.say(text, (*buttons, Button(_("Cancel"), staff_payload("cmd", "menu"))))


async def command(turn: Turn, staff: StaffView, args: str) -> None:
    """`/alihkan 12` asks whom; `/alihkan 12 7` gives #12 to staff member 7 at once."""
    words = args.split()
    if len(words) == 2:
        await choose(turn, staff, f"{words[0]}.{words[1].lstrip('#')}")
        return
    await ask(turn, staff, args)


async def choose(turn: Turn, staff: StaffView, argument: str) -> None:
    participant_part, _dot, staff_part = argument.partition(".")
    if not staff_part.isdigit() or len(staff_part) > MAX_ID_DIGITS:
        _no_participant(turn, staff)
        return
    chosen = int(staff_part) or None
    before = await participant_in_scope(turn.tx, staff, participant_part, act=True)
    previous = before.caseworker_id if before is not None else None
    outcome = await reassign(
        turn.tx, staff, participant_part, chosen, turn.now, channel=turn.incoming.channel
    )
    if outcome is Reassigned.NO_PARTICIPANT or before is None:
        _no_participant(turn, staff)
        return
    if outcome is Reassigned.NO_CASEWORKER:
        turn.say(_("There is no active staff member with that number in your organisation."))
        show_staff_menu(turn, staff)
        return
    name = await _name_of(turn, chosen)
    show_staff_menu(
        turn,
        staff,
        _("Done: the caseworker of #{id} is now {name}.").format(
            id=before.id, name=esc(name or _("nobody"))
        ),
    )
    await _tell(turn, staff, chosen, before, gained=True)
    await _tell(turn, staff, previous, before, gained=False)


async def _name_of(turn: Turn, staff_id: int | None) -> str | None:
    if staff_id is None:
        return None
    member = await turn.tx.get(Staff, staff_id)
    return member.name if member is not None else None


async def _tell(
    turn: Turn, by: StaffView, staff_id: int | None, participant: Participant, *, gained: bool
) -> None:
    """The caseworker who gained (or lost) a participant learns it, in their own language;
    not the one who made the change."""
    if staff_id is None or staff_id == by.staff_id:
        return
    member = await turn.tx.get(Staff, staff_id)
    if member is None:
        return
    with use_language(member.language):
        if gained:
            text = _("{by} gave you participant #{id} {name}. Type /peserta {id} to see the card.")
        else:
            text = _("{by} gave participant #{id} {name} to another caseworker.")
        reply = Reply(
            text.format(by=esc(by.name), id=participant.id, name=esc(participant.name or "-")),
            language=member.language,
        )
    for address in await staff_addresses(turn.tx, member.id):
        turn.tell(address, reply)


staff_command(
    "alihkan",
    command,
    N_("Give a participant another caseworker"),
    title=N_("Reassign"),
    in_menu=False,
)
staff_button("ra", ask)
staff_button("reassign", choose)
