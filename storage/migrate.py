"""Apply and create Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from storage.db import Database

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


async def upgrade(db: Database, revision: str = "head") -> None:
    def run(connection: Connection) -> None:
        command.upgrade(_config(connection), revision)

    async with db.engine.begin() as connection:
        await connection.run_sync(run)


async def pending(db: Database) -> list[str]:
    """Revisions not yet applied, oldest first."""

    def read(connection: Connection) -> list[str]:
        current = set(MigrationContext.configure(connection).get_current_heads())
        script = ScriptDirectory.from_config(_config())
        todo = []
        for rev in script.walk_revisions():
            if rev.revision in current:
                break
            todo.append(rev.revision)
        return list(reversed(todo))

    async with db.engine.connect() as connection:
        return await connection.run_sync(read)


async def downgrade(db: Database, revision: str) -> None:
    def run(connection: Connection) -> None:
        command.downgrade(_config(connection), revision)

    async with db.engine.begin() as connection:
        await connection.run_sync(run)


async def revision(db: Database, message: str) -> None:
    """Autogenerate a new migration from the difference between the models and the database."""

    def run(connection: Connection) -> None:
        command.revision(_config(connection), message=message, autogenerate=True)

    async with db.engine.begin() as connection:
        await connection.run_sync(run)
