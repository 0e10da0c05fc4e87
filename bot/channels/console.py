"""The terminal channel: chat with the same flows on the same database, buttons as numbered
choices; or, with `look="whatsapp"`, every reply drawn as WhatsApp would show it."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import TextIO

from bot.channels.protocol import SendResult
from bot.channels.whatsapp.formatting import JOINER
from bot.channels.whatsapp.render import render
from bot.inbox import Inbox
from handlers.text import strip_tags
from handlers.types import Button, Document, Incoming, Kind, Reply

CHANNEL = "console"
EXIT_WORDS = {"/keluar", "/exit", "/quit"}
LOOKS = ("console", "whatsapp")  # how replies are drawn: numbered buttons, or WhatsApp's shapes


class ConsoleChannel:
    """Prints replies; remembers the last buttons so that typing "2" presses the second one."""

    name = CHANNEL

    def __init__(
        self,
        out: TextIO,
        *,
        color: bool = False,
        look: str = "console",
        folder: Path | None = None,
    ) -> None:
        if look not in LOOKS:
            raise ValueError(f"unknown look {look!r}: choose one of {', '.join(LOOKS)}")
        self.out = out
        self.folder = folder  # where files sent to the terminal are written (None: the current)
        self.color = color
        self.look = look
        self.buttons: list[Button] = []
        self._sent = 0

    async def send(self, address: str, reply: Reply) -> SendResult:
        self._sent += 1
        if reply.document is not None:
            try:
                path = self._save(reply.document)
            except OSError as error:
                return SendResult(False, error=f"cannot write the file: {error.strerror}")
            self.out.write(f"\n{'🖼' if reply.document.photo else '📎'} {path}\n")
        if reply.media is not None:
            if reply.media.content is None:  # Telegram's file id: only Telegram can show it
                self.out.write("\n📎 (Telegram)\n")
            else:
                try:
                    name = reply.media.filename or "media"
                    path = self._save(Document(name, reply.media.content, reply.media.mime))
                except OSError as error:
                    return SendResult(False, error=f"cannot write the file: {error.strerror}")
                self.out.write(f"\n📎 {path}\n")
        if self.look == "whatsapp":
            return self._send_as_whatsapp(reply)
        text = self._render(reply.text)
        lines = [
            "",
            *(f"🤖 {line}" if i == 0 else f"   {line}" for i, line in enumerate(text.split("\n"))),
        ]
        if reply.buttons:
            self.buttons = list(reply.buttons)
            lines += [f"     [{n}] {b.title}" for n, b in enumerate(reply.buttons, start=1)]
        elif reply.share_phone is None and not reply.edit_ref:
            self.buttons = []
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()
        return SendResult(True, str(self._sent))

    def _send_as_whatsapp(self, reply: Reply) -> SendResult:
        """Each message WhatsApp would get: text with *bold* and _italic_, reply buttons as
        [ Hadir ] [ Tidak bisa ], a list as its button and numbered rows, numbered text."""
        lines: list[str] = []
        self.buttons = []
        for part in render(reply):
            message = part.message
            if message["type"] == "text":
                lines += ["", *_bubble(message["text"]["body"])]
                continue
            interactive = message["interactive"]
            lines += ["", *_bubble(interactive["body"]["text"])]
            action = interactive["action"]
            if interactive["type"] == "button":
                titles = [b["reply"]["title"] for b in action["buttons"]]
                lines.append("   " + " ".join(f"[ {title} ]" for title in titles))
            else:
                lines.append(f"   [ ☰ {action['button']} ]")
                rows = [row for section in action["sections"] for row in section["rows"]]
                for n, row in enumerate(rows, start=1):
                    about = f" ({row['description']})" if "description" in row else ""
                    lines.append(f"     {n}. {row['title']}{about}")
            self.buttons = list(part.rest.buttons)
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()
        return SendResult(True, str(self._sent))

    def _save(self, document: Document) -> Path:
        """Write the file under its own name (made safe), never over an existing file."""
        folder = self.folder if self.folder is not None else Path.cwd()
        name = Path(document.filename).name.strip(". ") or "file"
        stem, suffix = Path(name).stem, Path(name).suffix
        path = folder / name
        number = 1
        while path.exists():
            number += 1
            path = folder / f"{stem}-{number}{suffix}"
        path.write_bytes(document.content)
        return path.resolve()

    def _render(self, html_text: str) -> str:
        if self.color:
            html_text = re.sub(r"<b>(.*?)</b>", "\x1b[1m\\1\x1b[0m", html_text, flags=re.S)
        return strip_tags(html_text)

    def incoming(self, address: str, line: str) -> Incoming:
        """What the person typed: a numbered choice, a command, or plain text."""
        text = line.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.buttons):
            return Incoming(
                CHANNEL, address, Kind.BUTTON, payload=self.buttons[int(text) - 1].payload
            )
        if self.look == "whatsapp":  # typing a title is tapping it, as on the phone
            tapped = [b for b in self.buttons if b.title.casefold() == text.casefold()]
            if tapped:
                return Incoming(CHANNEL, address, Kind.BUTTON, payload=tapped[0].payload)
        if text.startswith("/") and len(text) > 1:
            head, _sep, args = text[1:].partition(" ")
            return Incoming(
                CHANNEL,
                address,
                Kind.COMMAND,
                text=text,
                command=head.casefold(),
                args=args.strip(),
            )
        return Incoming(CHANNEL, address, Kind.TEXT, text=line.rstrip("\r\n"))


def _bubble(body: str) -> list[str]:
    """A WhatsApp message's text as the terminal shows it (the invisible joiners dropped)."""
    return [
        f"💬 {line}" if i == 0 else f"   {line}"
        for i, line in enumerate(body.replace(JOINER, "").split("\n"))
    ]


async def chat(
    inbox: Inbox, channel: ConsoleChannel, address: str, stdin: TextIO = sys.stdin
) -> None:
    """Read lines until end of input or /keluar, handling each like a message from a phone.

    How to use it is the operator's to read: `pendamping chat` prints that, in English."""
    loop = asyncio.get_running_loop()
    while True:
        channel.out.write("\n> ")
        channel.out.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line or line.strip() in EXIT_WORDS:
            channel.out.write("\n")
            return
        await inbox.receive(channel.incoming(address, line))
