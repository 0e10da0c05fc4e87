"""The bare python-telegram-bot echo bot: the baseline `bench/inbound.py` compares the bot with.

PTB's own example (echobot.py), with PTB's defaults, pointed at the Bot API URL in the
environment::

    TELEGRAM_BOT_TOKEN=123456:TEST TELEGRAM_API_URL=http://127.0.0.1:8081 python bench/echo_bot.py

Text (commands included) is echoed back; a button press is answered and its data sent back.
Exactly one message per input. SIGTERM or SIGINT stops it (`run_polling` handles both).
"""

from __future__ import annotations

import logging
import os

from telegram import Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


async def pressed(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and update.effective_message is not None
    await query.answer()
    await update.effective_message.reply_text(query.data or "?")


def main() -> None:
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "WARNING").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    api = os.environ.get("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
