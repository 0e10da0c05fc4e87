"""The conversation engine: one inbound message in, replies out, all in the caller's transaction."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.alerts.sending import alert_turn
from handlers.checkins import start as checkin_start
from handlers.checkins.steps import checkin_of_turn
from handlers.command_words import typed_command
from handlers.commands import ALIASES, COMMANDS, resume, set_language
from handlers.files import Fetch
from handlers.flow import FlowSettings, Step, Turn
from handlers.hints import TEXT_MAX, empty_hint, media_hint, too_long_hint, unknown_command_hint
from handlers.i18n import _, current_language, use_language
from handlers.menu import registered, show_menu, stopped_note
from handlers.outbox.reopen import reopen
from handlers.participants.free_text import free_text, heard_first
from handlers.participants.language import STEP as LANGUAGE_STEP
from handlers.partners import consent as referral_consent
from handlers.programs import schedule as schedule_view
from handlers.relay import kinds as relay_kinds
from handlers.relay.conversation import end_pressed as relay_end_pressed
from handlers.relay.conversation import relay_media
from handlers.reminders import rsvp
from handlers.staff.chat import route_staff, staff_ended, staff_reply_logged
from handlers.staff.claiming import holds_tries, try_code
from handlers.staff.codes import code_in
from handlers.staff.commands import PREFIX as STAFF_PREFIX
from handlers.staff.scope import staff_of
from handlers.states import current_step, enter
from handlers.types import Incoming, Kind, Outgoing, Template, reply_fields
from storage.addresses import lock_address
from storage.conversations import save_conversation
from storage.erasure import forget_address
from storage.flags import add_flag
from storage.messages import log_turn, queue_outbound
from storage.models import FlagReason, ParticipantStatus

log = logging.getLogger(__name__)


# Button payload prefixes that work at any time; every other prefix belongs to one question.
GLOBAL_PREFIXES = frozenset(
    {
        "cmd",
        "lang",
        "rsvp",
        "join",
        "open",
        referral_consent.PREFIX,
        relay_kinds.PREFIX,
        checkin_start.PREFIX,
    }
)
# The template a message to someone else goes as where only templates may go now (its text is
# the parameter): a partner's admin told of a proposal, a caseworker told of an answer.
NOTICE_TEMPLATE = "notice"

# Staff buttons' prefixes: never a participant flow's; from any other chat, a stale button.
STAFF_PREFIXES = frozenset({STAFF_PREFIX})

# Logged, never answered, and no step's answer: a 👍 on a reminder is not "I'll be there" (the
# reminder's own buttons are one tap away), and a deleted message has nothing left to answer.
SILENT_KINDS = frozenset({Kind.REACTION, Kind.DELETED})

# `Address.last_inbound_at` picks the channel a person uses most (for reminders); a minute's
# precision is plenty, and it spares an UPDATE for every message of a conversation.
LAST_INBOUND_PRECISION = timedelta(minutes=1)


class Redelivered(Exception):
    """The platform sent this message before: the caller rolls the transaction back, sends nothing."""


async def handle(
    tx: AsyncSession,
    incoming: Incoming,
    settings: FlowSettings,
    *,
    fetch: Fetch | None = None,
    sender: str | None = None,
) -> list[Outgoing]:
    """Handle one inbound message; returns the replies, logged as queued. `fetch` downloads the
    message's attachment if a handler needs it (the channel's; None where it has none).
    `sender` names the process that will send the replies (kept with each queued reply, so
    that a redelivery reaching another process leaves them to it while it lives).

    The caller owns the transaction and sends the replies only after it commits. A message the
    platform delivered before raises `Redelivered` (found when it is logged, last, so the common
    case costs no extra query).
    """
    now = incoming.received_at
    address, conversation = await lock_address(tx, incoming.channel, incoming.address, now)
    if address.last_inbound_at is None or now - address.last_inbound_at >= LAST_INBOUND_PRECISION:
        address.last_inbound_at = now
    if address.blocked_at is not None:
        address.blocked_at = None
    participant = address.participant
    if participant is not None and participant.status == ParticipantStatus.UNREACHABLE:
        participant.status = ParticipantStatus.ACTIVE
    turn = Turn(tx, incoming, address, conversation, participant, settings, now, fetch=fetch)
    staff = await staff_of(tx, address)  # every message: a revoked member has no power at once
    if staff is not None:
        language = staff.language
    elif participant is not None:
        language = participant.language
    else:
        language = conversation.data.get("lang", settings.default_language)
    with use_language(language):
        state_before = conversation.step
        if incoming.kind in SILENT_KINDS:
            stranger = participant is None and staff is None and conversation.step is None
            if stranger and not holds_tries(turn):  # a stranger: keep no trace
                await forget_address(tx, address.id)
                turn.erased = True
        elif not _pressed_twice(turn):
            if staff is not None:
                await route_staff(turn, staff)
            elif not await staff_ended(turn):
                await route(turn)
            _remember_buttons(turn, state_before)
        reader_language = current_language()  # /bahasa or linking may have changed it
        staff_logged = staff_reply_logged() if staff is not None else None
        log.info(
            "inbound address=%s kind=%s state=%s->%s replies=%d",
            address.id,
            incoming.kind,
            state_before,
            None if turn.erased else conversation.step,
            len(turn.replies),
        )
    if not turn.erased:
        await save_conversation(tx, conversation, now)
    kept = turn.participant is not None and not turn.erased
    replies = [replace(reply, language=reader_language) for reply in turn.replies]
    ids = await log_turn(
        tx,
        channel=incoming.channel,
        kind=incoming.kind,
        dedupe_key=incoming.dedupe_key,
        body=(incoming.payload or incoming.text)
        if kept and incoming.kind != Kind.CONTACT and not turn.secret
        else None,
        now=now,
        address_id=None if turn.erased else address.id,
        participant_id=turn.participant.id if turn.participant else None,
        inbound_participant_id=turn.participant.id if turn.participant and kept else None,
        replies=[
            (
                reply.text if staff_logged is None else staff_logged,
                reply_fields(reply) | ({"sender": sender} if sender else {}),
            )
            for reply in replies
        ],
    )
    if ids is None:
        raise Redelivered
    inbound_id, reply_ids = ids
    told: list[Outgoing] = []
    for other in turn.told:
        message_id = await queue_outbound(
            tx,
            channel=other.address.channel,
            address_id=other.address.id,
            participant_id=other.address.participant_id,
            kind=other.kind,
            body=other.logged,
            now=now,
        )
        reply = other.reply
        if reply.template is None:  # WhatsApp, 24 hours after they last wrote: as a notice
            reply = replace(reply, template=Template(NOTICE_TEMPLATE, (reply.text,)))
        told.append(Outgoing(other.address.channel, other.address.value, reply, message_id))
    if turn.flags and kept and turn.participant is not None:
        checkin_id = checkin_of_turn(turn)
        for reason, urgent in turn.flags:
            await add_flag(
                tx,
                participant_id=turn.participant.id,
                message_id=inbound_id,
                reason=reason,
                urgent=urgent,
                now=now,
                checkin_id=checkin_id if urgent else None,
            )
        log.info("flagged participant=%s reasons=%s", turn.participant.id, turn.flags)
    if turn.participant is not None and (turn.flags or turn.checkin_id is not None):
        # Danger, or a check-in's answers: the caseworker hears of it now, not at the digest.
        await alert_turn(tx, turn.participant.id, now)
    return [
        Outgoing(incoming.channel, incoming.address, reply, message_id)
        for reply, message_id in zip(replies, reply_ids, strict=True)
    ] + told


def _press_key(incoming: Incoming) -> str | None:
    if incoming.kind != Kind.BUTTON or not incoming.message_ref:
        return None
    return f"{incoming.message_ref}|{incoming.payload}"


def _pressed_twice(turn: Turn) -> bool:
    """The same button on the same message again (a double tap): answered once already."""
    key = _press_key(turn.incoming)
    return key is not None and turn.data.get("press") == key


def _remember_buttons(turn: Turn, state_before: str | None) -> None:
    """Which question's buttons are live now, and the press just handled (to ignore a repeat)."""
    if turn.erased:
        return
    key = _press_key(turn.incoming)
    edited = any(r.edit_ref and r.edit_ref == turn.incoming.message_ref for r in turn.replies)
    if key is not None and not edited:  # a toggle edits its own message and may be pressed again
        turn.remember(press=key)
    if turn.conversation.step is None:
        return
    offered = sorted(
        {
            b.payload.partition(":")[0]
            for r in turn.replies
            for b in r.buttons
            if b.payload.partition(":")[0] not in GLOBAL_PREFIXES
        }
    )
    changed = offered or turn.conversation.step != state_before
    if changed and turn.data.get("offered") != offered:
        turn.remember(offered=offered)


def _stale(turn: Turn) -> bool:
    """A button from an earlier question, pressed while another question is open."""
    offered = turn.data.get("offered")
    prefix = (turn.incoming.payload or "").partition(":")[0]
    if prefix in STAFF_PREFIXES:
        return True
    return offered is not None and prefix not in offered and prefix not in GLOBAL_PREFIXES


async def route(turn: Turn) -> None:
    incoming = turn.incoming
    if incoming.kind == Kind.COMMAND and incoming.command is not None:
        name = ALIASES.get(incoming.command, incoming.command)
        command = COMMANDS.get(name)
        if command is None:
            turn.say(unknown_command_hint(incoming.command))
            await resume(turn)
            return
        await command(turn, incoming.args)
        return
    if incoming.kind == Kind.BUTTON and incoming.payload:
        prefix, _sep, value = incoming.payload.partition(":")
        active = turn.participant is not None and turn.participant.reachable
        if prefix == "cmd" and value == "berhenti" and active:
            await enter(turn, "optout.confirm")  # a row of the menu list is easily mis-tapped
            return
        if prefix == "cmd" and value in COMMANDS:
            await COMMANDS[value](turn, "")
            return
        if prefix == "lang" and turn.state != LANGUAGE_STEP:
            await set_language(turn, value)
            return
        if prefix == "rsvp":
            next_state = await rsvp.answer(turn, incoming.payload)
            if next_state is not None:
                await enter(turn, next_state)
            if turn.participant and turn.participant.status == ParticipantStatus.STOPPED:
                turn.say(stopped_note())
            return
        if prefix == "join":
            await schedule_view.join(turn, value)
            return
        if prefix == "open":
            await reopen(turn, value)
            return
        if prefix == checkin_start.PREFIX:  # "Mulai" on a check-in prompt or its template
            await checkin_start.pressed(turn, value)
            return
        if prefix == referral_consent.PREFIX:  # a partner may see my data: yes, no, take back
            await referral_consent.pressed(turn, value)
            return
        if prefix == relay_kinds.PREFIX:  # "Done": the conversation with staff ends
            await relay_end_pressed(turn, value)
            return
    code = code_in(incoming.text) if incoming.kind == Kind.TEXT else None
    if (
        code is not None
        and turn.participant is None
        and not (turn.state or "").startswith("claim.")
    ):
        await try_code(turn, code)  # a staff invite or another one-time code, before sign-up
        return
    step = current_step(turn)
    if incoming.kind == Kind.TEXT and incoming.text.strip() and await heard_first(turn, step):
        return
    if incoming.kind == Kind.TEXT:
        typed = typed_command(incoming.text, turn.state, step, turn.data)
        if typed is not None:
            await typed_word(turn, typed, step)
            return
    if step is None:
        await outside_flow(turn)
        return
    if incoming.kind == Kind.BUTTON and _stale(turn):
        turn.say(_("That button belongs to an earlier question. Here is the current one:"))
        await step.ask(turn)
        return
    if incoming.kind == Kind.TEXT and not incoming.text.strip():
        turn.say(empty_hint())
        await step.ask(turn)
        return
    if incoming.kind == Kind.TEXT and len(incoming.text) > TEXT_MAX:
        turn.say(too_long_hint())
        await step.ask(turn)
        return
    if incoming.kind not in step.accepts:
        turn.say(media_hint(incoming.kind))
        await step.ask(turn)
        return
    next_state = await step.answer(turn, incoming)
    if next_state is None:
        await step.ask(turn)
    else:
        await enter(turn, next_state)


async def typed_word(turn: Turn, command: str, step: Step | None) -> None:
    """A command typed as a word ("JADWAL", "batal"): as the slash command, except that a typed
    "batal" in the middle of signing up asks first, since it deletes what was filled in, and a
    typed "mulai" asks before messages start again (as a typed "berhenti" asks before they stop)."""
    participant = turn.participant
    registering = participant is not None and participant.status == ParticipantStatus.REGISTERING
    if command == "batal" and step is not None and registering:
        await enter(turn, "optout.confirm")
        return
    stopped = participant is not None and participant.status == ParticipantStatus.STOPPED
    if command == "mulai" and stopped:  # as a typed "BERHENTI": asked, then done
        await enter(turn, "resume.confirm")
        return
    await COMMANDS[command](turn, "")


async def outside_flow(turn: Turn) -> None:
    """A message while no question is open: new people start signing up, others get the menu."""
    participant = turn.participant
    if participant is None:
        await enter(turn, "signup.consent")
        return
    if participant.status == ParticipantStatus.REGISTERING:
        await COMMANDS["start"](turn, "")
        return
    if turn.incoming.kind == Kind.TEXT:
        await free_text(turn)
        return
    kind = turn.incoming.kind
    if kind in (Kind.VOICE, Kind.AUDIO, Kind.PHOTO, Kind.VIDEO, Kind.DOCUMENT):
        # A voice note may be a cry for help: staff learn that it came, and can call back.
        turn.say(media_hint(kind) + "\n" + _("I have told your caseworker that you sent this."))
        turn.flag(FlagReason.MESSAGE)
        await relay_media(turn)  # in a conversation with staff: they learn it at once
    else:
        turn.say(media_hint(kind))
    if participant.status == ParticipantStatus.STOPPED:
        turn.say(stopped_note())
    elif registered(participant):
        show_menu(turn)
