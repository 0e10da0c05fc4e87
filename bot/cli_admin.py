"""Admin commands: organisations, programs, sessions, enrolment, attendance, appointments."""

from __future__ import annotations

import argparse
from typing import Any

from bot.config import Settings
from storage.db import Database

ADMIN_COMMANDS: set[str] = set()


def add_admin_parsers(sub: Any) -> None:
    """Register the admin subcommands on the `pendamping` parser."""


async def run_admin(args: argparse.Namespace, db: Database, settings: Settings) -> int:
    raise NotImplementedError(args.command)
