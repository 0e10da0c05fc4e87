"""Benchmark databases: a throw-away PostgreSQL database, and the checks after a run."""

from __future__ import annotations

import uuid
from typing import Any

from bench.inbound_run import (
    Result,
)
from bench.inbound_script import (
    SIGNUP,
    Participant,
)


# --------------------------------------------------------------------------------------
# The database: throw-away PostgreSQL database, checks after the run
# --------------------------------------------------------------------------------------
def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://").replace(
        "postgres://", "postgresql://"
    )


async def create_database(url: str) -> str:
    import asyncpg

    name = f"pendamping_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _slash, _db = url.rpartition("/")
    return f"{base}/{name}"


async def drop_database(admin_url: str, url: str) -> None:
    import asyncpg

    name = url.rpartition("/")[2]
    admin = await asyncpg.connect(asyncpg_dsn(admin_url))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def check_database(
    url: str, participants: list[Participant], warmups: list[Participant], result: Result
) -> list[str]:
    """What the bot stored: active participants, every message in and out logged and sent."""
    from sqlalchemy import func, select

    from bot.config import normalise_database_url
    from storage.db import Database
    from storage.models import Address, Message, MessageStatus, Participant, ParticipantStatus

    steps = len(participants[0].plan) if participants else 0
    registered = steps >= len(SIGNUP)
    consented = steps >= 2
    db = Database(normalise_database_url(url))
    ids = [str(p.user_id) for p in participants]
    try:
        async with db.transaction() as tx:

            async def count(query: Any) -> int:
                return int(await tx.scalar(query) or 0)

            mine = (
                select(func.count())
                .select_from(Participant)
                .join(Address, Address.participant_id == Participant.id)
                .where(Address.channel == "telegram", Address.value.in_(ids))
            )
            measured = await count(mine)
            measured_active = await count(
                mine.where(Participant.status == ParticipantStatus.ACTIVE)
            )
            active = await count(
                select(func.count())
                .select_from(Participant)
                .where(Participant.status == ParticipantStatus.ACTIVE)
            )
            messages = select(func.count()).select_from(Message)
            inbound = await count(messages.where(Message.direction == "in"))
            outbound = await count(messages.where(Message.direction == "out"))
            unsent = await count(
                messages.where(Message.direction == "out", Message.status != MessageStatus.SENT)
            )
    finally:
        await db.dispose()
    n, w = len(participants), len(warmups)
    expect_measured = n if consented else 0
    expect_active = (n + w) if registered else 0
    problems = []
    if measured != expect_measured or measured_active != (n if registered else 0):
        problems.append(
            f"participants of the measured users: {measured} ({measured_active} active), "
            f"expected {expect_measured} ({n if registered else 0} active)"
        )
    if active != expect_active:
        problems.append(f"active participants: {active}, expected {expect_active}")
    if inbound != result.total_inputs:
        problems.append(f"inbound messages logged: {inbound}, expected {result.total_inputs}")
    if outbound != result.total_replies:
        problems.append(
            f"outbound messages logged: {outbound}, the fake got {result.total_replies}"
        )
    if unsent:
        problems.append(f"{unsent} outbound messages not marked sent")
    summary = (
        f"database: {measured} of {n} measured users signed up or signing up, "
        f"{measured_active} active ({active} active in all, "
        f"warm-up included); {inbound} inbound and {outbound} outbound messages logged, "
        f"{outbound - unsent} marked sent"
    )
    return [summary, *problems]
