"""/peserta (every staff member): the participants in their scope, 10 a page, newest first;
/peserta <number>: one participant's short card. Every list and every card is audited; a number
out of scope is answered exactly like a number nobody has."""

from __future__ import annotations

from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.relay.staff import write_button
from handlers.staff.audit import AuditAction, audit
from handlers.staff.commands import staff_button, staff_command, staff_payload
from handlers.staff.scope import StaffView, participant_in_scope, visible
from handlers.text import esc
from handlers.types import Button
from storage.models import Organisation, Participant, ParticipantStatus
from storage.staff.chat import channels_of, participants_page, staff_names

PAGE = 10
MAX_PAGE = 10_000

STATUSES = {
    ParticipantStatus.ACTIVE: N_("active"),
    ParticipantStatus.STOPPED: N_("stopped messages"),
    ParticipantStatus.UNREACHABLE: N_("unreachable"),
    ParticipantStatus.ERASED: N_("erased"),
    ParticipantStatus.PREREGISTERED: N_("before release"),
}
CHANNELS = {"telegram": "Telegram", "whatsapp": "WhatsApp"}


def status_of(participant: Participant) -> str:
    return _(STATUSES.get(participant.status, participant.status))


def first_name(participant: Participant) -> str:
    return (participant.name or "").split(" ")[0] or "-"


async def participants(turn: Turn, staff: StaffView, args: str) -> None:
    if args.strip():
        await card(turn, staff, args.strip())
        return
    await list_page(turn, staff, 1)


async def list_page(turn: Turn, staff: StaffView, page: int) -> None:
    rows, total = await participants_page(
        turn.tx, visible(staff), offset=(page - 1) * PAGE, limit=PAGE
    )
    await audit(
        turn.tx,
        staff=staff,
        action=AuditAction.SEARCH,
        channel=turn.incoming.channel,
        now=turn.now,
        detail=f"list page={page} shown={len(rows)}",
    )
    if not rows:
        turn.say(_("No participants to show."))
        return
    lines = [f"#{p.id} {esc(first_name(p))} · {esc(p.city or '-')} · {status_of(p)}" for p in rows]
    pages = (total + PAGE - 1) // PAGE
    text = (
        _("Participants (page {page} of {pages}):").format(page=page, pages=pages)
        + "\n\n"
        + "\n".join(lines)
        + "\n\n"
        + _("Type /peserta and a number to see a card, e.g. /peserta {id}.").format(id=rows[0].id)
    )
    buttons = (Button(_("Next page"), staff_payload("pp", page + 1)),) if page < pages else ()
    turn.say(text, (*buttons, Button(_("Menu"), staff_payload("cmd", "menu"))))


async def next_page(turn: Turn, staff: StaffView, argument: str) -> None:
    page = int(argument) if argument.isdigit() and 0 < int(argument) <= MAX_PAGE else 1
    await list_page(turn, staff, page)


async def card(turn: Turn, staff: StaffView, argument: str) -> None:
    participant = await participant_in_scope(turn.tx, staff, argument)
    if participant is None:
        turn.say(_("There is no participant with that number that you can see."))
        return
    await audit(
        turn.tx,
        staff=staff,
        action=AuditAction.VIEW,
        channel=turn.incoming.channel,
        now=turn.now,
        participant_id=participant.id,
        detail="card",
    )
    organisation = (
        await turn.tx.get(Organisation, participant.organisation_id)
        if participant.organisation_id is not None
        else None
    )
    caseworker = (
        (await staff_names(turn.tx, {participant.caseworker_id})).get(participant.caseworker_id)
        if participant.caseworker_id is not None
        else None
    )
    channels = [CHANNELS.get(c, c) for c in await channels_of(turn.tx, participant.id)]
    lines = [
        f"<b>#{participant.id} {esc(participant.name or '-')}</b>",
        _("Status: {status}").format(status=status_of(participant)),
        _("City: {city}").format(city=esc(participant.city or "-")),
        _("Organisation: {name}").format(name=esc(organisation.name if organisation else "-")),
        _("Caseworker: {name}").format(name=esc(caseworker or "-")),
        _("Chats: {channels}").format(channels=", ".join(channels) or "-"),
    ]
    turn.say(
        "\n".join(lines),
        (write_button(participant.id), Button(_("Menu"), staff_payload("cmd", "menu"))),
    )


async def card_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    await card(turn, staff, argument)


staff_command("peserta", participants, N_("Participants I can see"), title=N_("Participants"))
staff_button("pp", next_page)
staff_button("p", card_pressed)
