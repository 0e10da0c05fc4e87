"""Sending replies through the Telegram Bot API: HTML, keyboards, edits, flood control, blocked chats."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram import Message as TelegramMessage
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.channels.protocol import SendResult
from handlers.files import FileNotFetched, Unfetched
from handlers.types import Attachment, Button, Document, Media, Reply

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
GONE = ("chat not found", "user is deactivated", "bot was blocked", "bot can't initiate")

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


class TelegramChannel:
    """Renders a `Reply` for Telegram and sends it, retrying what Telegram asks us to retry."""

    name = "telegram"

    def __init__(self, bot: Bot, *, paid_broadcast: bool = False) -> None:
        self.bot = bot
        # TELEGRAM_PAID_BROADCAST: mass messages (`Reply.bulk`) go with allow_paid_broadcast,
        # which Telegram lets through beyond 30/s for a fee in Stars.
        self.paid_broadcast = paid_broadcast
        self._presses: dict[int, list[_Press]] = {}  # by chat id: presses being handled

    @asynccontextmanager
    async def answering_press(self, address: str, message_ref: str) -> AsyncIterator[None]:
        """Around the handling of a button press on message `message_ref`.

        Once the press has been answered, the buttons of that message are removed, so an old
        question cannot be answered again, unless a reply edited that very message (giving it new
        buttons, or none). A press that got no answer (ignored as pressed twice) changes nothing;
        nor does one whose handling raised: its buttons stay, to be pressed again.
        """
        chat_id = int(address)
        press = _Press(int(message_ref))
        self._presses.setdefault(chat_id, []).append(press)
        try:
            yield
        finally:
            presses = self._presses[chat_id]
            presses.remove(press)
            if not presses:
                del self._presses[chat_id]
        if press.answered and not press.edited:
            await self.remove_buttons(chat_id, press.message_id)

    async def remove_buttons(self, chat_id: int, message_id: int) -> None:
        """Take the inline keyboard off a message; if Telegram will not (too old, gone), never mind."""
        try:
            await self.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=None
            )
        except BadRequest as error:
            if "not modified" not in error.message.lower():  # not modified: already gone
                log.info("old buttons left in place: %s", type(error).__name__)
        except TelegramError as error:
            log.info("old buttons left in place: %s", type(error).__name__)

    async def send(self, address: str, reply: Reply) -> SendResult:
        chat_id = int(address)
        if reply.document is not None or reply.media is not None:
            return await self._send_with_document(chat_id, reply)
        return await self._send_text(chat_id, reply)

    async def _send_with_document(self, chat_id: int, reply: Reply) -> SendResult:
        """The file with the text as its caption (and the buttons under it); a text too long for
        a caption goes as its own message(s) after the file, the buttons under the last."""
        assert reply.document is not None or reply.media is not None
        fits = len(reply.text) <= MessageLimit.CAPTION_LENGTH and reply.share_phone is None
        caption = reply.text if fits else ""
        markup = render_markup(reply) if fits else None
        result = await self._send_one(
            chat_id, caption, markup, None, document=reply.document, media=reply.media
        )
        if result.retry_after is not None:
            return replace(result, rest=None)  # nothing went out: the whole reply again
        if not result.ok or fits:
            if result.ok:
                await self._answered(chat_id, reply)
            return result
        rest = replace(reply, document=None, media=None, edit_ref=None)
        sent = await self._send_text(chat_id, rest)
        attempts = result.attempts + sent.attempts
        if sent.retry_after is not None:
            return replace(sent, attempts=attempts, rest=sent.rest or rest)
        return replace(sent, attempts=attempts)

    async def _answered(self, chat_id: int, reply: Reply) -> None:
        for press in self._presses.get(chat_id, ()):
            press.answered = True
        if reply.chat_commands is not None:
            await self.set_chat_commands(chat_id, reply.chat_commands)

    async def fetch(self, attachment: Attachment, limit: int) -> bytes:
        """A file a person sent: getFile, then its download (Telegram keeps files at least an
        hour after getFile; bots may download files up to 20 MB)."""
        try:
            found = await self.bot.get_file(attachment.ref)
            if found.file_size is not None and found.file_size > limit:
                raise FileNotFetched(Unfetched.TOO_LARGE)
            content = bytes(await found.download_as_bytearray())
        except BadRequest as error:
            big = "too big" in error.message.lower()
            log.info("telegram file not fetched: %s", "too big" if big else "refused")
            raise FileNotFetched(Unfetched.TOO_LARGE if big else Unfetched.GONE) from None
        except TelegramError as error:
            log.info("telegram file not fetched: %s", type(error).__name__)
            raise FileNotFetched(Unfetched.FAILED) from None
        if len(content) > limit:
            raise FileNotFetched(Unfetched.TOO_LARGE)
        return content

    async def _send_text(self, chat_id: int, reply: Reply) -> SendResult:
        chunks = split_text(reply.text)
        external_id: str | None = None
        attempts = 0
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            markup = render_markup(reply) if last else None
            edit_ref = reply.edit_ref if len(chunks) == 1 else None
            result = await self._send_one(
                chat_id, chunk, markup, edit_ref, paid=self.paid_broadcast and reply.bulk
            )
            attempts += result.attempts
            if result.retry_after is not None:  # the caller pauses the channel, then resends
                rest = replace(reply, text="\n".join(chunks[index:]), edit_ref=None)
                return replace(result, attempts=attempts, rest=rest if index else None)
            if not result.ok:
                return SendResult(False, None, result.error, result.unreachable, attempts)
            external_id = result.external_id
        await self._answered(chat_id, reply)
        return SendResult(True, external_id, attempts=attempts)

    async def set_chat_commands(self, chat_id: int, commands: tuple[tuple[str, str], ...]) -> None:
        """This chat's command menu (`Reply.chat_commands`): the given commands, or with none the
        bot's default menu again. A failure leaves the menu as it was: the message went out."""
        scope = BotCommandScopeChat(chat_id)
        try:
            if commands:
                await self.bot.set_my_commands(
                    [BotCommand(name, about[:256]) for name, about in commands], scope=scope
                )
            else:
                await self.bot.delete_my_commands(scope=scope)
        except TelegramError as error:
            log.info("chat command menu left as it was: %s", type(error).__name__)

    async def _send_one(
        self,
        chat_id: int,
        text: str,
        markup: Markup,
        edit_ref: str | None,
        *,
        document: Document | None = None,
        media: Media | None = None,
        paid: bool = False,
    ) -> SendResult:
        # Only sendMessage carries it here: a broadcast is text (and its buttons).
        extra: dict[str, Any] = {"allow_paid_broadcast": True} if paid else {}
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                if media is not None:
                    sent = await self._send_media(chat_id, media, text, markup)
                    return SendResult(True, str(sent.message_id), attempts=attempt)
                if document is not None and document.photo:
                    sent = await self.bot.send_photo(
                        chat_id=chat_id,
                        photo=InputFile(document.content, filename=document.filename),
                        caption=text or None,
                        parse_mode=ParseMode.HTML if text else None,
                        reply_markup=markup,
                    )
                    return SendResult(True, str(sent.message_id), attempts=attempt)
                if document is not None:
                    sent = await self.bot.send_document(
                        chat_id=chat_id,
                        document=InputFile(document.content, filename=document.filename),
                        caption=text or None,
                        parse_mode=ParseMode.HTML if text else None,
                        reply_markup=markup,
                    )
                    return SendResult(True, str(sent.message_id), attempts=attempt)
                if edit_ref is not None and isinstance(markup, InlineKeyboardMarkup | None):
                    edited = await self._edit(chat_id, int(edit_ref), text, markup)
                    if edited is not None:
                        return SendResult(True, edited, attempts=attempt)
                    edit_ref = None  # the message is gone: send a new one instead
                message = await self.bot.send_message(
                    chat_id=chat_id,
                    text=text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    **extra,
                )
                return SendResult(True, str(message.message_id), attempts=attempt)
            except RetryAfter as error:  # no sleep here: the channel's limiter pauses everyone
                return SendResult(
                    False,
                    error="flood control",
                    attempts=attempt,
                    retry_after=retry_after_seconds(error),
                )
            except Forbidden as error:
                return SendResult(False, error=error.message, unreachable=True, attempts=attempt)
            except BadRequest as error:
                gone = any(phrase in error.message.lower() for phrase in GONE)
                log.warning("telegram refused a message: %s", error.message)
                return SendResult(False, error=error.message, unreachable=gone, attempts=attempt)
            except (TimedOut, NetworkError) as error:
                log.warning(
                    "telegram network error (attempt %d): %s", attempt, type(error).__name__
                )
                await asyncio.sleep(min(2 ** (attempt - 1), 8))
            except TelegramError as error:
                return SendResult(False, error=error.message, attempts=attempt)
        return SendResult(False, error="gave up after retries", attempts=MAX_ATTEMPTS)

    async def _send_media(
        self, chat_id: int, media: Media, caption: str, markup: Markup
    ) -> TelegramMessage:
        """sendVoice, sendAudio, sendPhoto or sendVideo: by file id, or uploading the bytes."""
        found: str | InputFile = (
            media.file_id
            if media.file_id is not None
            else InputFile(media.content or b"", filename=media.filename or None)
        )
        common: dict[str, Any] = {
            "chat_id": chat_id,
            "caption": caption or None,
            "parse_mode": ParseMode.HTML if caption else None,
            "reply_markup": markup,
        }
        if media.kind == "photo":
            return await self.bot.send_photo(photo=found, **common)
        if media.kind == "video":
            return await self.bot.send_video(video=found, **common)
        if media.kind == "audio":
            return await self.bot.send_audio(audio=found, **common)
        return await self.bot.send_voice(voice=found, **common)

    async def _edit(
        self, chat_id: int, message_id: int, text: str, markup: InlineKeyboardMarkup | None
    ) -> str | None:
        """Edit in place; the message id on success, None if the message can no longer be edited."""
        try:
            await self.bot.edit_message_text(
                chat_id=chat_id,
                message_id=message_id,
                text=text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except BadRequest as error:
            if (
                "message to edit not found" in error.message.lower()
                or "can't be edited" in error.message.lower()
            ):
                return None
            if "not modified" not in error.message.lower():  # not modified: it already says this
                raise
        for press in self._presses.get(chat_id, ()):
            if press.message_id == message_id:
                press.edited = True  # the message shows this reply's buttons (or none) now
        return str(message_id)


class _Press:
    """A button press being handled: was it answered, and did a reply edit its message?"""

    __slots__ = ("answered", "edited", "message_id")

    def __init__(self, message_id: int) -> None:
        self.message_id = message_id
        self.answered = False
        self.edited = False


def render_markup(reply: Reply) -> Markup:
    if reply.share_phone is not None:
        rows = [[KeyboardButton(reply.share_phone, request_contact=True)]]
        rows += [[KeyboardButton(button.title)] for button in reply.buttons]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
    if reply.buttons:
        return InlineKeyboardMarkup(keyboard_rows(reply.buttons))
    if reply.remove_keyboard:
        return ReplyKeyboardRemove()
    return None


def keyboard_rows(buttons: tuple[Button, ...]) -> list[list[InlineKeyboardButton]]:
    """Short titles two to a row, long ones alone, so nothing gets cut off on a small phone."""
    per_row = 2 if all(len(b.title) <= 16 for b in buttons) and len(buttons) > 3 else 1
    if len(buttons) <= 3 and all(len(b.title) <= 14 for b in buttons):
        per_row = len(buttons)
    keys = [InlineKeyboardButton(b.title, callback_data=b.payload) for b in buttons]
    return [keys[i : i + per_row] for i in range(0, len(keys), per_row)]


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Telegram takes 4,096 characters a message; split longer texts at line breaks."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            chunks.append(line[:limit])
            line = line[limit:]
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    return max(seconds, 0.5)
