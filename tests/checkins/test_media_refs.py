"""A check-in's voice note keeps its platform reference: Telegram's file id, WhatsApp's media id."""

from __future__ import annotations

import json

from telegram import Update

from bot.channels.telegram.updates import to_incoming
from bot.channels.whatsapp.updates import read_delivery
from handlers.types import Kind
from tests.fakes.whatsapp.webhooks import WhatsAppUser, encode, media


def test_a_telegram_voice_note_carries_its_file_id() -> None:
    data = {
        "update_id": 7,
        "message": {
            "message_id": 12, "date": 1764547200,
            "chat": {"id": 5550123, "type": "private", "first_name": "Yusuf"},
            "from": {"id": 5550123, "is_bot": False, "first_name": "Yusuf"},
            "voice": {"file_id": "AwACAgUAAxkBAAIB", "file_unique_id": "AgADx", "duration": 9},
        },
    }  # fmt: skip
    incoming = to_incoming(Update.de_json(data, None), bot_id=1)
    assert incoming is not None
    assert incoming.attachment is not None
    assert (incoming.kind, incoming.attachment.ref) == (Kind.VOICE, "AwACAgUAAxkBAAIB")


def test_a_whatsapp_voice_note_and_photo_carry_their_media_ids() -> None:
    user = WhatsAppUser(phone="6281234567013", user_id="ID.7001234567890013", name="Yusuf")
    voice = media(user, "audio", voice=True)
    photo = media(user, "image", caption="rumah kontrakan")
    for delivery, kind in ((voice, Kind.VOICE), (photo, Kind.PHOTO)):
        [inbound] = read_delivery(encode(delivery)).messages
        sent = json.loads(encode(delivery))["entry"][0]["changes"][0]["value"]["messages"][0]
        expected = sent["audio" if kind == Kind.VOICE else "image"]["id"]
        attachment = inbound.incoming.attachment
        assert attachment is not None
        assert (inbound.incoming.kind, attachment.ref) == (kind, expected)
