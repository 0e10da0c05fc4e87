"""WhatsApp webhook deliveries to neutral `Incoming` messages and status updates (the only place
that reads the Cloud API's webhook JSON).

A delivery is `{"object": "whatsapp_business_account", "entry": [{"changes": [{"value": ...}]}]}`;
each value may carry `messages` (with `contacts` naming their senders), `statuses` of messages we
sent, and value-level `errors`. Nothing here raises on a missing or odd field: a message that
cannot be read becomes `Kind.OTHER` for its sender (the engine answers politely), or, with no
sender to answer, is skipped and counted.

Edited messages (type `edit`) are taken as a new message of the edited kind, with the new
content: the person changed what they said, and a button or a word in it may matter.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.channels.whatsapp.errors import GraphError
from handlers.types import Incoming, Kind

CHANNEL = "whatsapp"

_BSUID = re.compile(r"^[A-Z]{2}\.[A-Za-z0-9._-]{1,120}$")
_MEDIA = {
    "image": Kind.PHOTO,
    "video": Kind.VIDEO,
    "document": Kind.DOCUMENT,
    "sticker": Kind.STICKER,
}
STATUSES = frozenset({"sent", "delivered", "read", "played", "failed"})


class UnreadableDelivery(ValueError):
    """The body is not a WhatsApp delivery at all (not JSON, another object): the reason only."""


@dataclass(frozen=True)
class Sender:
    user_id: str | None  # the business-scoped user id (BSUID), when the delivery has it
    phone: str | None  # the WhatsApp number (digits, no "+"), when the delivery has it


@dataclass(frozen=True)
class Inbound:
    """One message from a person; `incoming.address` is empty until the sender is resolved to
    their address (storage/addresses.py `resolve_whatsapp`)."""

    sender: Sender
    incoming: Incoming


@dataclass(frozen=True)
class StatusUpdate:
    """What became of a message we sent: sent, delivered, read (or played), failed."""

    external_id: str  # the wamid our send got back
    status: str
    at: datetime
    error: GraphError | None = None
    recipient: Sender | None = None


@dataclass
class Delivery:
    messages: list[Inbound] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    errors: list[GraphError] = field(default_factory=list)  # value-level errors (Meta's side)
    skipped: list[str] = field(default_factory=list)  # types of messages with no known sender


def read_delivery(body: bytes, now: datetime | None = None) -> Delivery:
    """Everything one POST carried, in order."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise UnreadableDelivery("the body is not JSON") from None
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        raise UnreadableDelivery("the body is not a whatsapp_business_account delivery")
    now = now or datetime.now(UTC)
    delivery = Delivery()
    for entry in _dicts(data.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if isinstance(value, dict):
                _read_value(value, delivery, now)
    return delivery


def _read_value(value: dict[str, Any], delivery: Delivery, now: datetime) -> None:
    contacts = list(_dicts(value.get("contacts")))
    for error in _dicts(value.get("errors")):
        delivery.errors.append(GraphError.from_json(error))
    for message in _dicts(value.get("messages")):
        sender, profile_name = _sender_of(message, contacts)
        if sender is None:
            delivery.skipped.append(_text(message.get("type")) or "unknown")
            continue
        incoming = _incoming(message, sender, profile_name, now)
        delivery.messages.append(Inbound(sender, incoming))
    for status in _dicts(value.get("statuses")):
        update = _status(status, now)
        if update is not None:
            delivery.statuses.append(update)


def _sender_of(
    message: dict[str, Any], contacts: list[dict[str, Any]]
) -> tuple[Sender | None, str | None]:
    """Who wrote: `from` (a phone, or a BSUID), `from_user_id`, and the contact that matches them.

    A contact is matched by its wa_id or user_id; a single contact is taken for a message that
    names nobody (a BSUID-only sender's message may carry no `from`), but never one that names
    someone else.
    """
    raw_from = _text(message.get("from"))
    phone = _phone(raw_from)
    user_id = _bsuid(message.get("from_user_id")) or (_bsuid(raw_from) if phone is None else None)
    contact = next(
        (
            c
            for c in contacts
            if (phone and _phone(_text(c.get("wa_id"))) == phone)
            or (user_id and _bsuid(c.get("user_id")) == user_id)
        ),
        None,
    )
    if contact is None and len(contacts) == 1:
        only = contacts[0]
        only_phone, only_user = _phone(_text(only.get("wa_id"))), _bsuid(only.get("user_id"))
        if (phone is None or only_phone in (None, phone)) and (
            user_id is None or only_user in (None, user_id)
        ):
            contact = only
    profile_name = None
    if contact is not None:
        phone = phone or _phone(_text(contact.get("wa_id")))
        user_id = user_id or _bsuid(contact.get("user_id"))
        profile = contact.get("profile")
        if isinstance(profile, dict):
            profile_name = _text(profile.get("name")) or None
    if phone is None and user_id is None:
        return None, None
    return Sender(user_id, phone), profile_name


def _incoming(
    message: dict[str, Any], sender: Sender, profile_name: str | None, now: datetime
) -> Incoming:
    wamid = _text(message.get("id"))
    if wamid:
        key = f"{CHANNEL}:{wamid}"
    else:  # never seen; a redelivery of the same JSON still has the same key
        digest = hashlib.sha256(json.dumps(message, sort_keys=True).encode()).hexdigest()
        key = f"{CHANNEL}:sha256:{digest}"
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "address": "",
        "profile_name": profile_name,
        "dedupe_key": key[:160],
        "contact_button": False,
        "received_at": _time(message.get("timestamp"), now),
    }
    content = message
    if message.get("type") == "edit":
        edit = message.get("edit")
        inner = edit.get("message") if isinstance(edit, dict) else None
        content = inner if isinstance(inner, dict) else {"type": "unreadable edit"}
    try:
        fields = _content(content, message, sender)
    except (AttributeError, KeyError, TypeError, ValueError):
        fields = {"kind": Kind.OTHER}
    context = content.get("context")
    if "message_ref" not in fields and isinstance(context, dict):
        ref = _text(context.get("id"))
        if ref:
            fields["message_ref"] = ref
    return Incoming(**(base | fields))


def _content(content: dict[str, Any], message: dict[str, Any], sender: Sender) -> dict[str, Any]:
    """The kind and what goes with it, for one message's content."""
    kind = _text(content.get("type"))
    body = content.get(kind) if kind else None
    part: dict[str, Any] = body if isinstance(body, dict) else {}
    if kind == "text":
        return _text_fields(_text(part.get("body")))
    if kind == "interactive":
        for reply_type in ("button_reply", "list_reply"):
            reply = part.get(reply_type)
            if isinstance(reply, dict) and _text(reply.get("id")):
                return {
                    "kind": Kind.BUTTON,
                    "payload": _text(reply.get("id")),
                    "text": _text(reply.get("title")),
                }
        return {"kind": Kind.OTHER}
    if kind == "button":
        payload = _text(part.get("payload")) or _text(part.get("text"))
        if not payload:
            return {"kind": Kind.OTHER}
        return {"kind": Kind.BUTTON, "payload": payload, "text": _text(part.get("text"))}
    if kind == "contacts":
        return _contact_fields(content.get("contacts"), sender)
    if kind == "location":
        return {"kind": Kind.LOCATION, "text": _text(part.get("name"))}
    media_ref = _text(part.get("id")) or None
    if kind in _MEDIA:
        return {"kind": _MEDIA[kind], "text": _text(part.get("caption")), "media_ref": media_ref}
    if kind == "audio":
        voice = part.get("voice") is True
        return {"kind": Kind.VOICE if voice else Kind.AUDIO, "media_ref": media_ref}
    if kind == "reaction":
        fields: dict[str, Any] = {"kind": Kind.REACTION, "text": _text(part.get("emoji"))}
        ref = _text(part.get("message_id"))
        if ref:
            fields["message_ref"] = ref
        return fields
    if kind == "revoke":
        fields = {"kind": Kind.DELETED}
        ref = _text(part.get("original_message_id"))
        if ref:
            fields["message_ref"] = ref
        return fields
    return {"kind": Kind.OTHER}  # unsupported, system, errors, order, and types yet to come


def _text_fields(text: str) -> dict[str, Any]:
    """Typed text; "/start abc" is a command as on Telegram (plain words are the engine's)."""
    if text.startswith("/") and len(text) > 1:
        head, _sep, args = text[1:].partition(" ")
        command = head.casefold()
        if command and command.isascii() and command.replace("_", "").isalnum():
            return {"kind": Kind.COMMAND, "text": text, "command": command, "args": args.strip()}
    return {"kind": Kind.TEXT, "text": text}


def _contact_fields(cards: Any, sender: Sender) -> dict[str, Any]:
    """A shared contact card: its first phone; the person's own only if it is their number."""
    for card in _dicts(cards):
        for entry in _dicts(card.get("phones")):
            wa_id = _phone(_text(entry.get("wa_id")))
            number = f"+{wa_id}" if wa_id else _text(entry.get("phone"))
            if number:
                own = wa_id is not None and wa_id == sender.phone
                return {"kind": Kind.CONTACT, "phone": number[:32], "own_contact": own}
    return {"kind": Kind.CONTACT, "phone": None, "own_contact": False}


def _status(status: dict[str, Any], now: datetime) -> StatusUpdate | None:
    wamid = _text(status.get("id"))
    name = _text(status.get("status"))
    if not wamid or name not in STATUSES:
        return None
    error = None
    errors = list(_dicts(status.get("errors")))
    if errors:
        error = GraphError.from_json(errors[0])
    elif name == "failed":
        error = GraphError(0, "no error given")
    raw_recipient = _text(status.get("recipient_id"))
    phone = _phone(raw_recipient)
    user_id = _bsuid(status.get("recipient_user_id")) or (
        _bsuid(raw_recipient) if phone is None else None
    )
    recipient = Sender(user_id, phone) if (phone or user_id) else None
    return StatusUpdate(wamid, name, _time(status.get("timestamp"), now), error, recipient)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _phone(value: str) -> str | None:
    digits = value[1:] if value.startswith("+") else value
    return digits if digits.isdigit() and 5 <= len(digits) <= 20 else None


def _bsuid(value: Any) -> str | None:
    return value if isinstance(value, str) and _BSUID.match(value) else None


def _time(value: Any, now: datetime) -> datetime:
    """Meta's time of the event (a delivery handled late still counts from when it was sent),
    never later than now."""
    try:
        return min(datetime.fromtimestamp(int(value), UTC), now)
    except (TypeError, ValueError, OverflowError, OSError):
        return now
