"""The Bot API methods the bot sends messages with: send, edit, answer a press."""

from __future__ import annotations

import time
from typing import Any

from tests.fakes.telegram.errors import TelegramAPIError
from tests.fakes.telegram.html import HTMLParseError, parse_html, trim
from tests.fakes.telegram.records import Chat, Upload
from tests.fakes.telegram.state import FakeState
from tests.fakes.telegram.wire import (
    CAPTION_LIMIT,
    E_BLOCKED,
    E_BUTTON_DATA,
    E_CANT_EDIT,
    E_CAPTION_TOO_LONG,
    E_EDIT_NOT_FOUND,
    E_NOT_MODIFIED,
    E_PARSE_ENTITIES,
    E_QUERY_INVALID,
    E_REPLY_NOT_FOUND,
    E_TEXT_EMPTY,
    E_TEXT_TOO_LONG,
    TEXT_LIMIT,
)

JSONDict = dict[str, Any]
DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile refuses bigger files ("file is too big")
# Where Telegram files a kind's files (getFile's file_path): a file id is of the kind it was
# sent as, and sendVoice, sendPhoto, ... take only their own kind's.
FOLDERS = {
    "document": "documents",
    "voice": "voice",
    "photo": "photos",
    "audio": "music",
    "video": "videos",
    "sticker": "stickers",
}
PHOTO_LIMIT = 10 * 1024 * 1024  # sendPhoto: "The photo must be at most 10 MB in size"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


class MessageMethods(FakeState):
    """sendMessage and its kin, edits, answerCallbackQuery, getMe."""

    # ---- text and markup validation ----------------------------------------------------
    def _formatted(
        self, text: Any, parse_mode: Any, entities: Any, limit: int, *, caption: bool
    ) -> tuple[str, list[JSONDict]]:
        if text is None:
            text = ""
        if not isinstance(text, str):
            text = str(text)
        parsed_entities: list[JSONDict] = []
        if parse_mode and str(parse_mode).lower() == "html":
            try:
                text, parsed_entities = parse_html(text, strict=self.strict_html)
            except HTMLParseError as exc:
                raise TelegramAPIError(400, E_PARSE_ENTITIES + str(exc)) from exc
        elif isinstance(entities, list):
            parsed_entities = entities
        text, parsed_entities = trim(text, parsed_entities)
        if not text and not caption:
            raise TelegramAPIError(400, E_TEXT_EMPTY)
        if len(text) > limit:
            raise TelegramAPIError(400, E_CAPTION_TOO_LONG if caption else E_TEXT_TOO_LONG)
        return text, parsed_entities

    @staticmethod
    def _check_markup(markup: Any, *, inline_only: bool = False) -> JSONDict | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise TelegramAPIError(
                400, "Bad Request: can't parse reply keyboard markup JSON object"
            )
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise TelegramAPIError(
                    400, 'Bad Request: field "inline_keyboard" must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise TelegramAPIError(
                            400,
                            "Bad Request: can't parse inline keyboard button: Text must be a String",
                        )
                    data = button.get("callback_data")
                    if data is not None:
                        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                            raise TelegramAPIError(400, E_BUTTON_DATA)
                    elif len(button) == 1:
                        raise TelegramAPIError(
                            400, "Bad Request: text buttons are unallowed in the inline keyboard"
                        )
            return markup
        if inline_only:
            raise TelegramAPIError(400, "Bad Request: inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise TelegramAPIError(
                    400, 'Bad Request: field "keyboard" must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    if isinstance(button, dict):
                        if not isinstance(button.get("text"), str) or not button["text"]:
                            raise TelegramAPIError(
                                400, "Bad Request: keyboard button text must be non-empty"
                            )
                    elif not isinstance(button, str):
                        raise TelegramAPIError(400, "Bad Request: can't parse keyboard button")
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise TelegramAPIError(400, "Bad Request: can't parse reply keyboard markup JSON object")

    # ---- method handlers --------------------------------------------------------------
    def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _reply_target(self, state: Chat, params: JSONDict) -> JSONDict | None:
        reply = params.get("reply_parameters")
        target: Any = None
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            target = reply.get("message_id")
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            target = params.get("reply_to_message_id")
        if target is None:
            return None
        message = state.messages.get(target) if isinstance(target, int) else None
        if message is None:
            if allow_missing:
                return None
            raise TelegramAPIError(400, E_REPLY_NOT_FOUND)
        return {k: v for k, v in message.items() if k != "reply_to_message"}

    def _new_bot_message(self, state: Chat, params: JSONDict, **content: Any) -> JSONDict:
        message: JSONDict = {
            "message_id": state.new_message_id(),
            "from": self.bot_user,
            "chat": state.chat,
            "date": int(time.time()),
        }
        reply_to = self._reply_target(state, params)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(content)
        state.messages[message["message_id"]] = message
        return message

    @staticmethod
    def _record(message: JSONDict, method: str, params: JSONDict, raw_key: str) -> JSONDict:
        record = {**message, "method": method, "parse_mode": params.get("parse_mode")}
        raw = params.get(raw_key)
        record["raw_" + raw_key] = raw if isinstance(raw, str) else message.get(raw_key)
        if params.get("reply_markup") is not None:
            record["reply_markup"] = params["reply_markup"]
        return record

    def _send_message(self, params: JSONDict) -> JSONDict:
        state = self._chat(params.get("chat_id"))
        text, entities = self._formatted(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            TEXT_LIMIT,
            caption=False,
        )
        markup = self._check_markup(params.get("reply_markup"))
        if state.blocked:
            raise TelegramAPIError(403, E_BLOCKED)
        self._check_flood(state.chat["id"], params)
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        if markup is not None and "inline_keyboard" in markup:
            content["reply_markup"] = markup
        message = self._new_bot_message(state, params, **content)
        self._deliver(state, self._record(message, "sendMessage", params, "text"))
        return message

    def _editable(self, params: JSONDict) -> tuple[Chat, JSONDict]:
        if params.get("inline_message_id") is not None:
            raise TelegramAPIError(400, "Bad Request: MESSAGE_ID_INVALID")
        state = self._chat(params.get("chat_id"))
        message_id = params.get("message_id")
        message = state.messages.get(message_id) if isinstance(message_id, int) else None
        if message is None:
            raise TelegramAPIError(400, E_EDIT_NOT_FOUND)
        if message["from"].get("id") != self.bot_id:
            raise TelegramAPIError(400, E_CANT_EDIT)
        return state, message

    def _apply_edit(
        self,
        state: Chat,
        message: JSONDict,
        content: JSONDict,
        method: str,
        params: JSONDict,
        raw_key: str,
    ) -> JSONDict:
        if all(message.get(k) == v for k, v in content.items()):
            raise TelegramAPIError(400, E_NOT_MODIFIED)
        if state.blocked:
            raise TelegramAPIError(403, E_BLOCKED)
        self._check_flood(state.chat["id"], params)
        edited = {k: v for k, v in message.items() if content.get(k, 0) is not None}
        edited.update({k: v for k, v in content.items() if v is not None})
        edited["edit_date"] = int(time.time())
        state.messages[edited["message_id"]] = edited
        self._deliver(state, self._record(edited, method, params, raw_key))
        return edited

    def _edit_message_text(self, params: JSONDict) -> JSONDict:
        state, message = self._editable(params)
        if "text" not in message:
            raise TelegramAPIError(400, "Bad Request: there is no text in the message to edit")
        text, entities = self._formatted(
            params.get("text"),
            params.get("parse_mode"),
            params.get("entities"),
            TEXT_LIMIT,
            caption=False,
        )
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        content = {"text": text, "entities": entities or None, "reply_markup": markup}
        return self._apply_edit(state, message, content, "editMessageText", params, "text")

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        """New buttons under a message, or none (no markup, or an empty inline keyboard).

        The message changes in place, where the person sees it; as nothing new arrives to read,
        it is not one of the person's next messages (``FakeUser.next_message``): see
        ``FakeUser.buttons_on`` and ``markup_edits``.
        """
        state, message = self._editable(params)
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        if markup is not None and not markup["inline_keyboard"]:
            markup = None  # Telegram shows an empty inline keyboard as no keyboard
        if message.get("reply_markup") == markup:
            raise TelegramAPIError(400, E_NOT_MODIFIED)
        if state.blocked:
            raise TelegramAPIError(403, E_BLOCKED)
        self._check_flood(state.chat["id"], params)
        edited = {k: v for k, v in message.items() if k != "reply_markup"}
        if markup is not None:
            edited["reply_markup"] = markup
        edited["edit_date"] = int(time.time())
        state.messages[edited["message_id"]] = edited
        self.markup_edits.append({**edited, "method": "editMessageReplyMarkup"})
        return edited

    def _input_file(self, value: Any, kind: str = "document") -> tuple[str, str, bytes, str]:
        """Resolve a file param: (file_id, file_unique_id, content, file name). A file id must be
        of the method's kind (a photo's cannot go as a voice note), as Telegram checks."""
        folder = FOLDERS.get(kind, "documents")
        if isinstance(value, Upload):
            if not value.data:
                raise TelegramAPIError(400, "Bad Request: file must be non-empty")
            file_id, unique = self._new_file(value.data, f"{folder}/{value.filename or 'file'}")
            return file_id, unique, value.data, value.filename
        if isinstance(value, str) and value.startswith("attach://"):
            raise TelegramAPIError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if isinstance(value, str) and value in self._files:
            path, content = self._files[value]
            found = path.split("/", 1)[0]
            if kind != "document" and found != folder:
                of = {v: k for k, v in FOLDERS.items()}.get(found, "document").capitalize()
                raise TelegramAPIError(
                    400, f"Bad Request: can't use file of type {of} as {kind.capitalize()}"
                )
            return value, "AgAD" + value[-8:], content, path.rsplit("/", 1)[-1]
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            name = value.rsplit("/", 1)[-1] or "file"
            file_id, unique = self._new_file(b"", f"documents/{name}")
            return file_id, unique, b"", name
        raise TelegramAPIError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _send_media(self, params: JSONDict, kind: str, method: str) -> JSONDict:
        state = self._chat(params.get("chat_id"))
        caption, entities = self._formatted(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            CAPTION_LIMIT,
            caption=True,
        )
        markup = self._check_markup(params.get("reply_markup"))
        if params.get(kind) is None:
            raise TelegramAPIError(400, f"Bad Request: there is no {kind} in the request")
        file_id, unique, content, name = self._input_file(params.get(kind), kind)
        if state.blocked:
            raise TelegramAPIError(403, E_BLOCKED)
        self._check_flood(state.chat["id"], params)
        media: Any
        if kind == "photo":
            media = [
                {
                    "file_id": file_id,
                    "file_unique_id": unique,
                    "file_size": len(content),
                    "width": 800,
                    "height": 600,
                }
            ]
        else:
            media = {
                "file_id": file_id,
                "file_unique_id": unique,
                "file_size": len(content),
            }
            if kind in ("document", "audio", "video"):
                media["file_name"] = name
            if kind in ("voice", "audio", "video"):  # Telegram reads it from the file
                media["duration"] = int(params.get("duration") or 3)
            if kind == "voice":
                media["mime_type"] = "audio/ogg"
            if kind == "video":
                media |= {"width": 640, "height": 360}
        body: JSONDict = {kind: media}
        if caption:
            body["caption"] = caption
        if entities:
            body["caption_entities"] = entities
        if markup is not None and "inline_keyboard" in markup:
            body["reply_markup"] = markup
        message = self._new_bot_message(state, params, **body)
        self._deliver(state, self._record(message, method, params, "caption"))
        return message

    def _send_document(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "document", "sendDocument")

    def _send_voice(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "voice", "sendVoice")

    def _send_photo(self, params: JSONDict) -> JSONDict:
        """sendPhoto: an image (Telegram shows it inline; at most 10 MB, as PNG or JPEG)."""
        upload = params.get("photo")
        content = upload.data if isinstance(upload, Upload) else None
        if isinstance(content, bytes) and not content.startswith((PNG_MAGIC, JPEG_MAGIC)):
            raise TelegramAPIError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        if isinstance(content, bytes) and len(content) > PHOTO_LIMIT:
            raise TelegramAPIError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        return self._send_media(params, "photo", "sendPhoto")

    def _send_audio(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "audio", "sendAudio")

    def _send_video(self, params: JSONDict) -> JSONDict:
        return self._send_media(params, "video", "sendVideo")

    def _get_file(self, params: JSONDict) -> JSONDict:
        """getFile: where to download a file from (bots may download files up to 20 MB)."""
        file_id = params.get("file_id")
        if not isinstance(file_id, str) or not file_id:
            raise TelegramAPIError(400, "Bad Request: file_id is empty")
        found = self._files.get(file_id)
        if found is None:
            raise TelegramAPIError(400, "Bad Request: invalid file_id")
        path, content = found
        if len(content) > DOWNLOAD_LIMIT:
            raise TelegramAPIError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": "AgAD" + file_id[-8:],
            "file_size": len(content),
            "file_path": path,
        }

    def download(self, token: str, path: str) -> bytes | None:
        """The bytes at /file/bot<token>/<file_path>, as getFile named it; None: not found."""
        if token != self.token:
            return None
        self.downloads.append(path)
        return self._file_paths.get(path)

    def _answer_callback_query(self, params: JSONDict) -> bool:
        query = self._queries.get(str(params.get("callback_query_id", "")))
        if query is None or query.done:
            raise TelegramAPIError(400, E_QUERY_INVALID)
        text = params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise TelegramAPIError(400, "Bad Request: MESSAGE_TOO_LONG")
        query.answer = params
        query.done = True
        query.event.set()
        return True
