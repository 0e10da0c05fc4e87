"""Telegram updates to neutral `Incoming` messages (the only place that reads Telegram's types)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from telegram import Message, Update

from handlers.types import Incoming, Kind

CHANNEL = "telegram"


def dedupe_key(bot_id: int, update_id: int) -> str:
    """The same update delivered twice to the same bot has the same key.

    Update ids are counted per bot, so a new bot token on an old database must not take its
    first updates for ones already handled. After a week without updates Telegram picks the next
    id at random, so a key only has to outlive redelivery (a few days), not the database: old
    keys may be deleted. At most 9 + 20 + 1 + 20 characters, within the column's 96.
    """
    return f"{CHANNEL}:{bot_id}:{update_id}"


def to_incoming(update: Update, bot_id: int) -> Incoming | None:
    """The neutral form of a private-chat message or button press; None for anything else."""
    key = dedupe_key(bot_id, update.update_id)
    query = update.callback_query
    if query is not None:
        message = query.message
        if message is None or message.chat.type != "private":
            return None
        return Incoming(
            channel=CHANNEL,
            address=str(message.chat.id),
            kind=Kind.BUTTON,
            payload=query.data or "",
            profile_name=query.from_user.full_name,
            message_ref=str(message.message_id),
            dedupe_key=key,
            contact_button=True,
            received_at=datetime.now(UTC),
        )
    message = update.message
    if message is None or message.chat.type != "private":
        return None
    return _from_message(message, key)


def _from_message(message: Message, key: str) -> Incoming:
    user = message.from_user

    def incoming(kind: Kind, **fields: Any) -> Incoming:
        return Incoming(
            channel=CHANNEL,
            address=str(message.chat.id),
            kind=kind,
            profile_name=user.full_name if user else None,
            dedupe_key=key,
            contact_button=True,
            received_at=datetime.now(UTC),
            **fields,
        )

    text = message.text
    if text is not None:
        if text.startswith("/") and len(text) > 1:
            head, _sep, args = text[1:].partition(" ")
            command = head.split("@", 1)[0].casefold()
            if command and command.isascii() and command.replace("_", "").isalnum():
                return incoming(Kind.COMMAND, text=text, command=command, args=args.strip())
        return incoming(Kind.TEXT, text=text)
    if message.contact is not None:
        own = user is not None and message.contact.user_id == user.id
        return incoming(Kind.CONTACT, phone=message.contact.phone_number, own_contact=own)
    return incoming(_media_kind(message), text=message.caption or "", media_ref=_file_id(message))


def _file_id(message: Message) -> str | None:
    """The file id of a voice note, photo (its largest size), audio, video or document."""
    if message.photo:
        return message.photo[-1].file_id
    for media in (
        message.voice,
        message.video_note,
        message.audio,
        message.video,
        message.document,
    ):
        if media is not None:
            return media.file_id
    return None


def _media_kind(message: Message) -> Kind:
    if message.sticker is not None:
        return Kind.STICKER
    if message.photo:
        return Kind.PHOTO
    if message.voice is not None or message.video_note is not None:
        return Kind.VOICE
    if message.audio is not None:
        return Kind.AUDIO
    if message.video is not None or message.animation is not None:
        return Kind.VIDEO
    if message.document is not None:
        return Kind.DOCUMENT
    if message.location is not None or message.venue is not None:
        return Kind.LOCATION
    return Kind.OTHER
