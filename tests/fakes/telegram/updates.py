"""How updates reach the bot (getUpdates long polling, webhook bookkeeping) and its command menu."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from tests.fakes.telegram.errors import TelegramAPIError
from tests.fakes.telegram.state import FakeState
from tests.fakes.telegram.wire import (
    COMMAND_NAME_RE,
    E_POLL_TERMINATED,
    E_WEBHOOK_ACTIVE,
    SECRET_TOKEN_RE,
)

JSONDict = dict[str, Any]


class UpdateMethods(FakeState):
    """getUpdates, webhooks and the command menu."""

    @staticmethod
    def _scope_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope")
        if not isinstance(scope, dict) or scope.get("type", "default") == "default":
            scope_key = "default"
        else:
            scope_key = json.dumps(scope, sort_keys=True)
        language = params.get("language_code") or ""
        return scope_key, str(language)

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise TelegramAPIError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise TelegramAPIError(400, "Bad Request: too many commands specified")
        for item in commands:
            if not isinstance(item, dict) or not COMMAND_NAME_RE.match(
                str(item.get("command", ""))
            ):
                raise TelegramAPIError(400, "Bad Request: BOT_COMMAND_INVALID")
            description = item.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise TelegramAPIError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._scope_key(params)
        self.scoped_commands[key] = commands
        if key[0] == "default":
            self.commands[key[1]] = commands
        return True

    def _delete_my_commands(self, params: JSONDict) -> bool:
        key = self._scope_key(params)
        self.scoped_commands.pop(key, None)
        if key[0] == "default":
            self.commands.pop(key[1], None)
        return True

    def menu_of(self, chat_id: int, language: str = "") -> list[str]:
        """The command names a chat's menu shows: its own scope, else the default (as Telegram
        resolves it for a private chat)."""
        scope = json.dumps({"chat_id": chat_id, "type": "chat"}, sort_keys=True)
        for key in ((scope, language), (scope, ""), ("default", language), ("default", "")):
            if key in self.scoped_commands:
                return [str(item["command"]) for item in self.scoped_commands[key]]
        return []

    def _set_webhook(self, params: JSONDict) -> bool:
        url = params.get("url") or ""
        if not url:
            return self._delete_webhook(params)
        if not isinstance(url, str) or not url.lower().startswith("https://"):
            raise TelegramAPIError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN_RE.match(str(secret)):
            raise TelegramAPIError(400, "Bad Request: secret token contains unallowed characters")
        self._set_allowed(params.get("allowed_updates"))
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": params.get("allowed_updates"),
            "max_connections": params.get("max_connections", 40),
        }
        waiter = self._poll_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result("webhook")
        return True

    def _delete_webhook(self, params: JSONDict) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _collect(self, limit: int) -> list[JSONDict]:
        updates = list(itertools.islice(self._updates, limit))
        for update in updates:
            self.served[update["update_id"]] += 1
        return updates

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook is not None:
            raise TelegramAPIError(409, E_WEBHOOK_ACTIVE)
        previous = self._poll_waiter
        if previous is not None and not previous.done():
            previous.set_result("terminated")
        self._poll_waiter = None
        offset = params.get("offset")
        if isinstance(offset, int) and offset:
            queue = self._updates
            if offset > 0:
                while queue and queue[0]["update_id"] < offset:
                    queue.popleft()
            else:
                while len(queue) > -offset:
                    queue.popleft()
        limit = params.get("limit")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) and limit > 0 else 100
        self._set_allowed(params.get("allowed_updates"))
        result = self._collect(limit)
        timeout = params.get("timeout")
        timeout = float(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else 0.0
        if result or timeout <= 0:
            return result
        waiter: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._poll_waiter = waiter
        try:
            await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except TimeoutError:
            return []
        finally:
            if self._poll_waiter is waiter:
                self._poll_waiter = None
        reason = waiter.result()
        if reason == "terminated":
            raise TelegramAPIError(409, E_POLL_TERMINATED)
        if reason == "webhook":
            raise TelegramAPIError(409, E_WEBHOOK_ACTIVE)
        return self._collect(limit)
