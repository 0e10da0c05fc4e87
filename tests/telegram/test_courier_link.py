"""The pipe between the engine and a courier process: messages arrive whole, in order, as the
named types of `bot/courier/protocol.py`, and a closed pipe fails what waits on it instead of
hanging."""

from __future__ import annotations

import asyncio
import logging
import pickle
import socket

import pytest

from bot.channels.protocol import SendResult
from bot.config import Settings
from bot.courier.link import HEADER, Link, LinkClosed
from bot.courier.protocol import (
    Done,
    MembershipChanged,
    Message,
    Received,
    Send,
    Sent,
    Start,
    Stop,
    UnknownMessage,
    UpdateHandled,
    WebhookUpdate,
    decode,
    encode,
)
from handlers.types import Button, Incoming, Kind, Reply


async def pair() -> tuple[Link, Link]:
    one, two = socket.socketpair()
    return await Link.over(one), await Link.over(two)


def frame(data: bytes) -> bytes:
    return HEADER.pack(len(data)) + data


EVERY_MESSAGE: list[Message] = [
    Start(Settings(telegram_bot_token="1:x", port=8081)),
    Stop(),
    Send(1, "501", Reply("Halo <b>Sari</b> 🙏", (Button("Hadir", "rsvp:1:yes"),))),
    Send(5, "501", Reply("Menu staf", chat_commands=(("peserta", "Peserta"),))),  # a chat's menu
    Sent(1, SendResult(True, external_id="77", attempts=2)),
    WebhookUpdate(2, {"update_id": 9, "message": {"text": "halo"}}),
    UpdateHandled(2),
    Received(3, Incoming("telegram", "501", Kind.BUTTON, payload="rsvp:1:yes")),
    MembershipChanged(4, "501", "kicked"),
    Done(3),
]


@pytest.mark.parametrize("message", EVERY_MESSAGE, ids=lambda m: type(m).__name__)
def test_every_message_decodes_to_what_was_encoded(message: Message) -> None:
    assert decode(encode(message)) == message


@pytest.mark.parametrize(
    "data",
    [
        pickle.dumps(("Reboot", 1)),  # a kind this version does not know
        pickle.dumps(("Send", 1, "501")),  # a known kind with a value missing
        pickle.dumps(["Done", 1]),  # not the shape of a message
        b"\x80\x05garbage",  # not a pickle at all
    ],
    ids=["unknown kind", "missing value", "not a tuple", "not a pickle"],
)
def test_bytes_that_are_no_known_message_raise_unknown_message(data: bytes) -> None:
    with pytest.raises(UnknownMessage):
        decode(data)


async def test_an_unknown_message_is_logged_and_skipped_and_the_next_one_still_arrives(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _engine, courier = await pair()
    got: list[Message] = []
    courier.listen(got.append)
    courier.data_received(frame(pickle.dumps(("Reboot", 1))) + frame(encode(Done(5))))
    assert got == [Done(5)]
    assert any("unknown message 'Reboot'" in r.getMessage() for r in caplog.records)
    assert all(r.levelno == logging.ERROR for r in caplog.records)
    courier.close()


async def test_messages_arrive_whole_and_in_order_even_when_split_across_reads() -> None:
    engine, courier = await pair()
    got: list[Message] = []
    arrived = asyncio.Event()

    def take(message: Message) -> None:
        got.append(message)
        if len(got) == 3:
            arrived.set()

    courier.listen(take)
    reply = Reply("Halo <b>Sari</b> 🙏", (Button("Hadir", "rsvp:1:yes"),))
    engine.send(Send(1, "501", reply))
    engine.send(Done(7))
    # A frame delivered byte by byte (as a slow pipe may) still comes out as one message.
    for byte in frame(encode(Stop())):
        courier.data_received(bytes([byte]))
    await asyncio.wait_for(arrived.wait(), 5)
    # The engine's two messages leave together at the end of this turn of the loop, after the
    # frame fed in by hand.
    assert got == [Stop(), Send(1, "501", reply), Done(7)]
    engine.close()
    courier.close()


async def test_a_call_gets_the_answer_that_carries_its_id() -> None:
    engine, courier = await pair()

    def answer(message: Message) -> None:
        assert isinstance(message, Send)
        courier.send(Sent(message.call_id, SendResult(True, external_id=message.reply.text * 2)))

    def take_answer(message: Message) -> None:
        assert isinstance(message, Sent)
        engine.answered(message.call_id, message.result)

    courier.listen(answer)
    engine.listen(take_answer)
    results = await asyncio.gather(
        *(engine.call(lambda call_id, n=n: Send(call_id, "501", Reply(str(n)))) for n in range(5))
    )
    assert [result.external_id for result in results] == ["00", "11", "22", "33", "44"]
    engine.close()
    courier.close()


async def test_messages_before_listen_wait_in_order_and_first_takes_only_one() -> None:
    engine, courier = await pair()
    start = Start(Settings(telegram_bot_token="1:x"))
    engine.send(start)
    engine.send(Send(1, "501", Reply("a")))
    engine.send(Send(2, "501", Reply("b")))
    assert await asyncio.wait_for(courier.first(), 5) == start
    got: list[Message] = []
    both = asyncio.Event()

    def take(message: Message) -> None:
        got.append(message)
        if len(got) == 2:
            both.set()

    courier.listen(take)
    await asyncio.wait_for(both.wait(), 5)
    assert got == [Send(1, "501", Reply("a")), Send(2, "501", Reply("b"))]
    engine.close()
    courier.close()


async def test_the_other_end_closing_fails_waiting_calls_and_later_sends() -> None:
    engine, courier = await pair()
    courier.listen(lambda _message: None)  # never answers
    waiting = asyncio.create_task(engine.call(lambda call_id: Send(call_id, "501", Reply("x"))))
    await asyncio.sleep(0)
    courier.close()
    with pytest.raises(LinkClosed):
        await asyncio.wait_for(waiting, 5)
    await asyncio.wait_for(engine.gone.wait(), 5)
    with pytest.raises(LinkClosed):
        engine.send(Done(1))
    with pytest.raises(LinkClosed):
        await asyncio.wait_for(engine.first(), 5)
