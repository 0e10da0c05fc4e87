"""Every kind of WhatsApp message becomes the `Incoming` the engine expects; odd fields never
raise."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.channels.whatsapp.updates import UnreadableDelivery, read_delivery
from handlers.types import Incoming, Kind
from tests.fakes.whatsapp.webhooks import (
    WhatsAppUser,
    button_reply,
    contact_card,
    edited,
    encode,
    list_reply,
    location,
    media,
    message,
    quick_reply,
    reaction,
    revoked,
    status,
    text,
    unsupported,
    wamid_of,
)

BUDI = WhatsAppUser(phone="6281234567890", user_id="ID.1234567890123456", name="Budi")


def only(delivery: dict[str, Any]) -> Incoming:
    messages = read_delivery(encode(delivery)).messages
    assert len(messages) == 1
    return messages[0].incoming


def test_a_text_carries_its_words_the_sender_and_a_dedupe_key_of_its_message_id() -> None:
    delivery = text(BUDI, "Saya mau ikut pelatihan", timestamp="1764238453")
    parsed = read_delivery(encode(delivery)).messages[0]
    assert parsed.incoming.kind == Kind.TEXT
    assert parsed.incoming.text == "Saya mau ikut pelatihan"
    assert parsed.incoming.dedupe_key == f"whatsapp:{wamid_of(delivery)}"
    assert parsed.incoming.profile_name == "Budi"
    assert parsed.incoming.received_at.timestamp() == 1764238453
    assert (parsed.sender.phone, parsed.sender.user_id) == (BUDI.phone, BUDI.user_id)
    assert parsed.incoming.contact_button is False


def test_a_slash_word_is_a_command_as_on_telegram() -> None:
    incoming = only(text(BUDI, "/start kode123"))
    assert (incoming.kind, incoming.command, incoming.args) == (Kind.COMMAND, "start", "kode123")


@pytest.mark.parametrize(
    "delivery",
    [
        button_reply(BUDI, "rsvp:12:yes", "Hadir", context_id="wamid.OURS1"),
        list_reply(BUDI, "rsvp:12:yes", "Hadir", context_id="wamid.OURS1", description="x"),
        quick_reply(BUDI, "rsvp:12:yes", "Hadir", context_id="wamid.OURS1"),
    ],
    ids=["button_reply", "list_reply", "template quick reply"],
)
def test_a_pressed_button_gives_its_payload_title_and_the_message_it_was_on(
    delivery: dict[str, Any],
) -> None:
    incoming = only(delivery)
    assert (incoming.kind, incoming.payload, incoming.text) == (Kind.BUTTON, "rsvp:12:yes", "Hadir")
    assert incoming.message_ref == "wamid.OURS1"


@pytest.mark.parametrize(
    ("delivery", "kind", "text_"),
    [
        (media(BUDI, "image", caption="KTP saya"), Kind.PHOTO, "KTP saya"),
        (media(BUDI, "audio", voice=True), Kind.VOICE, ""),
        (media(BUDI, "audio"), Kind.AUDIO, ""),
        (media(BUDI, "video", caption="lihat"), Kind.VIDEO, "lihat"),
        (media(BUDI, "document", caption="surat"), Kind.DOCUMENT, "surat"),
        (media(BUDI, "sticker"), Kind.STICKER, ""),
        (location(BUDI, -6.2, 106.8, "Rumah"), Kind.LOCATION, "Rumah"),
        (unsupported(BUDI), Kind.OTHER, ""),
        (message(BUDI, "system", {"body": "changed number", "type": "user_changed_number"}), Kind.OTHER, ""),
        (message(BUDI, "order", {"catalog_id": "1"}), Kind.OTHER, ""),
        (message(BUDI, "hologram", {"x": 1}), Kind.OTHER, ""),
        (message(BUDI, "interactive", None), Kind.OTHER, ""),
        (message(BUDI, "text", None), Kind.TEXT, ""),
    ],
    ids=[
        "image", "voice", "audio", "video", "document", "sticker", "location", "unsupported",
        "system", "order", "unknown type", "interactive without content", "text without body",
    ],
)  # fmt: skip
def test_each_message_type_has_its_kind(delivery: dict[str, Any], kind: Kind, text_: str) -> None:
    incoming = only(delivery)
    assert (incoming.kind, incoming.text) == (kind, text_)


def test_a_shared_contact_gives_its_first_number_and_whether_it_is_the_senders_own() -> None:
    own = only(contact_card(BUDI, "+62 812-3456-7890", wa_id=BUDI.phone))
    other = only(contact_card(BUDI, "+62 857-0000-1111", wa_id="6285700001111"))
    not_on_whatsapp = only(contact_card(BUDI, "0857 0000 2222", wa_id=None))
    assert (own.kind, own.phone, own.own_contact) == (Kind.CONTACT, f"+{BUDI.phone}", True)
    assert (other.phone, other.own_contact) == ("+6285700001111", False)
    assert (not_on_whatsapp.phone, not_on_whatsapp.own_contact) == ("0857 0000 2222", False)


def test_a_reaction_and_a_deletion_name_the_message_they_are_about() -> None:
    liked = only(reaction(BUDI, "wamid.OURS2", "👍"))
    gone = only(revoked(BUDI, "wamid.THEIRS1"))
    assert (liked.kind, liked.text, liked.message_ref) == (Kind.REACTION, "👍", "wamid.OURS2")
    assert (gone.kind, gone.message_ref) == (Kind.DELETED, "wamid.THEIRS1")


def test_an_edited_message_is_taken_as_its_new_content_under_the_edits_own_id() -> None:
    delivery = edited(BUDI, "wamid.THEIRS1", "text", {"body": "Saya tidak bisa hadir"})
    incoming = only(delivery)
    assert (incoming.kind, incoming.text) == (Kind.TEXT, "Saya tidak bisa hadir")
    assert incoming.dedupe_key == f"whatsapp:{wamid_of(delivery)}"


def test_senders_by_phone_by_bsuid_or_both() -> None:
    phone_only = WhatsAppUser(phone="6285711112222")
    bsuid_only = WhatsAppUser(user_id="ID.99990000111122223")
    old_style = WhatsAppUser(phone="6285733334444", user_id="ID.5", with_user_id=False)
    senders = [
        read_delivery(encode(text(user, "halo"))).messages[0].sender
        for user in (phone_only, bsuid_only, old_style)
    ]
    assert [(s.phone, s.user_id) for s in senders] == [
        ("6285711112222", None),
        (None, "ID.99990000111122223"),
        ("6285733334444", None),
    ]


def test_a_contact_of_someone_else_is_not_taken_for_the_sender() -> None:
    delivery = text(WhatsAppUser(phone="6285711112222"), "halo")
    value = delivery["entry"][0]["changes"][0]["value"]
    value["contacts"] = [
        {"profile": {"name": "Other"}, "wa_id": "6289999999999", "user_id": "ID.7"}
    ]
    parsed = read_delivery(encode(delivery)).messages[0]
    assert (parsed.sender.phone, parsed.sender.user_id) == ("6285711112222", None)
    assert parsed.incoming.profile_name is None


def test_a_message_with_no_sender_is_skipped_and_counted_by_type() -> None:
    delivery = text(BUDI, "halo")
    value = delivery["entry"][0]["changes"][0]["value"]
    value["contacts"] = []
    del value["messages"][0]["from"]
    del value["messages"][0]["from_user_id"]
    parsed = read_delivery(encode(delivery))
    assert parsed.messages == [] and parsed.skipped == ["text"]


def test_statuses_with_their_error_code_and_recipient() -> None:
    failed = read_delivery(encode(status("wamid.OURS3", "failed", BUDI, error_code=131047)))
    read = read_delivery(encode(status("wamid.OURS3", "read", BUDI)))
    (update,) = failed.statuses
    assert (update.external_id, update.status) == ("wamid.OURS3", "failed")
    assert update.error is not None and update.error.code == 131047
    assert update.recipient is not None and update.recipient.user_id == BUDI.user_id
    assert [(s.status, s.error) for s in read.statuses] == [("read", None)]


ODD = {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": {
    "messages": [{"from": 62812, "id": 5, "type": ["text"], "timestamp": "soon"}],
    "statuses": [{"id": "wamid.X", "status": "failed", "errors": "many"}],
    "contacts": [None, {"wa_id": {}}],
}}]}]}  # fmt: skip


def test_fields_of_the_wrong_types_never_raise() -> None:
    """The message names no sender we can read (skipped); the failed status keeps code 0."""
    parsed = read_delivery(json.dumps(ODD).encode())
    assert (parsed.messages, parsed.skipped) == ([], ["unknown"])
    assert [(s.external_id, s.error.code if s.error else None) for s in parsed.statuses] == [
        ("wamid.X", 0)
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"object": "whatsapp_business_account", "entry": "no list"},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": None}]}]},
    ],
    ids=["entry not a list", "value null"],
)
def test_a_delivery_without_content_is_empty(body: dict[str, Any]) -> None:
    parsed = read_delivery(json.dumps(body).encode())
    assert (parsed.messages, parsed.statuses, parsed.skipped) == ([], [], [])


@pytest.mark.parametrize("body", [b"", b"[1, 2]", b'{"object": "page", "entry": []}', b"\xff\xfe"])
def test_what_is_not_a_whatsapp_delivery_says_so(body: bytes) -> None:
    with pytest.raises(UnreadableDelivery):
        read_delivery(body)
