"""One inbound benchmark run: a fresh fake Bot API, a bot process, warm-up and the measured load."""

from __future__ import annotations

import argparse
import asyncio
import math
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.inbound_script import (
    Participant,
    Say,
    Step,
)
from bench.profiling import (
    start_profiler,
    stop_profiler,
)
from tests.fakes.telegram import FakeTelegramAPI, FakeUser

TOKEN = "123456:BENCH"


# --------------------------------------------------------------------------------------
# The fake, with a timestamp on every message it delivers
# --------------------------------------------------------------------------------------
class StampingFake(FakeTelegramAPI):
    """Stamps each delivered bot message with the moment the fake accepted it."""

    def _deliver(self, state: Any, record: dict[str, Any]) -> None:
        record["bench_at"] = time.perf_counter()  # a copy for the inbox, not sent to the bot
        super()._deliver(state, record)


class RunError(Exception):
    pass


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    finished: int = 0
    replies: int = 0


async def converse(
    user: FakeUser, person: Participant, target: str, outcome: Outcome, timeout: float
) -> None:
    """One participant's conversation, one input at a time."""
    try:
        for step, say in person.plan:
            expected = step.replies if target == "bot" else 1
            started = time.perf_counter()
            if say.kind == "text":
                user.send_text(say.value)
            elif target == "bot":
                user.press(say.value)  # strict: the button must be on the bot's last keyboard
            else:
                user.press(say.value, user.inbox[-1]["message_id"], strict=False)
            record: dict[str, Any] = {}
            for _ in range(expected):
                record = await user.next_message(timeout)
            outcome.latencies.append(record["bench_at"] - started)
            outcome.replies += expected
            problem = check(record, step, say, target)
            if problem:
                raise RunError(f"after {step.name} ({say.value!r}): {problem}")
        outcome.finished += 1
    except Exception as error:  # keep the others going; the run is reported invalid
        outcome.failures.append(f"user {person.user_id}: {type(error).__name__}: {error}")


def check(record: dict[str, Any], step: Step, say: Say, target: str) -> str | None:
    if target == "echo":
        return None if record.get("text") == say.value else f"echoed {record.get('text')!r}"
    if step.expect is None:
        return None
    markup = record.get("reply_markup") or {}
    if step.expect == "keyboard":
        return None if "keyboard" in markup else f"no reply keyboard: {str(record)[:200]}"
    datas = [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row]
    if any(d.startswith(step.expect) for d in datas):
        return None
    return f"expected {step.expect}* buttons, got {datas} on {record.get('text', '')[:80]!r}"


# --------------------------------------------------------------------------------------
# One run: a fresh fake, a bot process, warm-up, measured load
# --------------------------------------------------------------------------------------
@dataclass
class Result:
    label: str
    inputs: int = 0
    replies: int = 0
    wall: float = 0.0
    latencies: list[float] = field(default_factory=list)
    finished: int = 0
    participants: int = 0
    failures: list[str] = field(default_factory=list)
    proc_cpu: float | None = None
    child_cpu: float = 0.0  # of proc_cpu: the processes the bot started (Telegram, engines)
    engines_cpu: float = 0.0  # of child_cpu: the engine worker processes (ENGINES > 1)
    server_cpu: float | None = None  # the PostgreSQL server's processes, when it runs here
    bench_cpu: float = 0.0
    machine_busy: float | None = None  # of all the machine's cores, busy during the run (0-1)
    exit_code: int | None = None
    total_inputs: int = 0  # warm-up included
    total_replies: int = 0

    @property
    def rate(self) -> float:
        return self.inputs / self.wall if self.wall else 0.0

    def pct(self, q: float) -> float:
        data = sorted(self.latencies)
        if not data:
            return math.nan
        return data[max(0, math.ceil(q / 100 * len(data)) - 1)] * 1000


def machine_times() -> tuple[float, float] | None:
    """Busy and total CPU seconds of the whole machine, all cores (anyone's processes)."""
    try:
        import psutil
    except ImportError:
        return None
    times = psutil.cpu_times()
    total = sum(times)
    idle = times.idle + getattr(times, "iowait", 0.0)
    return total - idle, total


def postgres_cpu_seconds() -> float | None:
    """CPU time of every local process named postgres (the server and its backends)."""
    try:
        import psutil
    except ImportError:
        return None
    total = 0.0
    for process in psutil.process_iter(["name", "cpu_times"]):
        if process.info["name"] == "postgres" and process.info["cpu_times"] is not None:
            total += process.info["cpu_times"].user + process.info["cpu_times"].system
    return total


def cpu_seconds(pid: int) -> tuple[float, float, float] | None:
    """CPU time of the process, of the processes it started (its Telegram process and engine
    workers), and of those, of the engine workers."""
    try:
        import psutil
    except ImportError:
        return None
    try:
        process = psutil.Process(pid)
        own = process.cpu_times()
        children = [
            (child.cpu_times(), "bot.engines.worker" in child.cmdline())
            for child in process.children(recursive=True)
        ]
    except psutil.Error:
        return None
    return (
        own.user + own.system,
        sum(c.user + c.system for c, _engine in children),
        sum(c.user + c.system for c, engine in children if engine),
    )


async def run_target(
    target: str,
    command: list[str],
    env: dict[str, str],
    participants: list[Participant],
    warmups: list[Participant],
    args: argparse.Namespace,
    workdir: Path,
) -> Result:
    label = "echo (PTB)"
    if target == "bot":
        engines = int(env.get("ENGINES", "1"))
        label = "pendamping" if engines == 1 else f"pendamping x{engines}"
    result = Result(label, participants=len(participants))
    log_path = workdir / f"{target}.log"
    async with StampingFake(token=TOKEN, flood_limits=False) as fake:
        env = {**env, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": fake.url}
        with log_path.open("wb") as log:
            process = await asyncio.create_subprocess_exec(
                *command, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT
            )
        profiler: asyncio.subprocess.Process | None = None
        profiling = False
        try:
            await wait_until_polling(fake, process, args.start_timeout, log_path)
            outcome = Outcome()
            await asyncio.gather(
                *(
                    converse(user_of(fake, p), p, target, outcome, args.reply_timeout)
                    for p in warmups
                )
            )
            if outcome.failures:
                raise RunError(f"{label}: warm-up failed: {outcome.failures[0]}")
            if target == "bot" and args.profile != "none":
                profiler = await start_profiler(args, process.pid, workdir)
                profiling = True
            users = [(user_of(fake, p), p) for p in participants]
            outcome = Outcome()
            cpu_before = cpu_seconds(process.pid)
            machine_before = machine_times()
            server_before = postgres_cpu_seconds() if args.database_url else None
            bench_before = time.process_time()
            started = time.perf_counter()
            await asyncio.gather(
                *(converse(u, p, target, outcome, args.reply_timeout) for u, p in users)
            )
            result.wall = time.perf_counter() - started
            result.bench_cpu = time.process_time() - bench_before
            cpu_after = cpu_seconds(process.pid)
            machine_after = machine_times()
            if machine_before is not None and machine_after is not None:
                busy = machine_after[0] - machine_before[0]
                result.machine_busy = busy / max(machine_after[1] - machine_before[1], 1e-9)
            server_after = postgres_cpu_seconds() if target == "bot" and args.database_url else None
            if server_before is not None and server_after is not None:
                result.server_cpu = server_after - server_before
            if cpu_before is not None and cpu_after is not None:
                result.child_cpu = cpu_after[1] - cpu_before[1]
                result.engines_cpu = cpu_after[2] - cpu_before[2]
                result.proc_cpu = cpu_after[0] - cpu_before[0] + result.child_cpu
            if profiling:
                profiling = False
                await stop_profiler(args, profiler, process.pid)
            await asyncio.sleep(0.5)  # anything more than the script expects?
            extra = [(u.user_id, len(u.pending)) for u, _p in users if u.pending]
            if extra:
                outcome.failures.append(f"unexpected extra messages (user, count): {extra[:5]}")
            result.latencies = outcome.latencies
            result.failures = outcome.failures
            result.finished = outcome.finished
            result.inputs = len(outcome.latencies)
            result.replies = outcome.replies
            everyone = [*participants, *warmups]
            result.total_inputs = sum(len(p.plan) for p in everyone)
            result.total_replies = len(fake.sent)
        finally:
            if profiling:
                await stop_profiler(args, profiler, process.pid)
            result.exit_code = await stop_process(process)
    if result.exit_code not in (0, -signal.SIGTERM):
        result.failures.append(f"{label} exited with {result.exit_code}; see {log_path}")
    return result


def user_of(fake: FakeTelegramAPI, person: Participant) -> FakeUser:
    first, _sep, last = person.name.partition(" ")
    return fake.user(person.user_id, first, last or None, language_code="id")


async def wait_until_polling(
    fake: FakeTelegramAPI, process: asyncio.subprocess.Process, timeout: float, log: Path
) -> None:
    waiting = asyncio.ensure_future(fake.wait_for_call("getUpdates", timeout=timeout))
    exited = asyncio.ensure_future(process.wait())
    done, _pending = await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
    if waiting in done:
        exited.cancel()
        waiting.result()
        return
    waiting.cancel()
    raise RunError(f"the process exited with {process.returncode} before polling:\n{tail(log)}")


def tail(path: Path, size: int = 3000) -> str:
    return path.read_text(errors="replace")[-size:]


async def stop_process(process: asyncio.subprocess.Process) -> int | None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 60)
        except TimeoutError:
            process.kill()
            await process.wait()
    return process.returncode
