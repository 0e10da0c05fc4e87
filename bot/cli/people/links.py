"""What the command line prints and writes for a one-time code: its links to the bot, and a QR
code of each as a PNG file to print or show on a screen."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import qrcode
from qrcode.image.pure import PyPNGImage

from bot.channels.telegram.app import bot_username
from bot.config import Settings
from handlers.flow import FlowSettings
from handlers.staff.links import Links, invite_links
from handlers.timefmt import zone_abbr

log = logging.getLogger(__name__)


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
