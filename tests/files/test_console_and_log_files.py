"""Files in the terminal (written into a folder, the path printed), and what the message log and
the courier pipe keep of a document: its name and type, never its bytes."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.channels.console import ConsoleChannel
from bot.courier.protocol import Fetched, Send, decode, encode
from handlers.types import Attachment, Document, Reply, reply_fields, reply_from

CSV = Document("laporan impor.csv", b"baris,masalah\n3,tanggal\n", "text/csv")


async def test_the_terminal_writes_the_file_and_prints_its_path(tmp_path: Path) -> None:
    out = io.StringIO()
    channel = ConsoleChannel(out, folder=tmp_path)
    assert (await channel.send("me", Reply("Laporan impor", document=CSV))).ok
    assert (await channel.send("me", Reply("Lagi", document=CSV))).ok
    first, second = tmp_path / "laporan impor.csv", tmp_path / "laporan impor-2.csv"
    assert first.read_bytes() == CSV.content and second.read_bytes() == CSV.content
    shown = out.getvalue()
    assert str(first) in shown and str(second) in shown and "Laporan impor" in shown


async def test_the_whatsapp_look_writes_the_file_too(tmp_path: Path) -> None:
    out = io.StringIO()
    channel = ConsoleChannel(out, look="whatsapp", folder=tmp_path)
    assert (await channel.send("me", Reply("Laporan", document=CSV))).ok
    assert (tmp_path / "laporan impor.csv").read_bytes() == CSV.content


def test_the_message_log_keeps_no_bytes_and_a_resent_reply_says_to_ask_again() -> None:
    reply = Reply("Laporan impor", document=CSV, language="id")
    fields = reply_fields(reply)
    stored = json.dumps(fields)
    assert "baris" not in stored and "laporan impor.csv" in stored
    again = reply_from(reply.text, json.loads(stored))
    assert again.document is None
    assert again.text.startswith("Laporan impor\n\n")
    assert "laporan impor.csv" in again.text and "minta" in again.text.lower()


def test_documents_and_fetched_files_cross_the_courier_pipe() -> None:
    send = Send(1, "7001", Reply("Laporan", document=CSV))
    assert decode(encode(send)) == send
    assert decode(encode(Fetched(2, b"abc"))) == Fetched(2, b"abc")
    assert decode(encode(Fetched(3, None, "too_large"))) == Fetched(3, None, "too_large")
    assert Attachment("x", "a.csv", "text/csv", 3) == Attachment("x", "a.csv", "text/csv", 3)
