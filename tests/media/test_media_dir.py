"""MEDIA_DIR: where WhatsApp check-ins' voice notes and photos are kept, by default next to the
SQLite database; the terminal and the bot's flows are given the same folder."""

from __future__ import annotations

from pathlib import Path

from bot.app import flow_settings
from bot.config import Settings


def test_the_media_store_is_next_to_the_sqlite_database_by_default() -> None:
    settings = Settings.from_env({"HOME": "/home/siti"})
    assert settings.media_folder == Path("/home/siti/.local/share/pendamping/media")
    assert flow_settings(settings).media_dir == settings.media_folder


def test_media_dir_is_used_when_given() -> None:
    settings = Settings.from_env({"HOME": "/home/siti", "MEDIA_DIR": "/srv/pendamping/media"})
    assert settings.media_folder == Path("/srv/pendamping/media")


def test_with_postgresql_the_media_store_is_in_the_working_folder() -> None:
    settings = Settings.from_env({"DATABASE_URL": "postgresql://u:p@db/pendamping"})
    assert settings.media_folder == Path.cwd() / "media"
