"""Links to the bot that carry a one-time code: a Telegram deep link, a WhatsApp click-to-chat
link with the code typed in for the person."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from handlers.flow import FlowSettings

WHATSAPP_TEXT = "KODE {code}"  # what the person sends; codes.code_in finds the code in it


@dataclass(frozen=True)
class Links:
    telegram: str | None  # None: the bot's username is not known
    whatsapp: str | None  # None: no business number is configured


def invite_links(code: str, settings: FlowSettings) -> Links:
    telegram = None
    if settings.telegram_username:
        telegram = f"https://t.me/{settings.telegram_username.lstrip('@')}?start={code}"
    whatsapp = None
    if settings.whatsapp_number:
        text = quote(WHATSAPP_TEXT.format(code=code))
        whatsapp = f"https://wa.me/{settings.whatsapp_number.lstrip('+')}?text={text}"
    return Links(telegram, whatsapp)
