"""Simulated people: each sends updates as a Telegram client would and reads what the bot sent."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, cast

from tests.fakes.telegram.errors import NoMessageError
from tests.fakes.telegram.records import CallbackQuery, summary, wait_event
from tests.fakes.telegram.wire import BOT_COMMAND_RE, utf16_len

if TYPE_CHECKING:
    from tests.fakes.telegram.server import FakeTelegramAPI

JSONDict = dict[str, Any]


class FakeUser:
    """A person chatting privately with the bot (chat_id == user_id)."""

    def __init__(
        self,
        fake: FakeTelegramAPI,
        user_id: int,
        first_name: str,
        last_name: str | None,
        language_code: str | None,
        username: str | None,
    ) -> None:
        """Use ``FakeTelegramAPI.user(...)`` instead of calling this directly."""
        self.fake = fake
        self.user_id = user_id
        self.chat_id = user_id
        self.user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        self.chat: JSONDict = {"id": user_id, "first_name": first_name}
        if last_name is not None:
            self.user["last_name"] = last_name
            self.chat["last_name"] = last_name
        if username is not None:
            self.user["username"] = username
            self.chat["username"] = username
        if language_code is not None:
            self.user["language_code"] = language_code
        self.chat["type"] = "private"
        self._state = fake._chat_state(user_id, self.chat, self.user)
        self._cursor = 0
        self._last_query: CallbackQuery | None = None

    # ---- building updates (no queuing) ------------------------------------------------
    def _message(self, **content: Any) -> JSONDict:
        self._state.known = True
        return {
            "message_id": self._state.new_message_id(),
            "from": self.user,
            "chat": self.chat,
            "date": int(time.time()),
            **content,
        }

    def _update(self, kind: str, payload: JSONDict) -> JSONDict:
        self._state.known = True
        return {"update_id": self.fake._new_update_id(), kind: payload}

    def message_update(self, **content: Any) -> JSONDict:
        """A ``message`` update with arbitrary extra message fields."""
        message = self._message(**content)
        self._state.messages[message["message_id"]] = message
        return self._update("message", message)

    def text_update(self, text: str) -> JSONDict:
        """A text message update; commands get ``bot_command`` entities like Telegram adds."""
        entities = [
            {
                "type": "bot_command",
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m.group(0)),
            }
            for m in BOT_COMMAND_RE.finditer(text)
        ]
        if entities:
            return self.message_update(text=text, entities=entities)
        return self.message_update(text=text)

    def contact_update(self, phone_number: str, own: bool = True) -> JSONDict:
        """A shared contact; ``own=True`` (the request_contact button) sets contact.user_id."""
        contact: JSONDict = {"phone_number": phone_number, "first_name": self.user["first_name"]}
        if "last_name" in self.user:
            contact["last_name"] = self.user["last_name"]
        if own:
            contact["user_id"] = self.user_id
        else:
            contact["first_name"] = "Kontak"
        return self.message_update(contact=contact)

    def sticker_update(self) -> JSONDict:
        """A sticker message update."""
        file_id, unique = self.fake._new_file(b"RIFF-sticker", "stickers/file_1.webp")
        sticker = {
            "file_id": file_id,
            "file_unique_id": unique,
            "width": 512,
            "height": 512,
            "emoji": "\U0001f44d",
            "set_name": "PendampingTest",
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "file_size": 12,
        }
        return self.message_update(sticker=sticker)

    def photo_update(self, caption: str | None = None) -> JSONDict:
        """A photo message update (two PhotoSizes)."""
        small_id, small_unique = self.fake._new_file(b"\xff\xd8small", "photos/file_s.jpg")
        big_id, big_unique = self.fake._new_file(b"\xff\xd8big-photo", "photos/file_b.jpg")
        photo = [
            {
                "file_id": small_id,
                "file_unique_id": small_unique,
                "file_size": 7,
                "width": 90,
                "height": 67,
            },
            {
                "file_id": big_id,
                "file_unique_id": big_unique,
                "file_size": 11,
                "width": 1280,
                "height": 960,
            },
        ]
        if caption is None:
            return self.message_update(photo=photo)
        return self.message_update(photo=photo, caption=caption)

    def voice_update(self, duration: int = 3) -> JSONDict:
        """A voice note message update."""
        file_id, unique = self.fake._new_file(b"OggS-voice", "voice/file_v.oga")
        voice = {
            "file_id": file_id,
            "file_unique_id": unique,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": 10,
        }
        return self.message_update(voice=voice)

    def location_update(self, latitude: float, longitude: float) -> JSONDict:
        """A location message update."""
        return self.message_update(location={"latitude": latitude, "longitude": longitude})

    def document_update(
        self,
        file_name: str = "surat.pdf",
        mime_type: str = "application/pdf",
        content: bytes = b"%PDF-1.4 fake\n",
        caption: str | None = None,
    ) -> JSONDict:
        """A document message update (the content is kept, as Telegram keeps a file)."""
        file_id, unique = self.fake._new_file(content, f"documents/{file_name}")
        document = {
            "file_id": file_id,
            "file_unique_id": unique,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        if caption is None:
            return self.message_update(document=document)
        return self.message_update(document=document, caption=caption)

    def callback_update(
        self, callback_data: str, message_id: int | None = None, *, strict: bool = True
    ) -> JSONDict:
        """A callback_query update for pressing an inline button of a bot message.

        Default message: the latest bot message in this chat that has an inline keyboard.
        With ``strict`` (default) the data must be one of that message's buttons, as a
        real client can only send what is on the keyboard.
        """
        state = self._state
        message: JSONDict | None = None
        if message_id is None:
            for candidate in reversed(state.messages.values()):
                if candidate["from"]["id"] == self.fake.bot_id and "reply_markup" in candidate:
                    message = candidate
                    break
            if message is None:
                raise AssertionError(
                    f"user {self.user_id} has no bot message with an inline keyboard to press"
                    f" {callback_data!r}; bot messages to this chat: "
                    f"{[summary(r) for r in state.inbox]}"
                )
        else:
            message = state.messages.get(message_id)
            if message is None or message["from"]["id"] != self.fake.bot_id:
                raise AssertionError(
                    f"no bot message #{message_id} in chat {self.chat_id}; bot messages: "
                    f"{[summary(r) for r in state.inbox]}"
                )
        if strict:
            rows = message.get("reply_markup", {}).get("inline_keyboard", [])
            datas = [b.get("callback_data") for row in rows for b in row]
            if callback_data not in datas:
                raise AssertionError(
                    f"bot message #{message['message_id']} has no button with callback_data"
                    f" {callback_data!r}; its buttons: {datas}"
                )
        query = self.fake._new_callback_query(self.user_id, self.chat_id, callback_data)
        self._last_query = query
        payload = {
            "id": query.query_id,
            "from": self.user,
            "message": message,
            "chat_instance": str(-(7_000_000_000_000_000_000 + self.chat_id)),
            "data": callback_data,
        }
        return self._update("callback_query", payload)

    def my_chat_member_update(self, old_status: str, new_status: str) -> JSONDict:
        """A my_chat_member update for this private chat (e.g. member -> kicked)."""
        bot = self.fake.bot_user
        new_member: JSONDict = {"user": bot, "status": new_status}
        if new_status == "kicked":
            new_member["until_date"] = 0
        old_member: JSONDict = {"user": bot, "status": old_status}
        if old_status == "kicked":
            old_member["until_date"] = 0
        payload = {
            "chat": self.chat,
            "from": self.user,
            "date": int(time.time()),
            "old_chat_member": old_member,
            "new_chat_member": new_member,
        }
        return self._update("my_chat_member", payload)

    # ---- sending (queue for getUpdates) -----------------------------------------------
    def send_text(self, text: str) -> int:
        """Queue a text message; returns its update_id."""
        return self.fake.push_update(self.text_update(text))

    def send_contact(self, phone_number: str, own: bool = True) -> int:
        """Queue a contact message; returns its update_id."""
        return self.fake.push_update(self.contact_update(phone_number, own))

    def send_sticker(self) -> int:
        """Queue a sticker message; returns its update_id."""
        return self.fake.push_update(self.sticker_update())

    def send_photo(self, caption: str | None = None) -> int:
        """Queue a photo message; returns its update_id."""
        return self.fake.push_update(self.photo_update(caption))

    def send_voice(self, duration: int = 3) -> int:
        """Queue a voice message; returns its update_id."""
        return self.fake.push_update(self.voice_update(duration))

    def send_location(self, latitude: float, longitude: float) -> int:
        """Queue a location message; returns its update_id."""
        return self.fake.push_update(self.location_update(latitude, longitude))

    def send_document(
        self,
        file_name: str = "surat.pdf",
        mime_type: str = "application/pdf",
        content: bytes = b"%PDF-1.4 fake\n",
        caption: str | None = None,
    ) -> int:
        """Queue a document message; returns its update_id."""
        return self.fake.push_update(self.document_update(file_name, mime_type, content, caption))

    def press(
        self, callback_data: str, message_id: int | None = None, *, strict: bool = True
    ) -> int:
        """Queue a callback_query (see ``callback_update``); returns its update_id."""
        return self.fake.push_update(self.callback_update(callback_data, message_id, strict=strict))

    def block_bot(self) -> int:
        """Block the bot: queue my_chat_member member -> kicked and mark the chat blocked."""
        self.fake.block(self.chat_id)
        return self.fake.push_update(self.my_chat_member_update("member", "kicked"))

    def unblock_bot(self) -> int:
        """Unblock the bot: queue my_chat_member kicked -> member and unblock the chat."""
        self.fake.unblock(self.chat_id)
        return self.fake.push_update(self.my_chat_member_update("kicked", "member"))

    # ---- inspecting what the bot did --------------------------------------------------
    @property
    def inbox(self) -> list[JSONDict]:
        """All bot messages to this chat (sends and edits, with "method"), in order."""
        return self._state.inbox

    @property
    def blocked(self) -> bool:
        """Whether this user has blocked the bot."""
        return self._state.blocked

    @property
    def pending(self) -> list[JSONDict]:
        """Bot messages not yet consumed by ``next_message``."""
        return self._state.inbox[self._cursor :]

    async def next_message(self, timeout: float = 5) -> JSONDict:
        """The next bot message to this chat not yet consumed; waits up to ``timeout`` s."""
        state = self._state
        deadline = asyncio.get_running_loop().time() + timeout
        while self._cursor >= len(state.inbox):
            state.event.clear()
            if not await wait_event(state.event, deadline) and self._cursor >= len(state.inbox):
                raise NoMessageError(self._nothing_arrived(timeout))
        record = state.inbox[self._cursor]
        self._cursor += 1
        return record

    def _nothing_arrived(self, timeout: float) -> str:
        lines = [
            f"no new bot message for user {self.user_id} within {timeout}s"
            f" ({self._cursor} already consumed).",
            "Bot messages to this chat:"
            if self._state.inbox
            else "The bot sent nothing to this chat.",
        ]
        lines += [f"  {summary(r)}" for r in self._state.inbox]
        errors = [e for e in self.fake.errors if e[1].get("chat_id") == self.chat_id]
        if errors:
            lines.append("Failed calls for this chat:")
            lines += [f"  {m} -> {code} {desc}" for m, _p, code, desc in errors[-10:]]
        recent = self.fake.calls[-10:]
        if recent:
            lines.append("Last API calls:")
            for method, params in recent:
                short = {k: (v[:60] if isinstance(v, str) else v) for k, v in params.items()}
                lines.append(f"  {method} {short}")
        if self.fake.internal_errors:
            lines.append(f"Bugs inside the fake server: {self.fake.internal_errors!r}")
        return "\n".join(lines)

    def buttons_on(self, message_id: int) -> list[list[JSONDict]] | None:
        """The inline keyboard under a bot message as the person sees it now (None: no buttons)."""
        message = self._state.messages.get(message_id)
        if message is None or message["from"].get("id") != self.fake.bot_id:
            raise AssertionError(f"no bot message #{message_id} in chat {self.chat_id}")
        markup = message.get("reply_markup")
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        return cast("list[list[JSONDict]] | None", rows or None)

    def last_keyboard(self) -> list[list[JSONDict]] | None:
        """Inline keyboard (or reply keyboard) of the last bot message, if any."""
        if not self._state.inbox:
            return None
        markup = self._state.inbox[-1].get("reply_markup")
        if not isinstance(markup, dict):
            return None
        rows = markup.get("inline_keyboard", markup.get("keyboard"))
        return cast("list[list[JSONDict]] | None", rows)

    def reply_keyboard(self) -> list[list[JSONDict]] | None:
        """The reply keyboard currently shown to the user (None after remove_keyboard)."""
        for record in reversed(self._state.inbox):
            markup = record.get("reply_markup")
            if record.get("method") != "sendMessage" or not isinstance(markup, dict):
                continue
            if "keyboard" in markup:
                return cast("list[list[JSONDict]]", markup["keyboard"])
            if markup.get("remove_keyboard"):
                return None
        return None

    async def answered_callback(self, timeout: float = 5) -> JSONDict:
        """The answerCallbackQuery params for this user's latest callback query."""
        query = self._last_query
        if query is None:
            raise AssertionError(f"user {self.user_id} never pressed a button")
        deadline = asyncio.get_running_loop().time() + timeout
        if not query.done and not await wait_event(query.event, deadline):
            raise NoMessageError(
                f"callback query {query.query_id} ({query.data!r}) of user {self.user_id}"
                f" was not answered within {timeout}s"
            )
        assert query.answer is not None
        return query.answer
