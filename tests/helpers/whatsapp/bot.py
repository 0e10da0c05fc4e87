"""The real bot (`bot.app.run`) serving WhatsApp against the fake Graph API, and people who write
to it through signed webhook posts, as Meta delivers them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func, select

from bot.app import run
from bot.channels.whatsapp.templates import load_catalogue
from bot.config import Settings
from storage import migrate
from storage.db import Database
from storage.models import WebhookDelivery
from tests.fakes.whatsapp import FakeGraphAPI, Received, shapes_of
from tests.fakes.whatsapp.webhooks import (
    WhatsAppUser,
    button_reply,
    encode,
    envelope,
    list_reply,
    post_delivery,
    quick_reply,
    text,
)
from tests.helpers.ports import free_port

SECRET = "e2e-app-secret"
VERIFY_TOKEN = "e2e-verify-token"
WEBHOOK = "/webhooks/whatsapp"


def graph_api(**options: Any) -> FakeGraphAPI:
    """A fake Graph API that knows the shipped templates, as Meta would once they are approved."""
    return FakeGraphAPI(templates=shapes_of(load_catalogue(None)), **options)


def whatsapp_settings(fake: FakeGraphAPI, database_url: str, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": free_port(),
        "quiet_hours": "off",  # these tests run at any hour; quiet hours have tests of their own
        "program_name": "Bapas Kelas II Ambon",
    } | extra
    return Settings(
        whatsapp_token=fake.token,
        whatsapp_phone_number_id=fake.phone_number_id,
        whatsapp_app_secret=SECRET,
        whatsapp_verify_token=VERIFY_TOKEN,
        whatsapp_api_url=fake.api_url,
        database_url=database_url,
        **values,
    )


@dataclass
class RunningBot:
    settings: Settings
    db: Database
    fake: FakeGraphAPI

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.port}{WEBHOOK}"

    async def post(self, delivery: dict[str, Any] | bytes, **options: Any) -> httpx.Response:
        return await post_delivery(self.url, delivery, SECRET, **options)

    async def settled(self, timeout: float = 10.0) -> None:
        """Wait until every acknowledged delivery has been handled (handled ones are deleted, and
        a delivery is handled once its replies went out); fails the test after `timeout` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            async with self.db.transaction() as tx:
                waiting = (await tx.execute(select(func.count(WebhookDelivery.id)))).scalar_one()
            if waiting == 0:
                return
            if loop.time() > deadline:
                raise AssertionError(
                    f"{waiting} webhook deliveries still unhandled after {timeout} s"
                )
            await asyncio.sleep(0.02)


@asynccontextmanager
async def running_bot(settings: Settings, fake: FakeGraphAPI) -> AsyncIterator[RunningBot]:
    """`pendamping run` with WhatsApp (and Telegram, if the settings have a token) until the
    block ends; the fake's statuses (delivered, read, failed) are posted to the bot as Meta does."""
    db = Database(settings.database_url)
    await migrate.upgrade(db)
    bot = RunningBot(settings, db, fake)

    async def report(item: dict[str, Any]) -> None:
        await bot.post(envelope({"statuses": [item]}))

    fake.on_status = report
    stop = asyncio.Event()
    task = asyncio.create_task(run(settings, db, stop))
    try:
        await _until_healthy(bot, task)
        yield bot
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=20)
        fake.on_status = None
        await db.dispose()


async def _until_healthy(bot: RunningBot, task: asyncio.Task[None], timeout: float = 15.0) -> None:
    url = f"http://{bot.settings.host}:{bot.settings.port}/healthz"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with httpx.AsyncClient(timeout=2) as http:
        while loop.time() < deadline:
            if task.done():
                task.result()  # raises what stopped the bot
                raise AssertionError("the bot stopped by itself")
            try:
                if (await http.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"the bot was not healthy within {timeout} s")


@dataclass
class Phone:
    """A person on WhatsApp: what they send goes to the bot signed; what the bot sends them is
    what the fake Graph API accepted for them."""

    bot: RunningBot
    user: WhatsAppUser
    seen: int = 0
    sent_ids: list[str] = field(default_factory=list)

    @property
    def identifiers(self) -> list[str]:
        """What the bot may address them by: their BSUID and/or their phone number."""
        return [i for i in (self.user.user_id, self.user.phone) if i]

    @property
    def inbox(self) -> list[Received]:
        """Everything the bot sent them, by whichever identifier, in order."""
        got = [r for i in self.identifiers for r in self.bot.fake.messages_to(i)]
        return sorted(got, key=lambda r: (r.at, r.wamid))

    def wrote(self, at: float | None = None) -> None:
        """Their 24 hours open (at `at`, default now), as Meta counts them."""
        for identifier in self.identifiers:
            self.bot.fake.person_wrote(identifier, at)

    async def sends(self, delivery: dict[str, Any]) -> list[Received]:
        """Post one delivery from this person; the bot's answers to it once it is handled."""
        self.wrote()
        response = await self.bot.post(encode(delivery))
        assert response.status_code == 200, response.text
        self.sent_ids.append(delivery["entry"][0]["changes"][0]["value"]["messages"][0]["id"])
        await self.bot.settled()
        return self.new()

    def new(self) -> list[Received]:
        """What arrived since the last look."""
        got = self.inbox[self.seen :]
        self.seen += len(got)
        return got

    async def says(self, words: str) -> list[Received]:
        return await self.sends(text(self.user, words))

    async def taps(self, title: str) -> list[Received]:
        """Tap the reply button or list row titled `title` on the latest message that has one."""
        for received in reversed(self.inbox):
            if any(shown == title for _payload, shown, _kind in options_of(received)):
                return await self.taps_on(received, title)
        raise AssertionError(f"no button {title!r} in {[r.text for r in self.inbox]}")

    async def taps_on(self, received: Received, title: str) -> list[Received]:
        """Tap the option titled `title` of that message (an older one, say, on a lock screen)."""
        for payload, shown, kind in options_of(received):
            if shown == title:
                if kind == "quick_reply":
                    delivery = quick_reply(self.user, payload, shown, context_id=received.wamid)
                elif kind == "row":
                    delivery = list_reply(self.user, payload, shown, context_id=received.wamid)
                else:
                    delivery = button_reply(self.user, payload, shown, context_id=received.wamid)
                return await self.sends(delivery)
        raise AssertionError(f"no button {title!r} on {received.text!r}")


def template_text(received: Received) -> str:
    """A template message as the person reads it: its body in their language, filled in."""
    template = received.message["template"]
    spec = next(s for s in load_catalogue(None).specs.values() if s.name == template["name"])
    texts = next(t for t in spec.texts.values() if t.code == template["language"]["code"])
    params = tuple(
        parameter["text"]
        for component in template.get("components", [])
        if component.get("type") == "body"
        for parameter in component.get("parameters", [])
    )
    return texts.filled(params)


async def arrives(
    fake: FakeGraphAPI, recipient: str, wanted: Callable[[Received], bool], timeout: float = 10.0
) -> Received:
    """The first message to `recipient` that is `wanted` (others may come first: a morning
    digest due at this hour, say); fails the test if none arrives within `timeout` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for message in fake.messages_to(recipient):
            if wanted(message):
                return message
        assert loop.time() < deadline, f"the awaited message did not come within {timeout} s"
        await asyncio.sleep(0.02)


def is_template(name: str) -> Callable[[Received], bool]:
    return lambda m: m.kind == "template" and m.message["template"]["name"] == name


def options_of(received: Received) -> list[tuple[str, str, str]]:
    """(payload, title, kind) of every tappable option of a message: reply buttons, list rows,
    or a template's quick replies (their titles come from the catalogue, as Meta shows them)."""
    message = received.message
    if received.kind == "interactive":
        interactive = message["interactive"]
        action = interactive["action"]
        if interactive["type"] == "button":
            return [(b["reply"]["id"], b["reply"]["title"], "button") for b in action["buttons"]]
        return [
            (row["id"], row["title"], "row")
            for section in action["sections"]
            for row in section["rows"]
        ]
    if received.kind == "template":
        template = message["template"]
        catalogue = load_catalogue(None)
        spec = next(s for s in catalogue.specs.values() if s.name == template["name"])
        texts = next(t for t in spec.texts.values() if t.code == template["language"]["code"])
        payloads = [
            component["parameters"][0]["payload"]
            for component in template.get("components", [])
            if component.get("sub_type") == "quick_reply"
        ]
        return [
            (payload, title, "quick_reply")
            for payload, title in zip(payloads, texts.quick_replies, strict=True)
        ]
    return []


def titles(received: Received) -> list[str]:
    return [title for _payload, title, _kind in options_of(received)]
