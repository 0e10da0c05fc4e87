"""/laporan in a staff chat on Telegram and WhatsApp (an admin's: last month's XLSX with its
main figures in the message, audited), refused to a caseworker as any unknown command is; and
`pendamping report --month` writing the same file from the command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.channels.whatsapp.render import render
from bot.inbox import Inbox
from handlers.types import Kind, Reply
from storage.db import Database
from storage.models import AuditEntry
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.cli import run_command
from tests.helpers.reports import NOW, seeded_month
from tests.helpers.staff.cli import pendamping

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))


async def typed(person: Person, text: str) -> list[Reply]:
    head, _sep, args = text[1:].partition(" ")
    return await person.sends(Kind.COMMAND, text=text, command=head, args=args, received_at=NOW)


async def reports_audited(db: Database) -> list[AuditEntry]:
    async with db.transaction() as tx:
        query = select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)
        return list((await tx.execute(query)).scalars())


def figures(content: bytes) -> dict[str, object]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return {str(row[0]): row[1] for row in sheet.iter_rows(values_only=True) if row[0]}


async def test_an_admin_gets_last_months_report_with_its_figures(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await seeded_month(db, channel.name)
    admin = Person(inbox, channel, address=w.admin_a.address)

    (sent,) = await typed(admin, "/laporan")  # on 1 December: November's
    assert sent.document is not None
    assert (sent.document.filename, sent.document.mime) == ("laporan-2026-11.xlsx", XLSX_MIME)
    assert sent.text.startswith("Laporan November 2026: Rutan Kelas IIA Pekalongan")
    assert "Peserta: 2 aktif, 2 baru, 1 berhenti." in sent.text
    assert "Kabar: 4 dari 5 dijawab (80%)." in sent.text
    assert "Kehadiran: 2 dari 4 tercatat hadir (50%)." in sent.text
    assert "Budi" not in sent.text  # numbers only, no names
    values = figures(sent.document.content)
    assert (values["Peserta aktif"], values["Kabar yang diminta"]) == (2, 5)
    if channel.name == "whatsapp":
        [message] = [part.message for part in render(sent)]
        assert message["type"] == "text"  # the engine's text part; the channel uploads the file

    (entry,) = await reports_audited(db)
    assert (entry.staff_id, entry.organisation_id) == (w.admin_a.view.staff_id, w.org_a)
    assert (entry.channel, entry.detail) == (channel.name, "report month=2026-11")


async def test_a_month_can_be_typed_and_a_wrong_one_is_explained(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await seeded_month(db, channel.name)
    admin = Person(inbox, channel, address=w.admin_a.address)
    (october,) = await typed(admin, "/laporan 2026-10")
    assert october.document is not None and october.document.filename == "laporan-2026-10.xlsx"
    assert "Kabar: 0 dari 0 dijawab (-)." in october.text
    (wrong,) = await typed(admin, "/laporan kemarin")
    assert wrong.document is None and "/laporan 2026-11" in wrong.text
    assert len(await reports_audited(db)) == 1  # October's only


async def test_a_caseworker_is_answered_as_for_a_command_that_does_not_exist(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await seeded_month(db, channel.name)
    caseworker = Person(inbox, channel, address=w.caseworker_a.address)
    refused = await typed(caseworker, "/laporan")
    unknown = await typed(caseworker, "/tidakada")
    assert [r.text for r in refused] == [r.text.replace("/tidakada", "/laporan") for r in unknown]
    assert all(r.document is None for r in refused)
    assert await reports_audited(db) == []
    admin = Person(inbox, channel, address=w.admin_a.address)
    (menu,) = await typed(admin, "/menu")
    (caseworker_menu,) = await typed(caseworker, "/menu")
    titles = [b.title for b in menu.buttons]
    assert "Laporan bulanan" in titles or "Laporan bulanan" in menu.text
    assert "Laporan bulanan" not in [b.title for b in caseworker_menu.buttons]
    assert "Laporan bulanan" not in caseworker_menu.text


async def test_the_command_line_writes_the_report_and_audits_it(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    w = await seeded_month(db)
    folder = tmp_path / "reports"
    folder.mkdir()
    output = folder / "nov.xlsx"
    code, out, err = await run_command(
        database_url, f"report --month 2026-11 --org {w.org_a} --output {output}"
    )
    assert code == 0, err
    assert out.strip() == (f"wrote the report of 2026-11 of Rutan Kelas IIA Pekalongan to {output}")
    assert [p.name for p in folder.iterdir()] == ["nov.xlsx"]  # no ".part" left
    values = figures(output.read_bytes())
    assert values["Peserta baru bulan ini"] == 2 and values["Tingkat jawaban"] == 0.8
    (entry,) = await reports_audited(db)
    assert (entry.staff_id, entry.channel, entry.detail) == (None, "cli", "report month=2026-11")

    code, _out, err = await pendamping(database_url, f"report --month 11-2026 --org {w.org_a}")
    assert code == 2 and "must be a month like 2026-11" in err
