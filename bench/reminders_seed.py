"""Seeding for `bench/reminders.py`: a template database with many pending reminders, cloned per run.

The template holds N active participants (one Telegram address each), one organisation, a few
programs, `sessions` sessions over the coming days, `pending` reminder rows falling due over those
days (none due during a bench run), and one "burst" session with `burst` reminder rows, one per
participant, whose due times are set per run by `set_burst` (same second, or spread).

Each run works on its own copy: a file copy for SQLite, `CREATE DATABASE ... TEMPLATE` for
PostgreSQL. Rows go in with bulk `insert()` executemany, a few transactions in all.
"""

from __future__ import annotations

import random
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from sqlalchemy import insert, select, update

from bot.config import normalise_database_url
from storage import migrate
from storage.db import Database
from storage.models import (
    Address,
    Organisation,
    Participant,
    Program,
    ProgramSession,
    ScheduledMessage,
)

FIRST_CHAT_ID = 720_000_001  # bench/inbound.py uses 710_000_001 and up
ZONES = ("Asia/Jakarta",) * 7 + ("Asia/Makassar",) * 2 + ("Asia/Jayapura",)
OFFSETS = (24 * 60, 2 * 60)  # the default H-1 and 2-hours-before reminders
BURST_TITLE = "Konseling kelompok (burst)"


@dataclass
class Seeded:
    url: str  # async SQLAlchemy URL of the template
    participants: int
    pending: int
    burst_session_id: int
    chat_ids: list[int]  # index i: participant i's chat
    burst_rows: dict[int, int] = field(default_factory=dict)  # row id -> chat id
    seconds: float = 0.0


def chat_id_of(index: int) -> int:
    return FIRST_CHAT_ID + index


async def seed(
    url: str,
    *,
    participants: int,
    pending: int,
    burst: int,
    sessions: int = 50,
    seed_value: int = 7,
) -> Seeded:
    """Create the schema and the rows in an empty database at `url` (async URL)."""
    if burst > participants:
        raise ValueError("--burst must not exceed --participants (one burst row per person)")
    rng = random.Random(seed_value)
    started = datetime.now(UTC)
    db = Database(url)
    await migrate.upgrade(db)
    now = datetime.now(UTC)
    async with db.transaction() as tx:
        await tx.execute(
            insert(Organisation),
            [{"name": "Bapas Kelas I Jakarta Barat", "kind": "bapas",
              "timezone": "Asia/Jakarta", "created_at": now}],
        )  # fmt: skip
        org_id = (await tx.execute(select(Organisation.id))).scalar_one()
        kinds = ("job_training", "counselling", "legal_counselling", "schooling", "job_training")
        await tx.execute(
            insert(Program),
            [{"organisation_id": org_id, "name": f"Program {i + 1}", "kind": kinds[i % 5],
              "reminder_offsets": None, "created_at": now} for i in range(5)],
        )  # fmt: skip
        program_ids = list((await tx.execute(select(Program.id).order_by(Program.id))).scalars())
        # Sessions start between 2 and 8 days from now: every reminder (H-1 or 2 h before) falls
        # due at least a day from now, long after a bench run ends.
        span = timedelta(days=6)
        rows = []
        for i in range(sessions):
            start = (now + timedelta(days=2) + span * i / max(sessions, 1)).replace(microsecond=0)
            rows.append(
                {"program_id": program_ids[i % len(program_ids)], "title": f"Sesi {i + 1}",
                 "starts_at": start, "ends_at": start + timedelta(hours=2),
                 "timezone": "Asia/Jakarta", "place": f"Balai Latihan Kerja, Ruang {i % 9 + 1}",
                 "map_url": None, "bring": "KTP dan alat tulis", "capacity": None,
                 "contact": "0812-3456-7890", "city_key": None, "open": False,
                 "status": "scheduled", "reminder_offsets": None, "created_at": now,
                 "updated_at": now}
            )  # fmt: skip
        burst_start = now + timedelta(hours=3)  # moved by set_burst to each run's burst
        rows.append(
            {"program_id": program_ids[1], "title": BURST_TITLE, "starts_at": burst_start,
             "ends_at": burst_start + timedelta(hours=2), "timezone": "Asia/Jakarta",
             "place": "Bapas, Ruang Konseling 2", "map_url": None, "bring": None,
             "capacity": None, "contact": "0812-3456-7890", "city_key": None, "open": False,
             "status": "scheduled", "reminder_offsets": [120], "created_at": now,
             "updated_at": now}
        )  # fmt: skip
        await tx.execute(insert(ProgramSession), rows)
        session_rows = (
            await tx.execute(
                select(ProgramSession.id, ProgramSession.starts_at).order_by(ProgramSession.id)
            )
        ).all()
    regular = session_rows[:-1]
    burst_session_id = session_rows[-1][0]

    chat_ids = [chat_id_of(i) for i in range(participants)]
    async with db.transaction() as tx:
        await tx.execute(
            insert(Participant),
            [{"status": "active", "name": f"Peserta {i + 1}", "category": "bapas_client",
              "city": "Kota Jakarta Barat", "province": "DKI Jakarta",
              "timezone": ZONES[i % len(ZONES)], "language": "en" if i % 10 == 9 else "id",
              "phone": None, "interests": [], "contact_time": None, "discreet": i % 20 == 19,
              "consent_at": now, "consent_version": "1", "registered_at": now,
              "created_at": now, "updated_at": now} for i in range(participants)],
        )  # fmt: skip
        participant_ids = list(
            (await tx.execute(select(Participant.id).order_by(Participant.id))).scalars()
        )
        await tx.execute(
            insert(Address),
            [{"participant_id": pid, "channel": "telegram", "value": str(chat_ids[i]),
              "last_inbound_at": now - timedelta(days=1), "blocked_at": None, "created_at": now}
             for i, pid in enumerate(participant_ids)],
        )  # fmt: skip

    # `pending` reminder rows: participant i gets rows k = 0, 1, 2, ... (round robin), row k being
    # offset OFFSETS[k % 2] of session (i + (k // 2) * step): distinct keys, like the planner's.
    per_person = -(-pending // participants)
    step = max(1, len(regular) // max(1, -(-per_person // 2)))
    if (per_person + 1) // 2 > len(regular):
        raise ValueError("too many reminders per participant for the number of sessions")
    keys: set[str] = set()
    batch: list[dict[str, object]] = []
    count = 0
    async with db.transaction() as tx:
        for k in range(per_person):
            for i in range(participants):
                if count >= pending:
                    break
                sid, starts = regular[(i + (k // 2) * step) % len(regular)]
                offset = OFFSETS[k % 2]
                key = f"remind:s{sid}:p{participant_ids[i]}:{offset}:{int(starts.timestamp())}"
                if key in keys:  # only with unusual sizes; keep the row count exact
                    key += f":{count}"
                keys.add(key)
                batch.append(
                    {"key": key, "kind": "reminder", "participant_id": participant_ids[i],
                     "session_id": sid, "occurrence_id": None, "offset_minutes": offset,
                     "due_at": starts - timedelta(minutes=offset), "event_at": starts,
                     "status": "pending", "attempts": 0, "created_at": now}
                )  # fmt: skip
                count += 1
                if len(batch) >= 20_000:
                    await tx.execute(insert(ScheduledMessage), batch)
                    batch = []
        if batch:
            await tx.execute(insert(ScheduledMessage), batch)

    # The burst: one row each for `burst` distinct participants, picked at random.
    chosen = sorted(rng.sample(range(participants), burst))
    placeholder = now + timedelta(hours=1)
    async with db.transaction() as tx:
        await tx.execute(
            insert(ScheduledMessage),
            [{"key": f"remind:s{burst_session_id}:p{participant_ids[i]}:120:burst",
              "kind": "reminder", "participant_id": participant_ids[i],
              "session_id": burst_session_id, "occurrence_id": None, "offset_minutes": 120,
              "due_at": placeholder, "event_at": placeholder + timedelta(hours=2),
              "status": "pending", "attempts": 0, "created_at": now} for i in chosen],
        )  # fmt: skip
        burst_rows = (
            await tx.execute(
                select(ScheduledMessage.id, ScheduledMessage.participant_id)
                .where(ScheduledMessage.session_id == burst_session_id)
                .order_by(ScheduledMessage.id)
            )
        ).all()
    await db.dispose()
    index_of = {pid: i for i, pid in enumerate(participant_ids)}
    return Seeded(
        url=url,
        participants=participants,
        pending=count,
        burst_session_id=burst_session_id,
        chat_ids=chat_ids,
        burst_rows={row_id: chat_ids[index_of[pid]] for row_id, pid in burst_rows},
        seconds=(datetime.now(UTC) - started).total_seconds(),
    )


def burst_dues(
    first: datetime, count: int, spread_seconds: float, seed_value: int = 11
) -> list[datetime]:
    """Due times: all at `first` (spread 0), or evenly over `spread_seconds`, in shuffled order."""
    if spread_seconds <= 0:
        return [first] * count
    dues = [first + timedelta(seconds=spread_seconds * i / count) for i in range(count)]
    random.Random(seed_value).shuffle(dues)  # row id order is not due order
    return dues


async def set_burst(url: str, seeded: Seeded, dues: list[datetime]) -> dict[int, datetime]:
    """Give the burst rows these due times (the burst session starts 2 h after the last)."""
    row_ids = sorted(seeded.burst_rows)
    assert len(row_ids) == len(dues)
    starts = max(dues) + timedelta(hours=2)
    db = Database(url)
    async with db.transaction() as tx:
        await tx.execute(
            update(ProgramSession)
            .where(ProgramSession.id == seeded.burst_session_id)
            .values(starts_at=starts, ends_at=starts + timedelta(hours=2))
        )
        for row_id, due in zip(row_ids, dues, strict=True):
            await tx.execute(
                update(ScheduledMessage)
                .where(ScheduledMessage.id == row_id)
                .values(due_at=due, event_at=starts)
            )
    await db.dispose()
    return dict(zip(row_ids, dues, strict=True))


async def burst_outcome(url: str, seeded: Seeded) -> dict[int, tuple[str, datetime | None, int]]:
    """row id -> (status, sent_at, attempts) of the burst rows, as the bot recorded them."""
    db = Database(url)
    async with db.transaction() as tx:
        rows = (
            await tx.execute(
                select(
                    ScheduledMessage.id,
                    ScheduledMessage.status,
                    ScheduledMessage.sent_at,
                    ScheduledMessage.attempts,
                ).where(ScheduledMessage.session_id == seeded.burst_session_id)
            )
        ).all()
        still_pending = (
            await tx.execute(
                select(ScheduledMessage.id)
                .where(ScheduledMessage.status != "pending")
                .where(ScheduledMessage.session_id != seeded.burst_session_id)
                .limit(5)
            )
        ).all()
    await db.dispose()
    if still_pending:
        raise AssertionError(f"non-burst rows were touched: {still_pending}")
    return {row_id: (status, sent_at, attempts) for row_id, status, sent_at, attempts in rows}


# --------------------------------------------------------------------------------------
# Where the databases live
# --------------------------------------------------------------------------------------
class Store:
    """A template database and throw-away copies of it: SQLite files, or PostgreSQL databases."""

    def __init__(self, admin_url: str | None, workdir: Path) -> None:
        self.admin_url = admin_url  # postgresql://... of a database we may CREATE DATABASE from
        self.workdir = workdir
        self.tag = f"pendamping_bench_rem_{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []
        self.template = self._url("tpl")

    @property
    def is_sqlite(self) -> bool:
        return self.admin_url is None

    def _url(self, name: str) -> str:
        if self.admin_url is None:
            return f"sqlite+aiosqlite:///{self.workdir / (name + '.db')}"
        base = normalise_database_url(self.admin_url).rpartition("/")[0]
        return f"{base}/{self.tag}_{name}"

    def _admin_dsn(self) -> str:
        assert self.admin_url is not None
        return normalise_database_url(self.admin_url).replace("postgresql+asyncpg", "postgresql")

    async def _admin(self, sql: str) -> None:
        connection = await asyncpg.connect(self._admin_dsn())
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def create_template(self) -> str:
        if not self.is_sqlite:
            await self._admin(f'CREATE DATABASE "{self.tag}_tpl"')
            self.created.append(f"{self.tag}_tpl")
        return self.template

    async def clone(self, name: str) -> str:
        """A fresh copy of the template (which must have no open connections)."""
        url = self._url(name)
        if self.is_sqlite:
            source = Path(self.template.split(":///", 1)[1])
            target = Path(url.split(":///", 1)[1])
            for suffix in ("-wal", "-shm"):
                if source.with_name(source.name + suffix).exists():
                    raise RuntimeError(f"the template still has a {suffix} file")
                target.with_name(target.name + suffix).unlink(missing_ok=True)
            shutil.copyfile(source, target)
        else:
            await self._admin(f'CREATE DATABASE "{self.tag}_{name}" TEMPLATE "{self.tag}_tpl"')
            self.created.append(f"{self.tag}_{name}")
        return url

    async def drop(self, url: str) -> None:
        if self.is_sqlite:
            path = Path(url.split(":///", 1)[1])
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            return
        name = url.rpartition("/")[2]
        await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.created:
            self.created.remove(name)

    async def drop_all(self) -> None:
        if self.is_sqlite:
            return
        for name in list(self.created):
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()

    def size_bytes(self, url: str) -> int | None:
        if self.is_sqlite:
            return Path(url.split(":///", 1)[1]).stat().st_size
        return None
