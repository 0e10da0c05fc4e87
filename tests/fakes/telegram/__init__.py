"""A fake Telegram Bot API server for end-to-end tests and benchmarks.

Real python-telegram-bot talks to it over real HTTP::

    async with FakeTelegramAPI() as fake:
        app = ApplicationBuilder().token(fake.token).base_url(f"{fake.url}/bot").build()
        budi = fake.user(1001, "Budi")
        budi.send_text("/start")
        ...  # run the application (polling), then
        reply = await budi.next_message()

It answers with Telegram's real envelopes (``{"ok": true, "result": ...}`` and
``{"ok": false, "error_code": N, "description": "...", "parameters": {...}}``) and the
matching HTTP status codes, keeps per-chat message stores, validates HTML like
Telegram's own parser (`html`), implements ``getUpdates`` long polling with real offset
semantics and webhook bookkeeping (`updates`), the methods the bot sends with (`methods`),
callback queries, error injection and optional flood limits. Simulated people live in
`users`; the server and its controls in `server` (HTTP: the small asyncio server in
`raw_http` by default, or ``backend="uvicorn"``).

Only the Bot API methods the bot calls are implemented; any other answers 404 Not Found, as
Telegram does for an unknown method. Dicts handed out (``sent``, ``inbox``, updates) share
nested objects with the fake's internal state: treat them as read-only.
"""

from tests.fakes.telegram.errors import NoMessageError, TelegramAPIError
from tests.fakes.telegram.html import HTMLParseError, parse_html
from tests.fakes.telegram.server import FakeTelegramAPI
from tests.fakes.telegram.users import FakeUser

__all__ = [
    "FakeTelegramAPI",
    "FakeUser",
    "HTMLParseError",
    "NoMessageError",
    "TelegramAPIError",
    "parse_html",
]
