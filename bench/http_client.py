"""CPU per Bot API call: python-telegram-bot on its default httpx client vs on our aiohttp request.

    python bench/http_client.py [--calls 4000] [--concurrency 16]

The fake Bot API (`tests/fakes/telegram/`) runs in a child process; this process makes
`--calls` `sendMessage` calls (HTML, `--concurrency` at a time) through a PTB `Bot` on each
request class in turn, after a warm-up, and prints its own CPU time per call and calls per second.
Only this process's CPU is counted, so the fake's work is not in the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from telegram import Bot  # noqa: E402
from telegram.request import BaseRequest, HTTPXRequest  # noqa: E402

from bot.channels.telegram.request import AiohttpRequest  # noqa: E402

TOKEN = "123456:BENCH"
USERS = 200
FIRST_ID = 900_000

SERVER = f"""
import asyncio, sys
sys.path.insert(0, {str(ROOT)!r})
from tests.fakes.telegram import FakeTelegramAPI

async def main():
    fake = FakeTelegramAPI(token={TOKEN!r})
    await fake.start()
    for n in range({USERS}):
        fake.user({FIRST_ID} + n, f"U{{n}}").send_text("halo")
    print(fake.url, flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def measure(
    url: str, request: BaseRequest, calls: int, concurrency: int
) -> tuple[float, float]:
    gate = asyncio.Semaphore(concurrency)
    async with Bot(TOKEN, base_url=f"{url}/bot", request=request) as bot:

        async def one(n: int) -> None:
            async with gate:
                await bot.send_message(FIRST_ID + n % USERS, f"Halo <b>{n}</b>", parse_mode="HTML")

        await asyncio.gather(*(one(n) for n in range(USERS)))  # warm-up: connections, caches
        cpu, wall = cpu_seconds(), time.monotonic()
        await asyncio.gather(*(one(n) for n in range(calls)))
        return (cpu_seconds() - cpu) / calls * 1000, calls / (time.monotonic() - wall)


async def amain(args: argparse.Namespace, url: str) -> None:
    print(f"$ python bench/http_client.py --calls {args.calls} --concurrency {args.concurrency}")
    print(f"{'request class':34} {'CPU ms/call':>11} {'calls/s':>8}")
    results = {}
    for name, request in (
        ("HTTPXRequest (PTB's default)", HTTPXRequest(connection_pool_size=args.concurrency)),
        ("AiohttpRequest (bot/)", AiohttpRequest(connection_pool_size=args.concurrency)),
    ):
        ms, rate = await measure(url, request, args.calls, args.concurrency)
        results[name] = ms
        print(f"{name:34} {ms:11.3f} {rate:8.0f}")
    default, ours = results.values()
    print(f"CPU per call, httpx / aiohttp: {default / ours:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--calls", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        asyncio.run(amain(args, server.stdout.readline().strip()))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
