"""A participant's side of relay. While a conversation is open (staff wrote to them in the last
7 days and they have not ended it), their free text goes to that staff member, or to whoever
looks after them now (handlers/relay/routing.py), and is stored; they are told who it went to.
"Done" (the button, or the word SELESAI) and /berhenti end it.

Danger and opt-out words are heard before any of this (handlers/participants/free_text.py): a
cry for help gets the crisis answer and the urgent flag, and also reaches the staff member.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.flow import Turn
from handlers.i18n import _
from handlers.relay.delivery import Compose, tell_staff
from handlers.relay.kinds import end_button
from handlers.relay.routing import reply_recipients, view_of
from handlers.relay.sending import label
from handlers.relay.staff import reply_button, write_button
from handlers.staff.audit import AuditAction, audit_turn
from handlers.text import esc
from handlers.types import Reply
from handlers.understanding.phrases import Phrases
from storage.models import (
    FlagReason,
    ParticipantStatus,
    RelayDirection,
    RelayMessage,
    RelayStatus,
    Staff,
)
from storage.staff.relay import add_relay, end_relays, open_relay

OPEN_FOR = timedelta(days=7)  # a reply this long after staff last wrote is a new message
REPLY_MAX = 3000  # characters kept and passed on (a Telegram message holds 4096)
_END_WORDS = Phrases(("selesai", "sudah selesai", "udah selesai", "done", "tutup"))


async def open_conversation(turn: Turn) -> RelayMessage | None:
    participant = turn.participant
    if participant is None or participant.status != ParticipantStatus.ACTIVE:
        return None
    return await open_relay(turn.tx, participant.id, turn.now - OPEN_FOR)


async def relay_reply(turn: Turn) -> bool:
    """Free text while a conversation is open: passed on (or SELESAI ends it); True if handled."""
    opened = await open_conversation(turn)
    if opened is None:
        return False
    if _END_WORDS.is_whole(turn.incoming.text):
        await end_conversation(turn)
        return True
    reached = await _pass_on(turn, opened, danger=False)
    turn.say(_told_whom(reached), (end_button(),))
    return True


async def relay_danger(turn: Turn) -> None:
    """A cry for help in an open conversation reaches the staff member too (the crisis answer
    and the urgent flag are given already)."""
    opened = await open_conversation(turn)
    if opened is not None:
        await _pass_on(turn, opened, danger=True)


async def relay_media(turn: Turn) -> None:
    """A voice note, photo or file in an open conversation: the bot cannot pass it on, so the
    staff member learns that it came (the flag keeps it for staff as well)."""
    participant = turn.participant
    opened = await open_conversation(turn)
    if participant is None or opened is None:
        return
    members = await reply_recipients(turn, participant, opened.staff_id)

    def compose() -> tuple[Reply, str]:
        text = _(
            "{who} sent a voice message, photo or file, which the bot cannot pass on. "
            "Please call them, or ask them to type."
        ).format(who=label(participant))
        logged = _("Participant #{id} sent a voice message, photo or file.").format(
            id=participant.id
        )
        return Reply(text, (reply_button(participant.id),)), logged

    await tell_staff(turn, members, compose)


async def end_pressed(turn: Turn, _value: str) -> None:
    """The "Done" button of a relayed message."""
    if await open_conversation(turn) is None:
        turn.say(_("This conversation is already closed. 😊"))
        return
    await end_conversation(turn)


async def end_conversation(turn: Turn) -> None:
    participant = turn.participant
    assert participant is not None
    opened = await open_relay(turn.tx, participant.id, turn.now - OPEN_FOR)
    await end_relays(turn.tx, participant.id, turn.now)
    turn.say(
        _(
            "All right, this conversation is closed. If your pendamping writes to you again, "
            "you will see it here."
        )
    )
    if opened is None:
        return
    members = await reply_recipients(turn, participant, opened.staff_id)

    def compose() -> tuple[Reply, str]:
        text = _("{who} closed the conversation with you.").format(who=label(participant))
        logged = _("Participant #{id} closed the conversation.").format(id=participant.id)
        return Reply(text, (write_button(participant.id),)), logged

    await tell_staff(turn, members, compose)


async def _pass_on(turn: Turn, opened: RelayMessage, *, danger: bool) -> list[Staff]:
    participant = turn.participant
    assert participant is not None
    text = turn.incoming.text.strip()[:REPLY_MAX]
    members = await reply_recipients(turn, participant, opened.staff_id)

    def compose_for(member: Staff) -> Compose:
        def compose() -> tuple[Reply, str]:
            who = label(participant)
            if danger:
                heading = _(
                    "⚠️ <b>{who}</b> wrote something that may mean danger. The bot gave them the "
                    "emergency and crisis numbers and raised an urgent flag:"
                ).format(who=who)
            else:
                heading = _("💬 <b>{who}</b> replied:").format(who=who)
            lines = [heading, esc(text)]
            if opened.staff_id is not None and member.id != opened.staff_id:
                lines.append(
                    _("(You get this because the staff member who wrote to them no longer can.)")
                )
            logged = _("Participant #{id} replied. Type /pesan {id} to read it.").format(
                id=participant.id
            )
            return Reply("\n\n".join(lines), (reply_button(participant.id),)), logged

        return compose

    reached: list[Staff] = []
    for member in members:
        reached += await tell_staff(turn, [member], compose_for(member))
    relay = await add_relay(
        turn.tx,
        participant_id=participant.id,
        staff_id=reached[0].id if reached else None,
        direction=RelayDirection.FROM_PARTICIPANT,
        text=text,
        status=RelayStatus.RELAYED if reached else RelayStatus.FLAGGED,
        now=turn.now,
    )
    if not reached and not danger:  # danger is flagged (urgent) already
        turn.flag(FlagReason.MESSAGE)
    await audit_turn(
        turn,
        view_of(reached[0]) if reached else None,
        AuditAction.RELAY,
        participant_id=participant.id,
        organisation_id=participant.organisation_id,
        detail=f"relay {relay.id} from participant to staff "
        + (",".join(str(m.id) for m in reached) if reached else "none (flagged)"),
    )
    return reached


def _told_whom(reached: list[Staff]) -> str:
    if len(reached) == 1:
        return _("Sent to {name}. They will answer you here.").format(name=esc(reached[0].name))
    if reached:
        names = ", ".join(esc(member.name) for member in reached)
        return _("Sent to your program's team: {names}. They will answer you here.").format(
            names=names
        )
    return _(
        "I have passed your message on to your program's team. Someone will read it and get "
        "back to you."
    )
