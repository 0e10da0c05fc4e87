"""Polls that go wrong in other ways: PTB's polling loop waits before the next one, or moves on.

PTB's loop waits (1 s, growing to 30 s) after a `TelegramError` and asks again at once after any
other exception, so each answer below must come back as updates to move past or as a
`NetworkError`. The Bot API's answer is canned at PTB's own extension point, `BaseRequest`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from telegram.error import NetworkError, TelegramError
from telegram.request import BaseRequest, RequestData

from bot.channels.telegram.reader import ReadingBot
from bot.logs import hide_library_payloads


class CannedRequest(BaseRequest):
    """Answers every Bot API call with the same body (or raises what it is given)."""

    def __init__(self, body: bytes | BaseException) -> None:
        self.body = body

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if isinstance(self.body, BaseException):
            raise self.body
        return 200, self.body


def bot_answering(body: bytes | BaseException) -> ReadingBot:
    request = CannedRequest(body)
    return ReadingBot("123456:TEST", request=request, get_updates_request=request)


def updates(*items: object) -> bytes:
    return json.dumps({"ok": True, "result": list(items)}).encode()


async def test_a_batch_of_only_unreadable_updates_still_moves_the_offset_past_them() -> None:
    broken = {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "poll": {}}
    bot = bot_answering(
        updates({"update_id": 41, "message": broken}, {"update_id": 42, "poll": {}})
    )
    got = await bot.get_updates()
    assert [u.update_id for u in got] == [41, 42]  # PTB confirms 42 + 1 on its next poll
    assert all(u.message is None and u.poll is None for u in got)


@pytest.mark.parametrize(
    "answer",
    [
        json.dumps({"ok": True, "result": {"update_id": 1}}).encode(),  # not a list
        json.dumps({"ok": True}).encode(),  # no result at all
        updates({"message": {}}, "junk"),  # nothing with an id to move past
        RuntimeError("a bug below PTB"),
    ],
    ids=["not-a-list", "no-result", "no-update-ids", "error-below-ptb"],
)
async def test_a_poll_that_cannot_move_on_fails_as_a_network_error(answer: Any) -> None:
    with pytest.raises(NetworkError):
        await bot_answering(answer).get_updates()


async def test_an_answer_that_is_not_json_fails_the_poll_without_being_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """PTB logs an answer it cannot decode, whole, at ERROR: a proxy's page may echo the updates."""
    caplog.set_level(logging.DEBUG)
    hide_library_payloads()  # as every process of the bot does when it builds PTB's application
    page = b"<html>502: upstream sent {'first_name': 'Wulandari', 'id': 918273645}</html>"
    with pytest.raises(TelegramError):  # PTB's loop waits after a TelegramError
        await bot_answering(page).get_updates()
    assert "Can not load invalid JSON data" in caplog.text
    assert "Wulandari" not in caplog.text and "918273645" not in caplog.text
