"""The `pendamping` command."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from asyncpg import PostgresError
from sqlalchemy.exc import DBAPIError

from bot.app import (
    CourierStopped,
    flow_settings,
    open_database,
    run,
    start_reminders,
    stop_on_signals,
)
from bot.channels.console import LOOKS, ConsoleChannel, chat
from bot.channels.telegram.app import bot_username
from bot.cli.db import add_db_parsers, run_db
from bot.cli.exports import EXPORT_COMMANDS, add_export_parsers
from bot.cli.people.participants import add_participant_parsers, run_participants
from bot.cli.people.prerelease import add_prerelease_parsers, run_prerelease, run_relink
from bot.cli.people.staff import STAFF_COMMANDS, add_staff_parsers
from bot.cli.programs.admin import ADMIN_COMMANDS, add_admin_parsers, run_admin
from bot.config import ConfigError, Settings, database_location, stranded_database
from bot.inbox import Inbox
from bot.logs import setup_logging
from handlers.i18n import CatalogMissing, check_catalogs, use_language
from handlers.regions import table as region_data

log = logging.getLogger("pendamping")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="pendamping",
        description=(
            "A companion bot for reintegration programs, and the commands staff use to run it. "
            "Without a command: `run`. Each command has its own --help."
        ),
        epilog=(
            "The data lives in DATABASE_URL; when it is unset, in an SQLite file "
            "$PENDAMPING_HOME/pendamping.db (default: ~/.local/share/pendamping/pendamping.db), "
            "whatever folder you start from. Settings: see the README's Configuration section."
        ),
    )
    sub = top.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    sub.add_parser(
        "run", help="run the bot: Telegram if TELEGRAM_BOT_TOKEN is set, else a terminal chat"
    )
    chat_cmd = sub.add_parser("chat", help="chat with the bot in this terminal, as a participant")
    chat_cmd.add_argument(
        "--as", dest="who", default=None, help="who you are (default: your login name)"
    )
    chat_cmd.add_argument(
        "--channel",
        dest="look",
        choices=LOOKS,
        default="console",
        help="draw replies as the terminal does (default) or as WhatsApp would show them",
    )
    add_db_parsers(sub)
    add_participant_parsers(sub)
    add_admin_parsers(sub)
    add_staff_parsers(sub)
    add_prerelease_parsers(sub)
    add_export_parsers(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"pendamping: configuration error: {error}", file=sys.stderr)
        return 2
    problem = installation_problem()
    if problem is not None:
        print(f"pendamping: cannot start: {problem}", file=sys.stderr)
        return 1
    if (old := stranded_database(settings, Path.cwd())) is not None:
        print(f"pendamping: cannot start: {stranded_message(old, settings)}", file=sys.stderr)
        return 2
    command = args.command or "run"
    serving = bool(settings.telegram_bot_token) or settings.whatsapp_enabled
    interactive = command == "chat" or (command == "run" and not serving)
    setup_logging(settings.log_level, quiet=interactive or command != "run")
    try:
        return asyncio.run(dispatch(command, args, settings))
    except KeyboardInterrupt:
        return 130
    except ConfigError as error:
        print(f"pendamping: configuration error: {error}", file=sys.stderr)
        return 2
    except (DBAPIError, PostgresError, ConnectionError, socket.gaierror) as error:
        # One clear line (the whole story with LOG_LEVEL=DEBUG), not a traceback.
        logging.getLogger("pendamping").debug("database error", exc_info=True)
        print(f"pendamping: database error: {database_problem(error)}", file=sys.stderr)
        return 1


def database_problem(error: BaseException) -> str:
    """The first line of what the database (or the network to it) said."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__name__}: {lines[0] if lines else 'no details'}"


def installation_problem() -> str | None:
    """What is missing from this installation, saying what to do; None when it is complete.

    A wheel built without the catalogs would otherwise speak English to everyone, and one without
    the region data would fail at the first city a participant types."""
    try:
        check_catalogs()
        region_data.load()
    except CatalogMissing as error:
        return str(error)
    except FileNotFoundError as error:
        return (
            f"the region data file {error.filename} is missing, so the bot cannot understand "
            "cities. Reinstall pendamping from a complete copy of the repository "
            "(`pip install .` ships handlers/regions/data/ inside the package)."
        )
    return None


def stranded_message(old: Path, settings: Settings) -> str:
    new = Path(database_location(settings.database_url))
    return (
        f"DATABASE_URL is not set, so the database is {new}, which does not exist yet; but "
        f"{old} (the old default place, relative to the working directory) does. "
        f'Move it: `mkdir -p "{new.parent}" && mv "{old}"* "{new.parent}/"`, '
        f"or keep using it with DATABASE_URL=sqlite:///{old}"
    )


async def dispatch(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command in ("run", "chat"):
        return await _dispatch(command, args, settings)
    # The operators' commands speak English (their messages, and the reasons a value or a row
    # of a file is refused, which staff read in their own language when they import in chat).
    with use_language("en"):
        return await _dispatch(command, args, settings)


async def _dispatch(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command == "db":
        return await run_db(args, settings)
    db = await open_database(settings)
    try:
        if command == "prerelease" or getattr(args, "participants_command", None) == "relink":
            found = await bot_username(settings)  # for the Telegram link; none without a token
            links = {
                "telegram_username": found.username,
                "whatsapp_number": settings.whatsapp_business_number,
            }
            if command == "prerelease":
                return await run_prerelease(args, db, settings, **links)
            return await run_relink(args, db, **links)
        if command == "participants":
            return await run_participants(args, db)
        if command in ADMIN_COMMANDS | STAFF_COMMANDS | EXPORT_COMMANDS:
            return await run_admin(args, db, settings)
        where = database_location(settings.database_url)
        if command == "run" and (settings.telegram_bot_token or settings.whatsapp_enabled):
            log.info("pendamping starting; database: %s", where)
            try:
                await run(settings, db, stop_on_signals())
            except CourierStopped as error:
                log.error("%s; stopping (a supervisor such as systemd restarts the bot)", error)
                return 1
            return 0
        print(chat_banner(where, no_token=command == "run"), file=sys.stderr)
        who = getattr(args, "who", None) or getpass.getuser()
        look = getattr(args, "look", "console")
        channel = ConsoleChannel(sys.stdout, color=sys.stdout.isatty(), look=look)
        reminders = start_reminders(db, settings, {channel.name: channel})
        inbox = Inbox(db, flow_settings(settings, [channel.name]), {channel.name: channel})
        inbox.on_outbox = reminders.wake
        try:
            await chat(inbox, channel, who)
        finally:
            await reminders.stop()
            await inbox.close()
        return 0
    finally:
        await db.dispose()


def chat_banner(database: str, *, no_token: bool) -> str:
    """What the operator reads before a terminal chat, in English like all operator output."""
    why = (
        "Neither TELEGRAM_BOT_TOKEN nor the WHATSAPP_* settings are set, so this is "
        if no_token
        else "This is "
    )
    return (
        f"{why}a chat with the bot in this terminal, as a participant would have it.\n"
        f"Database: {database}\n"
        'Type a message (e.g. "halo"), a number to press a button, or /keluar to leave.'
    )
