"""The template catalogue: which approved WhatsApp template says each message the bot starts, in
each language, and how to fill it in (bot/channels/whatsapp/templates.toml)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.channels.whatsapp.formatting import to_whatsapp
from handlers.types import Template

JSONDict = dict[str, Any]

SHIPPED = Path(__file__).with_name("templates.toml")
REQUIRED_KEYS = (  # flows send these
    "reminder", "update", "relay", "link_code", "digest", "checkin", "alert", "broadcast",
)  # fmt: skip
CATEGORIES = ("UTILITY", "AUTHENTICATION", "MARKETING")
BODY_MAX = 1024
PARAMETER_MAX = 1024
QUICK_REPLY_TITLE_MAX = 25
QUICK_REPLIES_MAX = 10
_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_PARAMETER = re.compile(r"\{\{(\d+)\}\}")


class TemplateCatalogueError(ValueError):
    """The catalogue file is unusable; the message names the file, the entry and the fix."""


@dataclass(frozen=True)
class TemplateText:
    """One registered translation of a template."""

    code: str  # Meta's language code
    body: str
    quick_replies: tuple[str, ...] = ()
    copy_code: str | None = None  # AUTHENTICATION: the "copy code" button's title

    @property
    def parameters(self) -> int:
        return len(set(_PARAMETER.findall(self.body)))

    def filled(self, params: tuple[str, ...]) -> str:
        """The body as the person reads it (for the terminal and tests)."""
        return _PARAMETER.sub(lambda m: params[int(m.group(1)) - 1], self.body)


@dataclass(frozen=True)
class TemplateSpec:
    key: str
    name: str  # the template's name at Meta
    category: str
    texts: dict[str, TemplateText]  # by our language code

    def text(self, language: str) -> TemplateText:
        """The translation for `language`, else Indonesian, else the first one."""
        return self.texts.get(language) or self.texts.get("id") or next(iter(self.texts.values()))


class TemplateCatalogue:
    def __init__(self, specs: dict[str, TemplateSpec]) -> None:
        self.specs = specs

    def __contains__(self, key: object) -> bool:
        return key in self.specs

    def spec(self, key: str) -> TemplateSpec:
        spec = self.specs.get(key)
        if spec is None:
            raise ValueError(f"no template {key!r} in the WhatsApp template catalogue")
        return spec

    def payload(self, template: Template, language: str) -> JSONDict:
        """The Graph API `template` message for `template` in `language` (without recipient)."""
        spec = self.spec(template.key)
        text = spec.text(language)
        if len(template.params) != text.parameters:
            raise ValueError(
                f"template {template.key!r} takes {text.parameters} parameter(s), "
                f"got {len(template.params)}"
            )
        components: list[JSONDict] = []
        if template.params:
            components.append(
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": parameter(p)} for p in template.params],
                }
            )
        if text.copy_code is not None:  # the code again, for the "copy code" button
            code = parameter(template.params[0]) if template.params else ""
            components.append(
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": "0",
                    "parameters": [{"type": "text", "text": code}],
                }
            )
        if len(template.payloads) > len(text.quick_replies):
            raise ValueError(
                f"template {template.key!r} has {len(text.quick_replies)} quick-reply "
                f"button(s), got {len(template.payloads)} payloads"
            )
        for index, payload in enumerate(template.payloads):
            components.append(
                {
                    "type": "button",
                    "sub_type": "quick_reply",
                    "index": str(index),
                    "parameters": [{"type": "payload", "payload": payload}],
                }
            )
        message: JSONDict = {"name": spec.name, "language": {"code": text.code}}
        if components:
            message["components"] = components
        return {"type": "template", "template": message}


def parameter(text: str) -> str:
    """A parameter as Meta takes it: WhatsApp markup, one line, no run of more than four
    spaces, at most 1,024 characters, never empty."""
    plain = to_whatsapp(text)
    plain = re.sub(r"[\r\n\t]+", " ", plain)
    plain = re.sub(r" {2,}", " ", plain).strip()
    if len(plain) > PARAMETER_MAX:
        plain = plain[: PARAMETER_MAX - 1].rstrip() + "…"
    return plain or "-"


def load_catalogue(path: str | None = None) -> TemplateCatalogue:
    """The catalogue in `path` (None: the one shipped with the bot); raises
    TemplateCatalogueError saying what is wrong and where."""
    source = Path(path) if path is not None else SHIPPED
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except OSError as error:
        raise TemplateCatalogueError(
            f"cannot read the WhatsApp template catalogue {source}: {error.strerror}. "
            "Check WHATSAPP_TEMPLATES, or unset it to use the catalogue shipped with the bot."
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise TemplateCatalogueError(
            f"the WhatsApp template catalogue {source} is not valid TOML: {error}"
        ) from error
    specs = {key: _spec(source, key, entry) for key, entry in data.items()}
    missing = [key for key in REQUIRED_KEYS if key not in specs]
    if missing:
        raise TemplateCatalogueError(
            f"{source}: no template for {', '.join(missing)}; the bot sends these outside the "
            "24-hour window. Add a [key] table for each (see the shipped templates.toml)."
        )
    return TemplateCatalogue(specs)


def _spec(source: Path, key: str, entry: Any) -> TemplateSpec:
    where = f"{source}: template [{key}]"
    if not isinstance(entry, dict):
        raise TemplateCatalogueError(f"{where} must be a table with name, category and languages")
    name, category = entry.get("name"), entry.get("category")
    if not isinstance(name, str) or not _NAME.match(name):
        raise TemplateCatalogueError(
            f"{where}: name must be the template's name at Meta (lowercase letters, digits, _)"
        )
    if category not in CATEGORIES:
        raise TemplateCatalogueError(f"{where}: category must be one of {', '.join(CATEGORIES)}")
    texts = {
        language: _text(f"{where} language {language!r}", value)
        for language, value in entry.items()
        if isinstance(value, dict)
    }
    if not texts:
        raise TemplateCatalogueError(f"{where} has no language: add [{key}.id] with code and body")
    counts = {text.parameters for text in texts.values()}
    if len(counts) > 1:
        raise TemplateCatalogueError(
            f"{where}: its languages take different numbers of parameters; each must take the same"
        )
    return TemplateSpec(key, name, str(category), texts)


def _text(where: str, value: dict[str, Any]) -> TemplateText:
    code, body = value.get("code"), value.get("body")
    if not isinstance(code, str) or not code:
        raise TemplateCatalogueError(f'{where}: code must be Meta\'s language code, e.g. "id"')
    if not isinstance(body, str) or not body.strip():
        raise TemplateCatalogueError(f"{where}: body must be the template's exact text")
    if len(body) > BODY_MAX:
        raise TemplateCatalogueError(f"{where}: body is longer than {BODY_MAX} characters")
    numbers = sorted({int(n) for n in _PARAMETER.findall(body)})
    if numbers != list(range(1, len(numbers) + 1)):
        raise TemplateCatalogueError(
            f"{where}: the body's parameters are {numbers}; number them {{{{1}}}}, {{{{2}}}}... in order"
        )
    replies = value.get("quick_replies", [])
    if not isinstance(replies, list) or not all(isinstance(r, str) and r for r in replies):
        raise TemplateCatalogueError(f"{where}: quick_replies must be a list of button titles")
    if len(replies) > QUICK_REPLIES_MAX or any(len(r) > QUICK_REPLY_TITLE_MAX for r in replies):
        raise TemplateCatalogueError(
            f"{where}: at most {QUICK_REPLIES_MAX} quick replies of at most "
            f"{QUICK_REPLY_TITLE_MAX} characters each"
        )
    copy_code = value.get("copy_code")
    if copy_code is not None and not isinstance(copy_code, str):
        raise TemplateCatalogueError(f"{where}: copy_code must be the copy button's title")
    return TemplateText(code, body, tuple(replies), copy_code)
