"""The WhatsApp channel's parts, built from the settings: the Graph API client and the channel
that sends with it, and the webhook that takes deliveries (bot/app.py runs them)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from bot.channels.whatsapp.channel import WhatsAppChannel, db_window
from bot.channels.whatsapp.client import GraphClient
from bot.channels.whatsapp.templates import load_catalogue
from bot.channels.whatsapp.webhook import WhatsAppWebhook
from bot.config import Settings
from storage.db import Database


class WhatsApp:
    """Everything WhatsApp needs in the bot's process; `aclose()` when the bot stops."""

    def __init__(self, settings: Settings, db: Database) -> None:
        assert settings.whatsapp_token is not None  # whatsapp_enabled says so
        assert settings.whatsapp_phone_number_id is not None
        assert settings.whatsapp_app_secret is not None  # the settings require all four
        assert settings.whatsapp_verify_token is not None
        self.client = GraphClient(
            settings.whatsapp_api_url, settings.whatsapp_phone_number_id, settings.whatsapp_token
        )
        self.channel = WhatsAppChannel(
            self.client,
            load_catalogue(settings.whatsapp_templates),
            db_window(db),
            default_language=settings.default_language,
        )
        self.webhook = WhatsAppWebhook(
            db, settings.whatsapp_app_secret, settings.whatsapp_verify_token
        )

    @property
    def routes(self) -> list[BaseRoute]:
        return list(self.webhook.routes)

    async def aclose(self) -> None:
        await self.client.aclose()
