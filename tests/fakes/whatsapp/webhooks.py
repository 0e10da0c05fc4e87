"""WhatsApp webhook deliveries shaped as Meta posts them, signed, and posted over real HTTP.

Each builder returns a whole delivery (`{"object": "whatsapp_business_account", "entry": [...]}`)
for one person, named by phone and/or business-scoped user id (BSUID)::

    budi = WhatsAppUser(phone="6281234567890", user_id="ID.1234567890123456")
    body = encode(text(budi, "halo"))
    status = await post_delivery(url, body, SECRET)

`with_user_id=False` leaves `contacts[].user_id` out (deliveries before 2026 and many real ones
still look like that); a user without a phone gets deliveries without `wa_id` and `from`, as
Meta sends them for someone who uses a WhatsApp username.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

BUSINESS_PHONE = "15550001111"
PHONE_NUMBER_ID = "106540352242922"
WABA_ID = "102290129340398"

_serial = itertools.count(1)


@dataclass(frozen=True)
class WhatsAppUser:
    phone: str | None = None  # digits, no "+"
    user_id: str | None = None  # a BSUID, like "ID.1234567890123456"
    name: str = "Budi Santoso"
    with_user_id: bool = True  # False: contacts[] without user_id, as before 2026

    def contact(self) -> dict[str, Any]:
        contact: dict[str, Any] = {"profile": {"name": self.name}}
        if self.phone:
            contact["wa_id"] = self.phone
        if self.user_id and self.with_user_id:
            contact["user_id"] = self.user_id
        return contact

    def sender_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if self.phone:
            fields["from"] = self.phone
        if self.user_id and (self.with_user_id or not self.phone):
            fields["from_user_id"] = self.user_id
        return fields


def new_wamid() -> str:
    """A message id of the real length (~60 characters), unique in this run."""
    raw = f"{next(_serial):012d}{time.time_ns()}".encode()
    return "wamid.HBgN" + base64.b64encode(hashlib.sha256(raw).digest()[:36]).decode()


def now_stamp() -> str:
    return str(int(time.time()))


def envelope(value: dict[str, Any]) -> dict[str, Any]:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": BUSINESS_PHONE, "phone_number_id": PHONE_NUMBER_ID},
    } | value
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}],
    }


def combine(*deliveries: dict[str, Any]) -> dict[str, Any]:
    """One post with the entries of several deliveries (Meta batches under load)."""
    entries = [entry for delivery in deliveries for entry in delivery["entry"]]
    return {"object": "whatsapp_business_account", "entry": entries}


def message(
    user: WhatsAppUser,
    type_: str,
    content: dict[str, Any] | None = None,
    *,
    wamid: str | None = None,
    context_id: str | None = None,
    timestamp: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A delivery of one message of any type (`content` goes under the type's own key)."""
    item: dict[str, Any] = user.sender_fields() | {
        "id": wamid or new_wamid(),
        "timestamp": timestamp or now_stamp(),
        "type": type_,
    }
    if content is not None:
        item[type_] = content
    if context_id is not None:
        item["context"] = {"from": BUSINESS_PHONE, "id": context_id}
    item |= extra or {}
    return envelope({"contacts": [user.contact()], "messages": [item]})


def text(user: WhatsAppUser, body: str, **options: Any) -> dict[str, Any]:
    return message(user, "text", {"body": body}, **options)


def button_reply(
    user: WhatsAppUser, payload: str, title: str, *, context_id: str, **options: Any
) -> dict[str, Any]:
    """A press on an interactive reply button."""
    content = {"type": "button_reply", "button_reply": {"id": payload, "title": title}}
    return message(user, "interactive", content, context_id=context_id, **options)


def list_reply(
    user: WhatsAppUser,
    payload: str,
    title: str,
    *,
    context_id: str,
    description: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    row = {"id": payload, "title": title} | ({"description": description} if description else {})
    content = {"type": "list_reply", "list_reply": row}
    return message(user, "interactive", content, context_id=context_id, **options)


def quick_reply(
    user: WhatsAppUser, payload: str, text_: str, *, context_id: str, **options: Any
) -> dict[str, Any]:
    """A press on a template's quick-reply button (type "button", not interactive)."""
    content = {"payload": payload, "text": text_}
    return message(user, "button", content, context_id=context_id, **options)


def media(
    user: WhatsAppUser,
    kind: str,
    *,
    caption: str | None = None,
    voice: bool = False,
    media_id: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """image, audio (a voice note with voice=True), video, document or sticker; `media_id` one
    the fake Graph API serves (`fake.media.person_sent(...)`), else a made-up one."""
    content: dict[str, Any] = {
        "mime_type": {"image": "image/jpeg", "audio": "audio/ogg; codecs=opus"}.get(kind, "x/y"),
        "sha256": "Lq+0N1zE0NWoFEwVsXnFjW8ziwTdHV2fZTy8ZYmFKEk=",
        "id": media_id or str(900000 + next(_serial)),
    }
    if caption is not None:
        content["caption"] = caption
    if kind == "audio":
        content["voice"] = voice
    if kind == "sticker":
        content["animated"] = False
    if kind == "document":
        content["filename"] = "surat.pdf"
    return message(user, kind, content, **options)


def document(
    user: WhatsAppUser,
    media_id: str,
    filename: str,
    mime_type: str,
    *,
    caption: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """A document a person sent, kept by Meta under `media_id` (FakeGraphAPI.media.person_sent)."""
    content: dict[str, Any] = {
        "filename": filename,
        "mime_type": mime_type,
        "sha256": "Lq+0N1zE0NWoFEwVsXnFjW8ziwTdHV2fZTy8ZYmFKEk=",
        "id": media_id,
    }
    if caption is not None:
        content["caption"] = caption
    return message(user, "document", content, **options)


def location(
    user: WhatsAppUser, latitude: float, longitude: float, name: str | None = None, **options: Any
) -> dict[str, Any]:
    content: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    if name:
        content["name"] = name
    return message(user, "location", content, **options)


def contact_card(
    user: WhatsAppUser, phone: str, *, wa_id: str | None, name: str = "Siti", **options: Any
) -> dict[str, Any]:
    """A shared contact card; wa_id is the card's WhatsApp number (None: not on WhatsApp)."""
    entry: dict[str, Any] = {"phone": phone, "type": "CELL"}
    if wa_id:
        entry["wa_id"] = wa_id
    card = {"name": {"first_name": name, "formatted_name": name}, "phones": [entry]}
    delivery = message(user, "contacts", None, **options)
    delivery["entry"][0]["changes"][0]["value"]["messages"][0]["contacts"] = [card]
    return delivery


def reaction(user: WhatsAppUser, message_id: str, emoji: str, **options: Any) -> dict[str, Any]:
    return message(user, "reaction", {"message_id": message_id, "emoji": emoji}, **options)


def edited(
    user: WhatsAppUser, original_id: str, type_: str, content: dict[str, Any], **options: Any
) -> dict[str, Any]:
    """A newer "edit" update: the message's new content, of its type."""
    inner = {"type": type_, type_: content}
    return message(user, "edit", {"original_message_id": original_id, "message": inner}, **options)


def revoked(user: WhatsAppUser, original_id: str, **options: Any) -> dict[str, Any]:
    return message(user, "revoke", {"original_message_id": original_id}, **options)


def unsupported(user: WhatsAppUser, **options: Any) -> dict[str, Any]:
    error = {
        "code": 131051,
        "title": "Message type unknown",
        "message": "Message type unknown",
        "error_data": {"details": "Message type is currently not supported."},
    }
    return message(user, "unsupported", {"type": "poll"}, extra={"errors": [error]}, **options)


def status(
    wamid: str,
    state: str,
    recipient: WhatsAppUser,
    *,
    error_code: int | None = None,
    title: str = "",
    timestamp: str | None = None,
) -> dict[str, Any]:
    """A status of a message we sent: sent, delivered, read, played, or failed with a code."""
    item: dict[str, Any] = {
        "id": wamid,
        "status": state,
        "timestamp": timestamp or now_stamp(),
        "recipient_id": recipient.phone or recipient.user_id,
    }
    if recipient.user_id and recipient.with_user_id:
        item["recipient_user_id"] = recipient.user_id
    value: dict[str, Any] = {"statuses": [item]}
    if state == "failed":
        code = error_code if error_code is not None else 131000
        item["errors"] = [
            {
                "code": code,
                "title": title or "Message failed",
                "message": title or "Message failed",
                "error_data": {"details": "details of the failure"},
            }
        ]
    else:  # Meta omits contacts on failed statuses
        item["conversation"] = {"id": "c0ffee", "origin": {"type": "utility"}}
        item["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "utility"}
        value["contacts"] = [recipient.contact()]
    return envelope(value)


def wamid_of(delivery: dict[str, Any]) -> str:
    """The id of the (first) message a delivery carries."""
    return str(delivery["entry"][0]["changes"][0]["value"]["messages"][0]["id"])


def encode(delivery: dict[str, Any]) -> bytes:
    """The raw body as Meta posts it (compact JSON, UTF-8)."""
    return json.dumps(delivery, separators=(",", ":"), ensure_ascii=False).encode()


def sign(body: bytes, secret: str) -> str:
    """The X-Hub-Signature-256 header value for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def post_delivery(
    url: str,
    body: bytes | dict[str, Any],
    secret: str | None,
    *,
    signature: str | None = None,
) -> httpx.Response:
    """POST as Meta does; `secret=None` sends no signature, `signature` overrides it."""
    raw = body if isinstance(body, bytes) else encode(body)
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    elif secret is not None:
        headers["X-Hub-Signature-256"] = sign(raw, secret)
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.post(url, content=raw, headers=headers)
