"""The database commands: migrations, and a consistent backup of a live SQLite database."""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.config import Settings, database_location
from storage import migrate
from storage.db import Database


class BackupRefused(Exception):
    """The backup cannot be made; the message says why and what to do instead."""


def add_db_parsers(sub: Any) -> None:
    """`db upgrade|revision|backup`."""
    db = sub.add_parser(
        "db",
        help="the database: migrations and backups",
        description="the database: migrations and backups",
    ).add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="apply pending migrations")
    revision = db.add_parser("revision", help="generate a migration from model changes")
    revision.add_argument("-m", "--message", required=True)
    backup = db.add_parser(
        "backup",
        help="copy the SQLite database to FILE, safely while the bot runs",
        description=(
            "Copy the SQLite database to FILE with SQLite's online backup API: a consistent "
            "snapshot, safe while the bot is running. For PostgreSQL use pg_dump."
        ),
    )
    backup.add_argument("file", type=Path, help="the backup file to write, e.g. backup.db")
    backup.add_argument("--force", action="store_true", help="overwrite FILE if it exists")


async def run_db(args: argparse.Namespace, settings: Settings) -> int:
    print(f"database: {database_location(settings.database_url)}", file=sys.stderr)
    if args.db_command == "backup":
        try:
            pages = await asyncio.to_thread(
                backup_sqlite, settings.database_url, args.file, overwrite=args.force
            )
        except BackupRefused as error:
            print(f"pendamping db backup: refused: {error}", file=sys.stderr)
            return 1
        print(f"backed up {pages} page(s) to {args.file.absolute()}")
        return 0
    db = Database(settings.database_url)
    try:
        if args.db_command == "upgrade":
            await migrate.upgrade(db)
            print("database is up to date")
        else:
            await migrate.revision(db, args.message)
    finally:
        await db.dispose()
    return 0


def backup_sqlite(database_url: str, target: Path, *, overwrite: bool = False) -> int:
    """Copy a live SQLite database to `target` in one step of SQLite's backup API (a snapshot as
    of one moment: readers never block the bot's writes in WAL mode, and rows still in the -wal
    file are included). Written to a temporary file first, so `target` is never half-written.
    Returns the number of pages copied."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupRefused(
            "the database is PostgreSQL; back it up with pg_dump, e.g. "
            "`pg_dump --format=custom --file=pendamping.dump DBNAME` (restore with pg_restore)"
        )
    if not url.database or url.database == ":memory:":
        raise BackupRefused("an in-memory database has nothing on disk to back up")
    source = Path(url.database).absolute()
    if not source.is_file():
        raise BackupRefused(f"there is no database at {source}; check DATABASE_URL")
    target = target.absolute()
    if target == source:
        raise BackupRefused("FILE is the database itself; give another file name")
    if target.exists() and not overwrite:
        raise BackupRefused(f"{target} exists already; choose a new name or add --force")
    if not target.parent.is_dir():
        raise BackupRefused(f"the folder {target.parent} does not exist; create it first")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        pages = _copy(source, partial)
        partial.chmod(0o600)  # names and phone numbers: readable by this user only
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return pages


def _copy(source: Path, target: Path) -> int:
    # timeout: wait for the bot's checkpoint or write lock instead of failing at once.
    reader = sqlite3.connect(source, timeout=30)
    try:
        writer = sqlite3.connect(target)
        try:
            reader.backup(writer)  # pages=-1: the whole database in one step, one snapshot
            writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            (check,) = writer.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise BackupRefused(f"the copy failed SQLite's check ({check}); try again")
            (pages,) = writer.execute("PRAGMA page_count").fetchone()
            return int(pages)
        finally:
            writer.close()
    finally:
        reader.close()
