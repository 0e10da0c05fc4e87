"""The neutral messages that cross between channels and flows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from html import escape
from typing import Any

from handlers.i18n import _, use_language


class Kind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    CONTACT = "contact"
    LOCATION = "location"
    STICKER = "sticker"
    PHOTO = "photo"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    REACTION = (
        "reaction"  # an emoji put on (or taken off) one of our messages: logged, not answered
    )
    DELETED = "deleted"  # the person deleted a message they had sent: logged, not answered
    OTHER = "other"


MEDIA_KINDS = frozenset(
    {Kind.STICKER, Kind.PHOTO, Kind.VOICE, Kind.AUDIO, Kind.VIDEO, Kind.DOCUMENT, Kind.OTHER}
)


@dataclass(frozen=True)
class Attachment:
    """A file a person sent, as the platform refers to it: its bytes stay on the platform until
    a handler asks for them (`handlers/files.py`), so a message that needs no file costs none.

    Documents, photos, voice notes, audio and video carry one (stickers do not); only an admin's
    spreadsheet is fetched so far. The bytes are never kept in the message log."""

    ref: str  # the platform's id of the file: Telegram's file_id, WhatsApp's media id
    filename: str | None = None  # as the sender's phone named it (documents have one)
    mime: str | None = None  # as the platform reports it, e.g. "text/csv"
    size: int | None = None  # bytes, where the platform says before the download


@dataclass(frozen=True)
class Incoming:
    """One thing a person did: typed, pressed a button, shared a contact, sent a sticker..."""

    channel: str
    address: str
    kind: Kind
    text: str = ""
    command: str | None = None  # "start" for "/start abc", lowercased, without the slash
    args: str = ""  # "abc" for "/start abc"
    payload: str | None = None  # a pressed button's payload
    phone: str | None = None  # a shared contact's number
    own_contact: bool = True  # False when the shared contact is someone else's
    profile_name: str | None = None  # the name the platform shows; never stored without consent
    message_ref: str | None = None  # the platform's id of the message a button was pressed on
    dedupe_key: str | None = None  # the same key twice means the platform redelivered it
    contact_button: bool = False  # the channel can offer a "share my phone number" button
    # The file behind a document, photo, voice note, audio or video: Telegram's file id (lasting)
    # or WhatsApp's media id (downloadable for a while only), with its name, type and size.
    attachment: Attachment | None = None
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class Button:
    title: str  # at most 20 characters (WhatsApp's limit) in every language
    payload: str  # at most 64 bytes (Telegram's callback_data limit)


@dataclass(frozen=True)
class Template:
    """How to say a message the bot starts when the channel allows no free text now (WhatsApp
    outside the 24 hours after the person's last message): a pre-approved template.

    `key` names an entry of the channel's template catalogue (bot/channels/whatsapp/templates.toml:
    its text per language and its quick-reply titles); `params` fill its numbered parameters, in
    order (already in the person's language, person-typed text escaped as in `Reply.text`);
    `payloads` are what its quick-reply buttons send back when pressed, in order (each at most
    64 bytes, e.g. an RSVP payload or "open:<outbox row id>").
    """

    key: str
    params: tuple[str, ...] = ()
    payloads: tuple[str, ...] = ()


PHOTO_MIMES = frozenset({"image/png", "image/jpeg"})


@dataclass(frozen=True)
class Document:
    """A file sent with a reply (an export, an import report): the reply's text is its caption.
    Its bytes may hold personal data: they are never written to the message log or to logs."""

    filename: str  # what the reader's phone shows and saves it as, e.g. "kehadiran-2026-12-01.xlsx"
    content: bytes
    mime: str  # e.g. "text/csv", or XLSX's "application/vnd.openxmlformats-officedocument..."

    @property
    def photo(self) -> bool:
        """A PNG or JPEG image (a chart): shown as a photo in the chat, not as a file to open."""
        return self.mime in PHOTO_MIMES


@dataclass(frozen=True)
class Media:
    """A voice note, audio, photo or video sent with a reply (a check-in's, to staff), `text` as
    its caption where the platform allows one: by Telegram's file id (Telegram keeps its files),
    or as bytes from the media store. Bytes are never written to the message log or to logs."""

    kind: str  # "voice", "audio", "photo" or "video"
    file_id: str | None = None  # Telegram's: sent again by id (only Telegram can)
    content: bytes | None = None
    filename: str = ""  # a random name from the media store, never a person's ("3f9c….ogg")
    mime: str = ""  # e.g. "audio/ogg", "image/jpeg"


@dataclass(frozen=True)
class Reply:
    """A message to send. `text` is a small HTML subset (<b>, <i>); person-typed text must be escaped."""

    text: str
    buttons: tuple[Button, ...] = ()
    share_phone: str | None = None  # label of a "share my phone number" button, if offered
    remove_keyboard: bool = False  # drop a phone-sharing keyboard shown earlier
    edit_ref: str | None = None  # replace this earlier message (e.g. toggled choices) if possible
    # Set on messages the bot starts (the outbox): what to send where free text is not allowed now.
    template: Template | None = None
    template_only: bool = False  # the platform refused the free text already: send the template
    # The reader's language ("id", "en"), for words a channel adds itself (a list's "Choose"
    # button); None: the deployment's default language.
    language: str | None = None
    # This chat's command menu, where the channel has one (Telegram's per-chat command scope):
    # None leaves it as it is; () puts back the bot's default (participant) menu; otherwise the
    # (command, description) pairs to show, descriptions already in the reader's language.
    # Channels without a command menu (WhatsApp, the terminal) ignore it.
    chat_commands: tuple[tuple[str, str], ...] | None = None
    document: Document | None = None  # a file to send, `text` as its caption
    media: Media | None = None  # a voice note or photo to send, `text` as its caption
    # One of many identical messages to many people (a broadcast): a channel may send it at a
    # mass-messaging rate where the platform has one (Telegram's paid broadcasting).
    bulk: bool = False


def reply_fields(reply: Reply) -> dict[str, Any]:
    """Everything of a reply but its text, as JSON-able values (kept with a queued reply)."""
    fields: dict[str, Any] = {"buttons": [[b.title, b.payload] for b in reply.buttons]}
    if reply.share_phone is not None:
        fields["share_phone"] = reply.share_phone
    if reply.remove_keyboard:
        fields["remove_keyboard"] = True
    if reply.template is not None:
        template = reply.template
        fields["template"] = [template.key, list(template.params), list(template.payloads)]
    if reply.language is not None:
        fields["language"] = reply.language
    if reply.chat_commands is not None:
        fields["chat_commands"] = [list(pair) for pair in reply.chat_commands]
    if reply.document is not None:  # never its bytes: they may be personal data
        fields["document"] = [reply.document.filename, reply.document.mime]
    if reply.media is not None:  # Telegram's file id is kept (no personal data), bytes never
        fields["media"] = [reply.media.kind, reply.media.file_id]
    return fields


def reply_from(text: str, fields: dict[str, Any]) -> Reply:
    """The reply `reply_fields` described (an edit of an earlier message becomes a new one).

    A document's bytes were never kept: the text says that the file must be asked for again."""
    template = fields.get("template")
    if "document" in fields:
        text = text + "\n\n" + file_lost_note(str(fields["document"][0]), fields.get("language"))
    media = fields.get("media")
    if media is not None and media[1] is None:
        text = text + "\n\n" + file_lost_note(str(media[0]), fields.get("language"))
    return Reply(
        text,
        buttons=tuple(Button(str(title), str(payload)) for title, payload in fields["buttons"]),
        share_phone=fields.get("share_phone"),
        remove_keyboard=bool(fields.get("remove_keyboard", False)),
        template=Template(template[0], tuple(template[1]), tuple(template[2]))
        if template
        else None,
        language=fields.get("language"),
        chat_commands=tuple((str(name), str(about)) for name, about in fields["chat_commands"])
        if "chat_commands" in fields
        else None,
        media=Media(str(media[0]), file_id=str(media[1])) if media and media[1] else None,
    )


def file_lost_note(filename: str, language: str | None) -> str:
    """The line a resent reply gets in place of its file (whose bytes were never stored)."""
    with use_language(language or "id"):
        return _("The file {name} could not be sent. Please ask for it again.").format(
            name=escape(filename, quote=False)
        )


@dataclass(frozen=True)
class Outgoing:
    """A reply bound for one address, already logged as queued under `message_id`."""

    channel: str
    address: str
    reply: Reply
    message_id: int
