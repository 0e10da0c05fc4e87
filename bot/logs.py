"""Logging for every process of the bot: one format, and no library that would log personal data."""

from __future__ import annotations

import logging


def setup_logging(level: str, *, quiet: bool) -> None:
    logging.basicConfig(
        level=logging.WARNING if quiet and level == "INFO" else level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs request URLs, and Telegram's URLs contain the bot token; at DEBUG, PTB logs every
    # Bot API call's parameters (message texts, chat ids). Neither belongs in our logs.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    for library in ("telegram", "aiohttp"):
        logging.getLogger(library).setLevel(
            max(logging.getLevelNamesMapping()[level], logging.INFO)
        )
