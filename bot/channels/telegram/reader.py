"""Reading Telegram's updates so that one the library cannot read never stalls the bot.

python-telegram-bot turns each update's JSON into objects; an update it cannot read (a field its
version requires is missing, because the Bot API or a self-hosted Bot API server is older or newer
than the library) raises. In polling, PTB's `get_updates` then fails for the whole batch, logs the
raw batch (names, chat ids, texts) and PTB's updater asks for the same batch again at once,
forever, for every user. Here each update is read on its own: one that cannot be read is logged
by id and type only and replaced by an `Update` with its id and nothing else, so the offset
moves past it, but for a private message's sender, who is told it could not be read. The
webhook's updates are read with `read_update` too (`webhook.process_raw_update`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import telegram
from telegram import Chat, Message, Update, User
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.error import NetworkError, TelegramError
from telegram.ext import ExtBot
from telegram.request import BaseRequest

log = logging.getLogger(__name__)

_KEY = re.compile(r"[a-z_]{1,40}")  # the shape of Telegram's update types ("message", "poll")


def describe(data: object) -> tuple[str, str]:
    """(update id, type) of a raw update, safe to log: never anything a person wrote or is."""
    if not isinstance(data, dict):
        return "?", "not an object"
    update_id = data.get("update_id")
    shown_id = str(update_id) if isinstance(update_id, int) else "?"
    kinds = [key for key in data if key != "update_id"]
    kind = kinds[0] if kinds and isinstance(kinds[0], str) and _KEY.fullmatch(kinds[0]) else "?"
    return shown_id, kind


def read_update(data: object, bot: telegram.Bot) -> Update | None:
    """The update; if this version of PTB cannot read it, what can be trusted of it (logged by id
    and type); None if it has not even an update id."""
    try:
        return Update.de_json(data, bot)  # type: ignore[arg-type]
    except Exception as error:  # whatever the library trips over, it is this update's fault
        update_id, kind = describe(data)
        log.warning(
            "telegram update %s (%s) skipped: python-telegram-bot %s cannot read it (%s)",
            update_id,
            kind,
            telegram.__version__,
            type(error).__name__,
        )
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return None
    update = Update(data["update_id"], message=_sender_only(data.get("message")))
    update.set_bot(bot)
    return update


def _sender_only(message: object) -> Message | None:
    """A private message reduced to who sent it and where, so the person hears that it could not
    be read (a message without content reaches the engine as `Kind.OTHER`)."""
    if not isinstance(message, dict):
        return None
    chat, sender = message.get("chat"), message.get("from")
    if not isinstance(chat, dict) or not isinstance(sender, dict) or chat.get("type") != "private":
        return None
    ids = (message.get("message_id"), chat.get("id"), sender.get("id"))
    if not all(isinstance(value, int) for value in ids):
        return None
    message_id, chat_id, user_id = ids
    first, last = sender.get("first_name"), sender.get("last_name")
    user = User(
        user_id,  # type: ignore[arg-type]
        first if isinstance(first, str) else "",
        False,
        last_name=last if isinstance(last, str) else None,
    )
    chat_object = Chat(chat_id, Chat.PRIVATE)  # type: ignore[arg-type]
    return Message(message_id, datetime.now(UTC), chat_object, from_user=user)  # type: ignore[arg-type]


class ReadingBot(ExtBot[None]):
    """PTB's bot, with a `get_updates` that reads each update on its own.

    Any other failure of a poll (a reply that is not a list of updates, one without an id, an
    error below PTB) is raised as a `NetworkError`, so PTB's polling loop waits before it asks
    again (1 s, growing to 30 s) instead of asking hundreds of times a second.
    """

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: TimePeriod | None = None,
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> tuple[Update, ...]:
        data: JSONDict = {
            "timeout": timeout,
            "offset": offset,
            "limit": limit,
            "allowed_updates": allowed_updates,
        }
        # As PTB's own get_updates: a long poll may take its timeout on top of the read timeout.
        if isinstance(read_timeout, DefaultValue):
            wait: float = self._request[0].read_timeout or 0
        else:
            wait = read_timeout or 0
        seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else timeout or 0
        try:
            result: Any = await self._post(
                "getUpdates",
                data,
                read_timeout=wait + seconds,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
                api_kwargs=api_kwargs,
            )
        except TelegramError:
            raise
        except Exception as error:
            raise NetworkError(f"getUpdates failed: {type(error).__name__}") from error
        if not isinstance(result, list):
            raise NetworkError("getUpdates answered something that is not a list of updates")
        updates: list[Update] = []
        for item in result:
            update = read_update(item, self)
            if update is None:
                continue  # no id to move past; a later update's id moves past it
            self.insert_callback_data(update)
            updates.append(update)
        if result and not updates:
            raise NetworkError("getUpdates answered only updates without an update_id")
        return tuple(updates)
