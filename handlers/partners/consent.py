"""The participant's side of a referral: the question whether a partner may see their data, their
answer (a button or a typed word), and taking it back later (from /profil)."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.flow import Turn
from handlers.i18n import _, use_language
from handlers.partners.referrals import ASK_KIND, WithdrawnBy, answer, referral_of_key, withdraw
from handlers.reminders.discretion import is_sensitive
from handlers.text import esc
from handlers.types import Button, Reply
from handlers.understanding.choices import normalise, normalised_set
from storage.models import Organisation, Participant, Program, Referral, ReferralStatus, Staff
from storage.staff.partners import last_started, referrals_of, staff_addresses

log = logging.getLogger(__name__)

PREFIX = "ref"  # button payloads "ref:yes:<referral id>", "ref:no:<id>", "ref:off:<id>"
TYPED_FOR = timedelta(days=3)  # a typed "setuju" answers a question sent this recently
REFERRAL_ID_DIGITS = 9

_YES = normalised_set(
    ("setuju", "saya setuju", "ya setuju", "iya setuju", "ya", "iya", "boleh", "mau", "ya boleh")
)
_NO = normalised_set(
    (
        "tidak", "tidak setuju", "gak setuju", "ga setuju", "nggak setuju", "tidak mau",
        "gak mau", "ga mau", "nggak mau", "ngga mau", "enggak mau", "gak", "ga", "nggak",
        "enggak", "tolak", "jangan", "tidak boleh", "gak boleh",
    )
)  # fmt: skip


async def names_of(
    tx: AsyncSession, referral: Referral, participant: Participant
) -> tuple[str, str, str]:
    """(referring organisation, partner, program) as the participant may be shown them, escaped:
    for a discreet participant, a name that tells of a justice institution is never said."""
    referrer = await tx.get(Organisation, referral.organisation_id)
    partner = await tx.get(Organisation, referral.partner_id)
    program = await tx.get(Program, referral.program_id) if referral.program_id else None
    referrer_name = referrer.name if referrer is not None else ""
    partner_name = partner.name if partner is not None else ""
    program_name = program.name if program is not None else ""
    if participant.discreet:
        referrer_name = "" if is_sensitive(referrer_name) else referrer_name
        partner_name = "" if is_sensitive(partner_name) else partner_name
        program_name = "" if is_sensitive(program_name) else program_name
    return (
        esc(referrer_name) or _("We"),
        esc(partner_name) or _("an organisation that works with us"),
        esc(program_name) or _("their program"),
    )


async def question(tx: AsyncSession, referral: Referral, participant: Participant) -> Reply:
    """Who will see what, why, and that saying no costs nothing."""
    referrer, partner, program = await names_of(tx, referral, participant)
    text = _(
        "{referrer} would like <b>{partner}</b> to help you too, in <b>{program}</b>.\n\n"
        "If you agree, {partner} can see your name, your phone number and whether you came "
        "to {program}. Nothing else.\n\n"
        "It is your choice. If you say no, nothing changes for you: you keep everything you "
        "have now. You can also change your mind later in /profil.\n\n"
        "Do you agree?"
    ).format(referrer=referrer, partner=partner, program=program)
    return Reply(
        text,
        (
            Button(_("Agree"), f"{PREFIX}:yes:{referral.id}"),
            Button(_("Do not agree"), f"{PREFIX}:no:{referral.id}"),
        ),
    )


async def pressed(turn: Turn, value: str) -> None:
    """A "ref:..." button: agree, decline or withdraw, for the participant's own referral only."""
    action, _sep, raw = value.partition(":")
    participant = turn.participant
    referral_id = int(raw) if raw.isdigit() and len(raw) <= REFERRAL_ID_DIGITS else None
    if participant is None or referral_id is None or action not in ("yes", "no", "off"):
        turn.say(_("Sorry, that message is no longer available."))
        return
    if action == "off":
        await _take_back(turn, participant, referral_id)
        return
    await _answer(turn, participant, referral_id, agree=action == "yes")


async def typed_consent(turn: Turn) -> bool:
    """A typed "setuju" or "gak mau" when the last message the bot started was the consent
    question (and not long ago); True when it answered one."""
    participant = turn.participant
    if participant is None:
        return False
    words = normalise(turn.incoming.text)
    if words not in _YES and words not in _NO:
        return False
    last = await last_started(turn.tx, participant.id, turn.now - TYPED_FOR)
    referral_id = referral_of_key(last.key) if last is not None and last.kind == ASK_KIND else None
    if referral_id is None:
        return False
    referral = await turn.tx.get(Referral, referral_id)
    if referral is None or referral.status != ReferralStatus.ASKED:
        return False
    await _answer(turn, participant, referral_id, agree=words in _YES)
    return True


async def _answer(turn: Turn, participant: Participant, referral_id: int, *, agree: bool) -> None:
    referral = await answer(
        turn.tx, participant, referral_id, agree=agree, now=turn.now, channel=turn.address.channel
    )
    if referral is None:
        log.info("referral answer refused address=%s", turn.address.id)
        turn.say(_("That question has been answered already, or it is no longer open."))
        return
    _referrer, partner, program = await names_of(turn.tx, referral, participant)
    if agree:
        turn.say(
            _(
                "Thank you. {partner} can now see your name, phone number and attendance at "
                "{program}. You can take this back at any time in /profil."
            ).format(partner=partner, program=program)
        )
    else:
        turn.say(_("All right, nothing is shared. Nothing changes for you."))
        await _tell_referrer(turn, referral, declined=True)


async def _take_back(turn: Turn, participant: Participant, referral_id: int) -> None:
    referral = await turn.tx.get(Referral, referral_id)
    if referral is None or referral.participant_id != participant.id:
        turn.say(_("Sorry, that message is no longer available."))
        return
    done = await withdraw(
        turn.tx,
        referral,
        by=WithdrawnBy.PARTICIPANT,
        staff=None,
        channel=turn.address.channel,
        now=turn.now,
    )
    if not done:
        turn.say(_("That partner cannot see your data any more."))
        return
    _referrer, partner, _program = await names_of(turn.tx, referral, participant)
    turn.say(
        _("Done. {partner} can no longer see your data. Nothing else changes for you.").format(
            partner=partner
        )
    )
    await _tell_referrer(turn, referral, declined=False)


async def _tell_referrer(turn: Turn, referral: Referral, *, declined: bool) -> None:
    """The caseworker who made the referral learns the answer (in their own language)."""
    if referral.referred_by is None:
        return
    staff = await turn.tx.get(Staff, referral.referred_by)
    if staff is None:
        return
    with use_language(staff.language):
        if declined:
            text = _("Participant #{id} said no to referral #{referral}: nothing is shared.")
        else:
            text = _(
                "Participant #{id} withdrew referral #{referral}: the partner sees nothing now."
            )
        reply = Reply(
            text.format(id=referral.participant_id, referral=referral.id), language=staff.language
        )
    for address in await staff_addresses(turn.tx, staff.id):
        turn.tell(address, reply)


async def partners_section(turn: Turn, participant: Participant) -> tuple[str, tuple[Button, ...]]:
    """For /profil: the partners who can see the participant's data, each with a button to take
    it back; ("", ()) when there are none."""
    active = await referrals_of(turn.tx, participant.id, (ReferralStatus.ACTIVE,))
    if not active:
        return "", ()
    lines = [_("Partners who can see my data:")]
    buttons = []
    for number, referral in enumerate(active, start=1):
        _referrer, partner, program = await names_of(turn.tx, referral, participant)
        lines.append(f"{number}. {partner} ({program})")
        buttons.append(
            Button(_("Stop sharing {n}").format(n=number), f"{PREFIX}:off:{referral.id}")
        )
    return "\n".join(lines), tuple(buttons)
