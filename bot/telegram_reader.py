"""Reading Telegram's updates so that one the library cannot read never stalls the bot.

python-telegram-bot turns each update's JSON into objects; an update it cannot read (a field its
version requires is missing, because the Bot API or a self-hosted Bot API server is older or newer
than the library) raises. In polling, PTB's `get_updates` then fails for the whole batch, logs the
raw batch (names, chat ids, texts) and PTB's updater asks for the same batch again at once,
forever, for every user. Here each update is read on its own: one that cannot be read is logged
by id and type only and replaced by an empty `Update` with its id, so the offset moves past it
and nothing else is lost. The webhook (`bot/web.py`) reads its updates with `read_update` too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import telegram
from telegram import Update
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
    """The update, or None (logged by id and type) if this version of PTB cannot read it."""
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
        return None


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
                update_id = item.get("update_id") if isinstance(item, dict) else None
                if not isinstance(update_id, int):
                    continue  # no id to move past; a later update's id moves past it
                update = Update(update_id)  # empty: confirms the id, reaches no handler
                update.set_bot(self)
            self.insert_callback_data(update)
            updates.append(update)
        if result and not updates:
            raise NetworkError("getUpdates answered only updates without an update_id")
        return tuple(updates)
