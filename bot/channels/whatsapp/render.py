"""A `Reply` as the WhatsApp messages that show it best: text, reply buttons, a list, or numbered
text, within WhatsApp's limits (Cloud API "Send messages" reference)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.channels.whatsapp.formatting import command_words, split_html, split_tail, to_whatsapp
from handlers.i18n import _, use_language
from handlers.types import Button, Reply

JSONDict = dict[str, Any]

TEXT_MAX = 4096  # a text message's body
INTERACTIVE_BODY_MAX = 1024  # the body of reply buttons or a list
BUTTONS_MAX = 3  # reply buttons in one message
BUTTON_TITLE_MAX = 20  # a reply button's title, and a list's button label
LIST_ROWS_MAX = 10  # rows in a list, all sections together
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72


@dataclass(frozen=True)
class Part:
    """One message to send, and the reply that is still to send from this part on (to resend
    the rest after a pause part-way)."""

    message: JSONDict  # the Graph API message without its recipient
    rest: Reply


def render(reply: Reply, default_language: str = "id") -> list[Part]:
    """The messages that show `reply` on WhatsApp, in order (none for an empty reply).

    No buttons: text. 1-3 buttons with short titles: reply buttons. 4-10 options, or a title
    too long for a button: a list. More than 10: numbered text, answered by typing the number.
    A "share my phone number" button has no WhatsApp form (WhatsApp gives us the number); an
    edit becomes a new message, as WhatsApp cannot edit one.
    """
    reply = replace(
        reply,
        text=command_words(reply.text),
        edit_ref=None,
        share_phone=None,
        remove_keyboard=False,
    )
    buttons = reply.buttons
    if not buttons:
        return _texts(reply, reply.text)
    if len(buttons) > LIST_ROWS_MAX:
        with use_language(reply.language or default_language):
            lines = [f"{n}. {b.title}" for n, b in enumerate(buttons, start=1)]
            ask = _("Reply with the number of your choice.")
        numbered = "\n\n".join(p for p in (reply.text.strip(), "\n".join(lines), ask) if p)
        return _texts(replace(reply, buttons=()), numbered)
    head, tail = split_tail(reply.text, INTERACTIVE_BODY_MAX)
    parts = _texts(reply, head, then=tail) if head else []
    last = replace(reply, text=tail)
    if len(buttons) <= BUTTONS_MAX and all(len(b.title) <= BUTTON_TITLE_MAX for b in buttons):
        message = _reply_buttons(to_whatsapp(tail), buttons)
    else:
        with use_language(reply.language or default_language):
            label = _("Choose")
        message = _list(to_whatsapp(tail), buttons, label)
    return [*parts, Part(message, last)]


def _texts(reply: Reply, text: str, then: str = "") -> list[Part]:
    """Text messages for `text`; `then` is the text that follows them (with the buttons)."""
    if not text.strip():
        return []
    pieces = split_html(text, TEXT_MAX)
    return [
        Part(
            text_message(to_whatsapp(piece)),
            replace(reply, text="\n\n".join([*pieces[index:], *([then] if then else [])])),
        )
        for index, piece in enumerate(pieces)
    ]


def text_message(body: str) -> JSONDict:
    return {"type": "text", "text": {"body": body, "preview_url": False}}


def _reply_buttons(body: str, buttons: tuple[Button, ...]) -> JSONDict:
    return {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": body},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": b.payload, "title": b.title}} for b in buttons
                ]
            },
        },
    }


def _list(body: str, buttons: tuple[Button, ...], label: str) -> JSONDict:
    rows: list[JSONDict] = []
    for button in buttons:
        row: JSONDict = {"id": button.payload, "title": _shorten(button.title, ROW_TITLE_MAX)}
        if len(button.title) > ROW_TITLE_MAX:  # the whole title, where the row has room for it
            row["description"] = _shorten(button.title, ROW_DESCRIPTION_MAX)
        rows.append(row)
    return {
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": body},
            "action": {
                "button": _shorten(label, BUTTON_TITLE_MAX),
                "sections": [{"rows": rows}],
            },
        },
    }


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
