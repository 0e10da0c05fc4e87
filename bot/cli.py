"""The `pendamping` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.app import (
    CourierStopped,
    flow_settings,
    open_database,
    run_telegram,
    start_reminders,
    stop_on_signals,
)
from bot.cli_admin import ADMIN_COMMANDS, add_admin_parsers, run_admin
from bot.config import ConfigError, Settings
from bot.console import ConsoleChannel, chat
from bot.inbox import Inbox
from bot.logs import setup_logging
from handlers.export import write_csv
from storage import migrate
from storage.db import Database

log = logging.getLogger("pendamping")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="pendamping",
        description="Reintegration companion bot. Without a command: `run`.",
    )
    sub = top.add_subparsers(dest="command")
    sub.add_parser(
        "run", help="run the bot: Telegram if TELEGRAM_BOT_TOKEN is set, else a terminal chat"
    )
    chat_cmd = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat_cmd.add_argument(
        "--as", dest="who", default=None, help="who you are (default: your login name)"
    )

    db = sub.add_parser("db", help="database migrations").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="apply pending migrations")
    revision = db.add_parser("revision", help="generate a migration from model changes")
    revision.add_argument("-m", "--message", required=True)

    people = sub.add_parser("participants", help="participant data")
    people_sub = people.add_subparsers(dest="participants_command", required=True)
    export = people_sub.add_parser("export", help="export participants")
    export.add_argument("--format", choices=["csv"], default="csv")
    export.add_argument("--output", type=Path, default=None, help="file to write (default: stdout)")
    add_admin_parsers(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"pendamping: configuration error: {error}", file=sys.stderr)
        return 2
    command = args.command or "run"
    interactive = command == "chat" or (command == "run" and not settings.telegram_bot_token)
    setup_logging(settings.log_level, quiet=interactive or command != "run")
    try:
        return asyncio.run(dispatch(command, args, settings))
    except KeyboardInterrupt:
        return 130
    except ConfigError as error:
        print(f"pendamping: configuration error: {error}", file=sys.stderr)
        return 2


async def dispatch(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command == "db":
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
    db = await open_database(settings)
    try:
        if command == "participants":
            return await export_participants(db, args.output)
        if command in ADMIN_COMMANDS:
            return await run_admin(args, db, settings)
        if command == "run" and settings.telegram_bot_token:
            try:
                await run_telegram(settings, db, stop_on_signals())
            except CourierStopped as error:
                log.error("%s; stopping (a supervisor such as systemd restarts the bot)", error)
                return 1
            return 0
        if command == "run":
            print(
                "TELEGRAM_BOT_TOKEN is not set: opening a chat with the bot in this terminal "
                f"(database: {settings.database_url}).",
                file=sys.stderr,
            )
        who = getattr(args, "who", None) or getpass.getuser()
        channel = ConsoleChannel(sys.stdout, color=sys.stdout.isatty())
        reminders = start_reminders(db, settings, {channel.name: channel})
        inbox = Inbox(db, flow_settings(settings), {channel.name: channel})
        try:
            await chat(inbox, channel, who, settings.default_language)
        finally:
            await reminders.stop()
            await inbox.close()
        return 0
    finally:
        await db.dispose()


async def export_participants(db: Database, output: Path | None) -> int:
    async with db.transaction() as session:
        if output is None:
            count = await write_csv(session, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = await write_csv(session, handle)
    print(f"exported {count} participant(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
