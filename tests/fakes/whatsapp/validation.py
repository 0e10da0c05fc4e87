"""Checks a message payload as strictly as the Cloud API does (its "Send messages" limits)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fakes.whatsapp.errors import GraphAPIError

JSONDict = dict[str, Any]

TEXT_MAX = 4096
INTERACTIVE_BODY_MAX = 1024
BUTTON_TITLE_MAX = 20
BUTTON_ID_MAX = 256
ROW_TITLE_MAX = 24
ROW_ID_MAX = 200
ROW_DESCRIPTION_MAX = 72
LIST_ROWS_MAX = 10
PARAMETER_MAX = 1024


@dataclass(frozen=True)
class TemplateShape:
    """What Meta knows of one approved translation of a template."""

    parameters: int
    quick_replies: int = 0
    copy_code: bool = False


Templates = dict[tuple[str, str], TemplateShape]  # (name, language code) -> shape


def recipient_of(payload: JSONDict) -> str:
    """The `to` (phone) or `recipient` (business-scoped user id) the message is for."""
    if payload.get("messaging_product") != "whatsapp":
        raise GraphAPIError(100, "messaging_product must be whatsapp")
    to, recipient = payload.get("to"), payload.get("recipient")
    if (to is None) == (recipient is None):
        raise GraphAPIError(131008, "give exactly one of to and recipient")
    value = to if to is not None else recipient
    if not isinstance(value, str) or not value:
        raise GraphAPIError(100, "the recipient must be a non-empty string")
    if to is not None and not value.lstrip("+").isdigit():
        raise GraphAPIError(100, "to must be a phone number")
    return value


def check_message(payload: JSONDict, templates: Templates) -> str:
    """The message's type, once it passed every check (else GraphAPIError as Meta answers)."""
    kind = payload.get("type", "text")
    if kind == "text":
        text = _dict(payload, "text")
        _text(text.get("body"), TEXT_MAX, "text.body")
    elif kind == "interactive":
        _interactive(_dict(payload, "interactive"))
    elif kind == "template":
        _template(_dict(payload, "template"), templates)
    else:
        raise GraphAPIError(100, f"type {kind!r} is not one the fake supports")
    return str(kind)


def _dict(parent: JSONDict, key: str) -> JSONDict:
    value = parent.get(key)
    if not isinstance(value, dict):
        raise GraphAPIError(131008, f"{key} is required and must be an object")
    return value


def _text(value: Any, limit: int, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise GraphAPIError(131008, f"{where} is required")
    if len(value) > limit:
        raise GraphAPIError(100, f"{where} is longer than {limit} characters")
    return value


def _unique(ids: list[Any], where: str) -> None:
    if len(set(ids)) != len(ids):
        raise GraphAPIError(131009, f"{where}: ids must be unique")


def _interactive(interactive: JSONDict) -> None:
    kind = interactive.get("type")
    _text(_dict(interactive, "body").get("text"), INTERACTIVE_BODY_MAX, "interactive.body.text")
    action = _dict(interactive, "action")
    if kind == "button":
        buttons = action.get("buttons")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            raise GraphAPIError(131009, "action.buttons must hold 1 to 3 buttons")
        ids = []
        for button in buttons:
            if not isinstance(button, dict) or button.get("type") != "reply":
                raise GraphAPIError(131009, "each button must be of type reply")
            reply = _dict(button, "reply")
            _text(reply.get("title"), BUTTON_TITLE_MAX, "button title")
            ids.append(_text(reply.get("id"), BUTTON_ID_MAX, "button id"))
        _unique(ids, "action.buttons")
    elif kind == "list":
        _text(action.get("button"), BUTTON_TITLE_MAX, "action.button")
        sections = action.get("sections")
        if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
            raise GraphAPIError(131009, "action.sections must hold 1 to 10 sections")
        ids = []
        for section in sections:
            rows = section.get("rows") if isinstance(section, dict) else None
            if not isinstance(rows, list) or not rows:
                raise GraphAPIError(131009, "each section needs rows")
            if len(sections) > 1:
                _text(section.get("title"), ROW_TITLE_MAX, "section title")
            for row in rows:
                if not isinstance(row, dict):
                    raise GraphAPIError(131009, "each row must be an object")
                ids.append(_text(row.get("id"), ROW_ID_MAX, "row id"))
                _text(row.get("title"), ROW_TITLE_MAX, "row title")
                if "description" in row:
                    _text(row["description"], ROW_DESCRIPTION_MAX, "row description")
        if len(ids) > LIST_ROWS_MAX:
            raise GraphAPIError(131009, f"a list holds at most {LIST_ROWS_MAX} rows")
        _unique(ids, "list rows")
    else:
        raise GraphAPIError(100, f"interactive type {kind!r} is not one the fake supports")


def _template(template: JSONDict, templates: Templates) -> None:
    name = template.get("name")
    code = _dict(template, "language").get("code")
    shape = templates.get((str(name), str(code)))
    if shape is None:
        raise GraphAPIError(132001, f"template name ({name}) does not exist in {code}")
    components = template.get("components", [])
    if not isinstance(components, list):
        raise GraphAPIError(100, "components must be a list")
    body_parameters: list[Any] = []
    quick_indexes: list[int] = []
    copy_code = False
    for component in components:
        kind = component.get("type") if isinstance(component, dict) else None
        if kind == "body":
            body_parameters = list(component.get("parameters") or [])
            for parameter in body_parameters:
                _parameter(parameter)
        elif kind == "button" and component.get("sub_type") == "quick_reply":
            quick_indexes.append(int(component.get("index", -1)))
            [parameter] = component.get("parameters") or [{}]
            if parameter.get("type") != "payload" or not parameter.get("payload"):
                raise GraphAPIError(131008, "a quick-reply button needs a payload parameter")
        elif kind == "button" and component.get("sub_type") == "url":
            copy_code = True
        else:
            raise GraphAPIError(100, f"component {kind!r} is not one the fake supports")
    if len(body_parameters) != shape.parameters:
        raise GraphAPIError(132000, f"expected {shape.parameters}, got {len(body_parameters)}")
    if any(not 0 <= index < shape.quick_replies for index in quick_indexes):
        raise GraphAPIError(131009, "a quick-reply button index the template does not have")
    _unique(quick_indexes, "quick-reply buttons")
    if copy_code != shape.copy_code:
        raise GraphAPIError(131008, "the copy-code button's parameter is missing or extra")


def _parameter(parameter: Any) -> None:
    if not isinstance(parameter, dict) or parameter.get("type") != "text":
        raise GraphAPIError(100, "the fake takes text parameters only")
    text = _text(parameter.get("text"), PARAMETER_MAX, "template parameter")
    if "\n" in text or "\t" in text or "     " in text:
        raise GraphAPIError(
            132018,
            "Param text cannot have new-line/tab characters or more than 4 consecutive spaces",
        )
