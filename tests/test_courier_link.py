"""The pipe between the engine and a courier process: messages arrive whole, in order, and a
closed pipe fails what waits on it instead of hanging."""

from __future__ import annotations

import asyncio
import pickle
import socket

import pytest

from bot.courier.link import HEADER, Link, LinkClosed, Message
from handlers.types import Button, Reply


async def pair() -> tuple[Link, Link]:
    one, two = socket.socketpair()
    return await Link.over(one), await Link.over(two)


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
    engine.send("send", 1, "501", reply)
    engine.send("done", 7)
    # A frame delivered byte by byte (as a slow pipe may) still comes out as one message.
    data = pickle.dumps(("stop",))
    for byte in HEADER.pack(len(data)) + data:
        courier.data_received(bytes([byte]))
    await asyncio.wait_for(arrived.wait(), 5)
    # The engine's two messages leave together at the end of this turn of the loop, after the
    # frame fed in by hand.
    assert got == [("stop",), ("send", 1, "501", reply), ("done", 7)]
    engine.close()
    courier.close()


async def test_a_call_gets_the_answer_that_carries_its_id() -> None:
    engine, courier = await pair()

    def answer(message: Message) -> None:
        _kind, call_id, value = message
        courier.send("answer", call_id, value * 2)

    courier.listen(answer)
    engine.listen(lambda message: engine.answered(message[1], message[2]))
    results = await asyncio.gather(*(engine.call("double", n) for n in range(5)))
    assert results == [0, 2, 4, 6, 8]
    engine.close()
    courier.close()


async def test_messages_before_listen_wait_in_order_and_first_takes_only_one() -> None:
    engine, courier = await pair()
    engine.send("start", {"token": "x"})
    engine.send("send", 1, "501", Reply("a"))
    engine.send("send", 2, "501", Reply("b"))
    assert await asyncio.wait_for(courier.first(), 5) == ("start", {"token": "x"})
    got: list[Message] = []
    both = asyncio.Event()

    def take(message: Message) -> None:
        got.append(message)
        if len(got) == 2:
            both.set()

    courier.listen(take)
    await asyncio.wait_for(both.wait(), 5)
    assert [m[1] for m in got] == [1, 2]
    engine.close()
    courier.close()


async def test_the_other_end_closing_fails_waiting_calls_and_later_sends() -> None:
    engine, courier = await pair()
    courier.listen(lambda _message: None)  # never answers
    waiting = asyncio.create_task(engine.call("send", "501", Reply("halo")))
    await asyncio.sleep(0)
    courier.close()
    with pytest.raises(LinkClosed):
        await asyncio.wait_for(waiting, 5)
    await asyncio.wait_for(engine.gone.wait(), 5)
    with pytest.raises(LinkClosed):
        engine.send("done", 1)
    with pytest.raises(LinkClosed):
        await asyncio.wait_for(engine.first(), 5)
