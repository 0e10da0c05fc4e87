"""/rujuk for caseworkers and admins: refer a participant they may act on to an active partner's
program (the participant is then asked), list referrals, and withdraw one (/rujuk batal ID).

Buttons press "rujuk:<arguments>", which runs the command as if typed: every id is checked again."""

from __future__ import annotations

from sqlalchemy import or_, select

from handlers.flow import Turn
from handlers.i18n import N_, _
from handlers.partners.mitra import org_name, title
from handlers.partners.referrals import (
    ReferralRefused,
    partner_programs,
    refer,
    referral_for_staff,
    withdraw,
)
from handlers.staff.audit import AuditAction, audit
from handlers.staff.commands import staff_command
from handlers.staff.scope import StaffView, participant_in_scope
from handlers.types import Button
from storage.models import Referral, ReferralStatus
from storage.staff.partners import active_partner_ids

MAX_ID_DIGITS = 9
LISTED = 20  # referrals shown by a bare /rujuk, newest first


def _id(text: str) -> int | None:
    value = text.strip().lstrip("#")
    return int(value) if value.isdigit() and len(value) <= MAX_ID_DIGITS else None


async def rujuk(turn: Turn, staff: StaffView, args: str) -> None:
    words = args.split()
    if not words:
        await _list(turn, staff)
        return
    if words[0].lower() in ("batal", "cabut", "withdraw"):
        await _withdraw(turn, staff, words[1] if len(words) > 1 else "")
        return
    participant = await participant_in_scope(turn.tx, staff, words[0], act=True)
    if participant is None:
        turn.say(_("There is no participant with that number that you can refer."))
        return
    partners = await active_partner_ids(turn.tx, staff.organisation_id)
    if participant.organisation_id != staff.organisation_id or not partners:
        turn.say(
            _("Your organisation has no active partners yet. An admin can add one with /mitra.")
        )
        return
    if len(words) == 1:
        buttons = [
            Button(title(await org_name(turn.tx, p)), f"rujuk:{participant.id} {p}")
            for p in partners
        ]
        turn.say(_("Refer #{id} to which partner?").format(id=participant.id), tuple(buttons))
        return
    partner_id = _id(words[1])
    if partner_id is None or partner_id not in partners:
        turn.say(_("That organisation is not an active partner. Type /mitra to see partners."))
        return
    programs = await partner_programs(turn.tx, partner_id)
    program_id = _id(words[2]) if len(words) > 2 else None
    if programs and program_id is None:
        turn.say(
            _("Which program of {name}?").format(name=await org_name(turn.tx, partner_id)),
            tuple(
                Button(title(p.name), f"rujuk:{participant.id} {partner_id} {p.id}")
                for p in programs[:10]
            ),
        )
        return
    try:
        referral = await refer(
            turn.tx,
            participant=participant,
            organisation_id=staff.organisation_id,
            partner_id=partner_id,
            program_id=program_id,
            staff=staff,
            channel=turn.address.channel,
            now=turn.now,
        )
    except ReferralRefused:
        turn.say(
            _("This referral cannot be made: it exists already, or the program is not theirs.")
        )
        return
    turn.say(
        _(
            "Referral #{referral}: we are asking #{id} whether {name} may see their name, phone "
            "number and attendance. I will tell you if they say no."
        ).format(referral=referral.id, id=participant.id, name=await org_name(turn.tx, partner_id))
    )


async def _withdraw(turn: Turn, staff: StaffView, ref: str) -> None:
    found = await referral_for_staff(turn.tx, staff, ref)
    done = found is not None and await withdraw(
        turn.tx,
        found[0],
        by=found[1],
        staff=staff,
        channel=turn.address.channel,
        now=turn.now,
    )
    if not done:
        turn.say(_("There is no open referral with that number. Type /rujuk to see them."))
        return
    turn.say(
        _("Referral #{id} is withdrawn: the partner sees nothing now.").format(
            id=ref.strip().lstrip("#")
        )
    )


async def _list(turn: Turn, staff: StaffView) -> None:
    """The organisation's referrals, made and received (received: only those agreed to)."""
    org = staff.organisation_id
    query = (
        select(Referral)
        .where(
            or_(
                Referral.organisation_id == org,
                (Referral.partner_id == org) & (Referral.status == ReferralStatus.ACTIVE),
            )
        )
        .order_by(Referral.id.desc())
        .limit(LISTED)
    )
    rows = list((await turn.tx.execute(query)).scalars())
    await audit(
        turn.tx,
        staff=staff,
        action=AuditAction.SEARCH,
        channel=turn.address.channel,
        now=turn.now,
        detail=f"referrals listed: {len(rows)}",
    )
    usage = _(
        "To refer someone: /rujuk and their number. To withdraw: /rujuk batal and its number."
    )
    if not rows:
        turn.say(_("No referrals yet.") + "\n" + usage)
        return
    states = {
        ReferralStatus.ASKED: _("asked, no answer yet"),
        ReferralStatus.ACTIVE: _("agreed"),
        ReferralStatus.DECLINED: _("said no"),
        ReferralStatus.WITHDRAWN: _("withdrawn"),
    }
    lines = []
    for row in rows:
        other = row.partner_id if row.organisation_id == org else row.organisation_id
        arrow = "→" if row.organisation_id == org else "←"
        lines.append(
            f"#{row.id} {arrow} {await org_name(turn.tx, other)}: #{row.participant_id}, {states.get(row.status, row.status)}"
        )
    turn.say("\n".join(lines) + "\n\n" + usage)


staff_command("rujuk", rujuk, N_("Refer to a partner"), title=N_("Referrals"))
