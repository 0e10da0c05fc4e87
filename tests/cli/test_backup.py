"""`pendamping db backup`: a consistent copy of a live SQLite database that restores and opens."""

from __future__ import annotations

import asyncio
import io
import shutil
import sqlite3
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bot.cli.main import dispatch, parser
from bot.config import Settings
from storage import migrate
from storage.db import Database
from storage.models import Participant
from tests.helpers.participants import add_participant


async def backup(database_url: str, *argv: str) -> tuple[int, str, str]:
    """`pendamping db backup ...` through the real parser and dispatch."""
    args = parser().parse_args(["db", "backup", *argv])
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = await dispatch(args.command, args, Settings(database_url=database_url))
    return code, out.getvalue(), err.getvalue()


async def add_person(db: Database, name: str) -> int:
    return await add_participant(db, name, now=NOW)


async def names(db: Database) -> set[str | None]:
    async with db.transaction() as tx:
        return set((await tx.execute(select(Participant.name))).scalars())


async def count(db: Database) -> int:
    async with db.transaction() as tx:
        return int(await tx.scalar(select(func.count()).select_from(Participant)) or 0)


NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


async def live_database(tmp_path: Path) -> tuple[str, Database]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    db = Database(url)
    await migrate.upgrade(db)
    await add_person(db, "Siti Rahayu")
    return url, db


async def test_a_backup_taken_while_the_bot_writes_restores_to_a_database_the_bot_opens(
    tmp_path: Path,
) -> None:
    url, db = await live_database(tmp_path)
    before = await count(db)
    done = asyncio.Event()
    written = 0

    async def keep_writing() -> None:  # the running bot: one transaction after another
        nonlocal written
        while not done.is_set():
            await add_person(db, f"Peserta {written}")
            written += 1
            await asyncio.sleep(0)

    writer = asyncio.create_task(keep_writing())
    await asyncio.sleep(0)
    try:
        code, out, err = await backup(url, str(tmp_path / "backup.db"))
    finally:
        done.set()
        await writer
    assert code == 0, err
    assert "backed up" in out and str(tmp_path / "backup.db") in out
    after = await count(db)
    await db.dispose()

    # Restoring is: stop the bot, copy the file back. The restored database opens as it is.
    restored_path = tmp_path / "restored" / "pendamping.db"
    restored_path.parent.mkdir()
    shutil.copyfile(tmp_path / "backup.db", restored_path)
    restored = Database(f"sqlite+aiosqlite:///{restored_path}")
    try:
        assert await migrate.pending(restored) == []
        assert "Siti Rahayu" in await names(restored)
        assert before <= await count(restored) <= after
        async with restored.transaction() as tx:  # and takes new rows
            await tx.execute(select(Participant).limit(1))
        await add_person(restored, "Setelah Pulih")
        assert "Setelah Pulih" in await names(restored)
    finally:
        await restored.dispose()
    with sqlite3.connect(restored_path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()


async def test_a_backup_has_rows_still_in_the_wal_and_none_that_are_uncommitted(
    tmp_path: Path,
) -> None:
    url, db = await live_database(tmp_path)
    live = tmp_path / "live.db"
    other = sqlite3.connect(live, isolation_level=None)
    try:
        other.execute("PRAGMA wal_autocheckpoint=0")  # this row stays in live.db-wal only
        other.execute("INSERT INTO participants (status, name, timezone, language, interests, "
                      "discreet, created_at, updated_at) VALUES ('active', 'Dewi Lestari', "
                      "'Asia/Jakarta', 'id', '[]', 0, '2026-12-01 03:00:00', "
                      "'2026-12-01 03:00:00')")  # fmt: skip
        other.execute("BEGIN IMMEDIATE")  # a writer in the middle of its transaction
        other.execute("UPDATE participants SET name = 'Belum Disimpan'")
        code, _out, err = await backup(url, str(tmp_path / "backup.db"))
        other.execute("COMMIT")
    finally:
        other.close()
        await db.dispose()
    assert code == 0, err
    copy = Database(f"sqlite+aiosqlite:///{tmp_path / 'backup.db'}")
    try:
        assert await names(copy) == {"Siti Rahayu", "Dewi Lestari"}
    finally:
        await copy.dispose()
    assert companions(tmp_path / "backup.db") == [], "the backup is one self-contained file"


def companions(database: Path) -> list[Path]:
    """SQLite's side files (-wal, -shm, -journal) next to a database file."""
    return sorted(database.parent.glob(database.name + "-*"))


async def test_a_backup_never_overwrites_a_file_unless_told(tmp_path: Path) -> None:
    url, db = await live_database(tmp_path)
    await db.dispose()
    target = tmp_path / "backup.db"
    target.write_bytes(b"yesterday's backup")
    code, _out, err = await backup(url, str(target))
    assert code == 1
    assert "exists already" in err and "--force" in err
    assert target.read_bytes() == b"yesterday's backup"
    code, _out, err = await backup(url, str(target), "--force")
    assert code == 0, err
    assert target.stat().st_mode & 0o077 == 0  # personal data: not readable by other users
    copy = Database(f"sqlite+aiosqlite:///{target}")
    try:
        assert await names(copy) == {"Siti Rahayu"}
    finally:
        await copy.dispose()


async def test_a_postgresql_backup_is_refused_pointing_at_pg_dump(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://pendamping:s3cret@db.example.org:5432/pendamping"
    code, out, err = await backup(url, str(tmp_path / "backup.db"))
    assert code == 1
    assert "pg_dump" in err and "pg_restore" in err
    assert "s3cret" not in out + err
    assert not (tmp_path / "backup.db").exists()
