"""Spreadsheets of sessions for the import tests (real CSV bytes, real XLSX workbooks written with
openpyxl), the programs they name, and a collecting channel that also keeps files people send."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from openpyxl import Workbook

from handlers.files import FileNotFetched, Unfetched
from handlers.types import Attachment, Kind, Reply
from storage.db import Database
from storage.models import Organisation, Program
from tests.fakes.channel import CollectingChannel, Person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["program", "title", "date", "start", "end", "timezone", "place", "capacity"]
_refs = itertools.count(1)


@dataclass
class FileChannel(CollectingChannel):
    """The collecting channel, plus the files people sent through it (fetched by reference)."""

    files: dict[str, bytes] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)

    def keep(self, content: bytes) -> str:
        ref = f"file-{next(_refs)}"
        self.files[ref] = content
        return ref

    async def fetch(self, attachment: Attachment, limit: int) -> bytes:
        content = self.files.get(attachment.ref)
        if content is None:
            raise FileNotFetched(Unfetched.GONE)
        if len(content) > limit:
            raise FileNotFetched(Unfetched.TOO_LARGE)
        self.fetched.append(attachment.ref)
        return content


async def sends_file(
    person: Person, channel: FileChannel, content: bytes, filename: str, mime: str
) -> list[Reply]:
    attachment = Attachment(channel.keep(content), filename, mime, len(content))
    return await person.sends(Kind.DOCUMENT, attachment=attachment)


async def add_program(db: Database, organisation_id: int, name: str) -> int:
    async with db.transaction() as tx:
        organisation = await tx.get(Organisation, organisation_id)
        assert organisation is not None
        program = Program(
            organisation_id=organisation_id,
            name=name,
            kind="job_training",
            created_at=datetime.now(UTC),
        )
        tx.add(program)
        await tx.flush()
        return program.id


def day(days_ahead: int) -> date:
    return (datetime.now(UTC) + timedelta(days=days_ahead)).date()


def session_rows(program: str, count: int, *, first_day: int = 10) -> list[list[Any]]:
    """`count` good rows (as text) for `program`, one a day."""
    return [
        [program, f"Pertemuan {n + 1}", f"{day(first_day + n):%Y-%m-%d}", "09:00", "12:00",
         "WIB", "Aula Rutan", "20"]
        for n in range(count)
    ]  # fmt: skip


def csv_bytes(rows: list[list[Any]], header: list[str] = HEADER, delimiter: str = ";") -> bytes:
    lines = [delimiter.join(header), *(delimiter.join(str(c) for c in row) for row in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    """A real workbook: the header row, then the rows (dates and times may be Excel values)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def excel_row(program: str, days_ahead: int, place: str = "Aula Rutan") -> list[Any]:
    """A row as Excel keeps it: a real date and real times, a number of seats."""
    return [program, "Las", day(days_ahead), time(9, 0), time(12, 0), "WIB", place, 20]
