"""/peserta: a staff member's people, most urgent first (storage/staff/caseload.py says what
urgent means), a page at a time; /peserta <name, city or phone> searches; /peserta <number> or
#<number> opens a card. A caseworker's list is the people assigned to them, with a button to
see the organisation's others (read-only); an admin's is the organisation. Every list and
search is audited (SEARCH), with counts only: never what was searched for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement

from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.staff.audit import AuditAction, audit_turn
from handlers.staff.cards.card import open_card
from handlers.staff.cards.labels import display_name, row_title, status_of, urgency_of
from handlers.staff.commands import staff_button, staff_command, staff_payload
from handlers.staff.scope import MAX_ID_DIGITS, StaffView, visible
from handlers.text import clean_line, esc
from handlers.types import Button
from handlers.understanding.phones import normalise_phone
from storage.models import Participant, ParticipantStatus
from storage.staff.caseload import Row, matching, urgent_page

PAGE = 10  # people on a page: one WhatsApp list, a row each
MAX_PAGE = 10_000
SEARCH_MIN = 2  # characters of a name or city worth searching for
SEARCH_MAX = 60
PHONE_DIGITS = 8  # a number this long or longer is a phone number, not a participant's id


class Whose(StrEnum):
    """Which people a list shows (the first letter of a page's payload)."""

    MINE = "m"  # assigned to me (a caseworker's own list)
    ALL = "a"  # everyone I may see (an admin's list; a caseworker's organisation, read-only)


@dataclass(frozen=True)
class PageRef:
    """A page of a list, as a button carries it: "staff:pp:m2"."""

    whose: Whose
    page: int

    @property
    def payload(self) -> str:
        return staff_payload("pp", f"{self.whose}{self.page}")


def parse_page(argument: str) -> PageRef | None:
    """A page's payload argument ("m2", "a1"; a bare "2" from older buttons is my list)."""
    found = re.fullmatch(r"([ma]?)(\d{1,5})", argument)
    if found is None or not 0 < int(found.group(2)) <= MAX_PAGE:
        return None
    return PageRef(Whose(found.group(1) or Whose.MINE), int(found.group(2)))


def _people(staff: StaffView, whose: Whose) -> ColumnElement[bool]:
    if whose == Whose.MINE and not staff.is_admin:
        return visible(staff) & (Participant.caseworker_id == staff.staff_id)
    return visible(staff)


def _line(row: Row) -> str:
    participant = row.participant
    parts = [f"#{participant.id} {esc(display_name(participant))}"]
    if participant.city:
        parts.append(esc(participant.city))
    why = urgency_of(row.urgency)
    if why is None and participant.status != ParticipantStatus.ACTIVE:
        why = status_of(participant)
    return " · ".join(parts) + (f"\n   {why}" if why else "")


async def participants(turn: Turn, staff: StaffView, args: str) -> None:
    text = clean_line(args)
    if not text:
        await show_page(turn, staff, PageRef(Whose.ALL if staff.is_admin else Whose.MINE, 1))
        return
    digits = re.sub(r"[\s\-().]", "", text.lstrip("#"))
    is_id = digits.isdigit() and (text.startswith("#") or len(digits) < PHONE_DIGITS)
    if is_id and len(digits) <= MAX_ID_DIGITS:
        await open_card(turn, staff, digits)
        return
    await search(turn, staff, text)


async def show_page(turn: Turn, staff: StaffView, ref: PageRef) -> None:
    async def page(number: int) -> tuple[list[Row], int]:
        return await urgent_page(
            turn.tx,
            _people(staff, ref.whose),
            organisation_id=staff.organisation_id,
            now=turn.now,
            offset=(number - 1) * PAGE,
            limit=PAGE,
        )

    rows, total = await page(ref.page)
    if not rows and total and ref.page > 1:  # past the end (people left since): the last page
        ref = PageRef(ref.whose, (total + PAGE - 1) // PAGE)
        rows, total = await page(ref.page)
    await audit_turn(
        turn,
        staff,
        AuditAction.SEARCH,
        detail=f"list {ref.whose} page={ref.page} shown={len(rows)}",
    )
    mine = ref.whose == Whose.MINE and not staff.is_admin
    pages = max(1, (total + PAGE - 1) // PAGE)
    if mine:
        heading = _("My participants ({count}), most urgent first:")
    else:
        heading = _("Participants I can see ({count}), most urgent first:")
    if rows:
        turn.say(
            "<b>" + heading.format(count=total) + "</b>\n\n" + "\n".join(map(_line, rows)),
            tuple(
                Button(row_title(r.participant), staff_payload("p", r.participant.id)) for r in rows
            ),
        )
    else:
        turn.say(
            _("No participants are assigned to you yet.") if mine else _("No participants to show.")
        )
    navigation: list[Button] = []
    if ref.page < pages:
        navigation.append(Button(_("Next page"), PageRef(ref.whose, ref.page + 1).payload))
    if 1 < ref.page <= pages:
        navigation.append(Button(_("Previous page"), PageRef(ref.whose, ref.page - 1).payload))
    if not staff.is_admin:
        other = Whose.ALL if mine else Whose.MINE
        title = _("All participants") if mine else _("My participants")
        navigation.append(Button(title, PageRef(other, 1).payload))
    if len(navigation) < 3:
        navigation.append(Button(_("Menu"), staff_payload("cmd", "menu")))
    turn.say(
        _("Page {page} of {pages}.").format(page=ref.page, pages=pages)
        + " "
        + _("To search, type /peserta and a name, city or phone number."),
        tuple(navigation),
    )


async def page_pressed(turn: Turn, staff: StaffView, argument: str) -> None:
    ref = parse_page(argument) or PageRef(Whose.MINE, 1)
    await show_page(turn, staff, ref)


async def search(turn: Turn, staff: StaffView, text: str) -> None:
    """Name or city (any part of it, any case), or a phone number however it is typed."""
    text = text[:SEARCH_MAX]
    phone = normalise_phone(text)
    words = "" if phone is not None else text.casefold()
    if phone is None and len(words) < SEARCH_MIN:
        turn.say(_("Please type at least two letters of a name or a city, or a phone number."))
        return
    where = visible(staff) & matching(words, (phone,) if phone else ())
    rows, total = await urgent_page(
        turn.tx, where, organisation_id=staff.organisation_id, now=turn.now, offset=0, limit=PAGE
    )
    await audit_turn(
        turn,
        staff,
        AuditAction.SEARCH,
        detail=f"search by {'phone' if phone else 'text'} found={total} shown={len(rows)}",
    )
    if not rows:
        turn.say(_("Nobody found. Try part of the name, the city, or the whole phone number."))
        return
    if total == 1:
        await open_card(turn, staff, str(rows[0].participant.id))
        return
    text = _("Found {count}, most urgent first:").format(count=total)
    if total > len(rows):
        text += " " + _("showing the first {shown}: type more to narrow it down.").format(
            shown=len(rows)
        )
    turn.say(
        "<b>" + text + "</b>\n\n" + "\n".join(map(_line, rows)),
        tuple(Button(row_title(r.participant), staff_payload("p", r.participant.id)) for r in rows),
    )


staff_command("peserta", participants, N_("Participants I can see"), title=N_("Participants"))
staff_button("pp", page_pressed)
