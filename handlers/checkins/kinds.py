"""The outbox kinds of check-ins: the prompt, and the one nudge a day after an unanswered one.
Registered with handlers/outbox/registry.py when this module is imported."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from handlers.checkins.planning import prompt_of
from handlers.checkins.start import start_payload
from handlers.i18n import _
from handlers.outbox.registry import Draft, Skip, register
from handlers.text import esc
from handlers.types import Button, Reply, Template
from storage.checkins.answers import answered_since
from storage.models import Participant, ScheduledMessage, ScheduledStatus

TEMPLATE = "checkin"  # bot/channels/whatsapp/templates.toml: outside WhatsApp's 24 hours
LATE = timedelta(hours=12)  # a prompt this late (the bot was down) waits for the next one


def _first_name(participant: Participant | None) -> str:
    words = (participant.name or "").split() if participant is not None else []
    return esc(words[0]) if words else _("friend")


def _with_start(text: str, participant: Participant | None, row_id: int) -> Reply:
    payload = start_payload(row_id)
    return Reply(
        text,
        (Button(_("Start"), payload),),
        template=Template(TEMPLATE, (_first_name(participant),), (payload,)),
    )


async def _prompt(draft: Draft) -> Reply | Skip:
    participant = draft.reader.participant
    if participant is None:
        return Skip(ScheduledStatus.FAILED, "a check-in needs a participant")
    if draft.now > draft.row.due_at + LATE:
        return Skip(ScheduledStatus.SKIPPED, "too late")
    if await answered_since(draft.tx, participant.id, draft.row.due_at - timedelta(days=1)):
        return Skip(ScheduledStatus.SKIPPED, "checked in on their own just before")
    text = _(
        "Hello {name}! 👋 How are you doing these days? Your pendamping would like to know. "
        "It takes about a minute: press Start."
    ).format(name=_first_name(participant))
    return _with_start(text, participant, draft.row.id)


async def _nudge(draft: Draft) -> Reply | Skip:
    participant = draft.reader.participant
    query = select(ScheduledMessage).where(ScheduledMessage.key == prompt_of(draft.row.key))
    prompt = (await draft.tx.execute(query)).scalar_one_or_none()
    if participant is None or prompt is None or prompt.status != ScheduledStatus.SENT:
        return Skip(ScheduledStatus.SKIPPED, "its check-in prompt was not sent")
    assert prompt.sent_at is not None
    if await answered_since(draft.tx, participant.id, prompt.sent_at):
        return Skip(ScheduledStatus.SKIPPED, "answered")
    text = _(
        "A gentle reminder, {name}: if you have a minute, tell us how you are doing. "
        "If now is not a good time, that is all right too."
    ).format(name=_first_name(participant))
    return _with_start(text, participant, prompt.id)


register("checkin", render=_prompt)
register("checkin_nudge", render=_nudge)
