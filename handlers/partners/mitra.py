"""/mitra for admins: their organisation's partnerships; propose one, confirm one, end one.

A button's payload is "<staff command>:<its arguments>" ("mitra:terima 5"): pressing it runs the
command as if typed, so every id in it is checked again here."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.flow import Turn
from handlers.i18n import N_, _, use_language
from handlers.partners.partnerships import (
    PartnershipRefused,
    confirm,
    end,
    find_organisations,
    propose,
)
from handlers.staff.commands import staff_command
from handlers.staff.scope import StaffView
from handlers.text import esc
from handlers.types import Button, Reply
from storage.models import Organisation, Partnership, PartnershipStatus, Staff
from storage.staff.partners import admin_addresses, other_side, partnership_between, partnerships_of

TITLE_MAX = 20


def title(text: str) -> str:
    """A button title of at most 20 characters."""
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1] + "…"


async def org_name(tx: AsyncSession, organisation_id: int) -> str:
    found = await tx.get(Organisation, organisation_id)
    return esc(found.name) if found is not None else f"#{organisation_id}"


async def mitra(turn: Turn, staff: StaffView, args: str) -> None:
    word, _sep, rest = args.strip().partition(" ")
    word = word.lower()
    if not word:
        await _list(turn, staff)
    elif word in ("terima", "setuju", "confirm"):
        await _confirm(turn, staff, rest)
    elif word in ("akhiri", "putus", "end"):
        await _end(turn, staff, rest)
    else:
        await _propose(turn, staff, rest if word in ("ajak", "propose", "usul") else args)


async def _list(turn: Turn, staff: StaffView) -> None:
    rows = await partnerships_of(turn.tx, staff.organisation_id)
    if not rows:
        turn.say(
            _(
                "Your organisation has no partners yet. To propose one, type /mitra and the "
                "other organisation's name, e.g. /mitra Dinas Sosial."
            )
        )
        return
    lines, buttons = [_("Partner organisations:")], []
    for row in rows:
        name = await org_name(turn.tx, other_side(row, staff.organisation_id))
        if row.status == PartnershipStatus.ACTIVE:
            state = _("active")
        elif row.status == PartnershipStatus.ENDED:
            state = _("ended")
        elif row.partner_id == staff.organisation_id:
            state = _("waits for your answer")
            buttons.append(
                Button(title(_("Accept #{id}").format(id=row.id)), f"mitra:terima {row.id}")
            )
        else:
            state = _("waits for their answer")
        lines.append(f"#{row.id} {name}: {state}")
    lines.append("")
    lines.append(_("To end a partnership: /mitra akhiri and its number."))
    turn.say("\n".join(lines), tuple(buttons))


async def _propose(turn: Turn, staff: StaffView, ref: str) -> None:
    found = [o for o in await find_organisations(turn.tx, ref) if o.id != staff.organisation_id]
    if not found:
        turn.say(_("I found no organisation by that name. Please check the name and try again."))
        return
    if len(found) > 1:
        turn.say(
            _("Which organisation do you mean?"),
            tuple(Button(title(o.name), f"mitra:ajak {o.id}") for o in found[:10]),
        )
        return
    partner = found[0]
    waiting = await partnership_between(turn.tx, staff.organisation_id, partner.id)
    pending = waiting is not None and waiting.status == PartnershipStatus.PENDING
    if waiting is not None and pending and waiting.partner_id == staff.organisation_id:
        await _confirm(turn, staff, str(waiting.id))  # they proposed it: this accepts it
        return
    try:
        row = await propose(
            turn.tx,
            organisation_id=staff.organisation_id,
            partner_id=partner.id,
            staff=staff,
            channel=turn.address.channel,
            now=turn.now,
        )
    except PartnershipRefused:
        turn.say(
            _("You already have a partnership with {name}. Type /mitra to see it.").format(
                name=esc(partner.name)
            )
        )
        return
    turn.say(
        _("Proposal #{id} sent. Once an admin of {name} accepts, you are partners.").format(
            id=row.id, name=esc(partner.name)
        )
    )
    mine = await org_name(turn.tx, staff.organisation_id)
    await _tell_admins(
        turn,
        partner.id,
        lambda: _(
            "{name} would like to become partners with your organisation (proposal #{id}). "
            "Then they can refer participants to you, with each participant's consent."
        ).format(name=mine, id=row.id),
        (lambda: Button(_("Accept"), f"mitra:terima {row.id}")),
    )


async def _confirm(turn: Turn, staff: StaffView, ref: str) -> None:
    row = await _partnership(turn, ref)
    try:
        if row is None:
            raise PartnershipRefused("no id")
        await confirm(
            turn.tx,
            partnership_id=row.id,
            organisation_id=staff.organisation_id,
            staff=staff,
            channel=turn.address.channel,
            now=turn.now,
        )
    except PartnershipRefused:
        turn.say(_("There is no proposal with that number waiting for your answer. Type /mitra."))
        return
    assert row is not None
    other = row.organisation_id
    turn.say(_("You are now partners with {name}.").format(name=await org_name(turn.tx, other)))
    mine = await org_name(turn.tx, staff.organisation_id)
    await _tell_admins(
        turn, other, lambda: _("{name} accepted: you are now partners.").format(name=mine), None
    )


async def _end(turn: Turn, staff: StaffView, ref: str) -> None:
    row = await _partnership(turn, ref)
    try:
        if row is None:
            raise PartnershipRefused("no id")
        ended = await end(
            turn.tx,
            partnership_id=row.id,
            organisation_id=staff.organisation_id,
            staff=staff,
            channel=turn.address.channel,
            now=turn.now,
        )
    except PartnershipRefused:
        turn.say(_("There is no partnership with that number to end. Type /mitra."))
        return
    other = other_side(ended.partnership, staff.organisation_id)
    turn.say(
        _("The partnership with {name} has ended. Referrals withdrawn: {count}.").format(
            name=await org_name(turn.tx, other), count=len(ended.withdrawn)
        )
    )
    mine = await org_name(turn.tx, staff.organisation_id)
    await _tell_admins(
        turn,
        other,
        lambda: _("{name} ended the partnership. Its referrals are withdrawn.").format(name=mine),
        None,
    )


async def _partnership(turn: Turn, ref: str) -> Partnership | None:
    text = ref.strip().lstrip("#")
    if not text.isdigit() or len(text) > 9:
        return None
    return await turn.tx.get(Partnership, int(text))


async def _tell_admins(
    turn: Turn,
    organisation_id: int,
    text: Callable[[], str],
    button: Callable[[], Button] | None,
) -> None:
    """A message to every active admin chat of the organisation, each in the admin's language."""
    for address in await admin_addresses(turn.tx, organisation_id):
        admin = await turn.tx.get(Staff, address.staff_id) if address.staff_id else None
        language = admin.language if admin is not None else turn.settings.default_language
        with use_language(language):
            buttons = (button(),) if button is not None else ()
            turn.tell(address, Reply(text(), buttons, language=language))


staff_command("mitra", mitra, N_("Partner organisations"), admin_only=True, title=N_("Partners"))
