"""What the command line prints and writes for a one-time code: its links to the bot, and a QR
code of each as a PNG file to print or show on a screen."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import qrcode
from qrcode.image.pure import PyPNGImage
from telegram import Bot
from telegram.error import TelegramError

from bot.config import Settings
from handlers.flow import FlowSettings
from handlers.staff.links import Links, invite_links
from handlers.timefmt import zone_abbr

log = logging.getLogger(__name__)

GET_ME_SECONDS = 10  # one Bot API call; the code works without the Telegram link


@dataclass(frozen=True)
class BotUsername:
    username: str | None
    problem: str | None  # why there is none, for the operator


async def bot_username(settings: Settings) -> BotUsername:
    """The Telegram bot's username, from one `getMe` call (TELEGRAM_API_URL honoured)."""
    if not settings.telegram_bot_token:
        return BotUsername(None, "TELEGRAM_BOT_TOKEN is not set")
    bot = Bot(
        settings.telegram_bot_token,
        base_url=f"{settings.telegram_api_url}/bot",
        base_file_url=f"{settings.telegram_api_url}/file/bot",
    )
    try:
        async with asyncio.timeout(GET_ME_SECONDS), bot:  # initialising calls getMe
            return BotUsername(bot.username, None)
    except (TelegramError, TimeoutError, OSError) as error:
        log.info("getMe failed: %s", type(error).__name__)
        return BotUsername(None, f"the Bot API did not answer getMe ({type(error).__name__})")


def link_settings(settings: Settings, username: str | None) -> FlowSettings:
    return FlowSettings(
        telegram_username=username, whatsapp_number=settings.whatsapp_business_number
    )


def write_qr(link: str, path: Path) -> Path:
    """A QR code of `link` as a black-and-white PNG (pure Python: qrcode with PyPNG)."""
    image = qrcode.make(link, image_factory=PyPNGImage, box_size=10, border=4)
    with path.open("wb") as handle:
        image.save(handle)
    return path


async def print_links(
    code: str,
    *,
    settings: Settings,
    expires_at: datetime,
    qr_dir: Path,
) -> list[Path]:
    """Print the code, its links and when it expires; write a QR code of each link into
    `qr_dir`, named after the code. Returns the files written."""
    found = await bot_username(settings)
    links: Links = invite_links(code, link_settings(settings, found.username))
    zone = ZoneInfo(settings.default_timezone)
    local = expires_at.astimezone(zone)
    print(f"code:      {code}")
    print(f"telegram:  {links.telegram or f'(no link: {found.problem})'}")
    print(f"whatsapp:  {links.whatsapp or '(no link: WHATSAPP_BUSINESS_NUMBER is not set)'}")
    print(f"expires:   {local:%Y-%m-%d %H:%M} {zone_abbr(settings.default_timezone)}")
    written = []
    for channel, link in (("telegram", links.telegram), ("whatsapp", links.whatsapp)):
        if link is not None:
            written.append(write_qr(link, qr_dir / f"{code}-{channel}.png"))
    for path in written:
        print(f"qr code:   {path}")
    return written
