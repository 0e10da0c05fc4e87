"""/ekspor in a staff chat, on Telegram and on WhatsApp: what (a list), which format (buttons),
then the file as a document with a caption; typed in one go too; every export audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.channels.whatsapp.render import render
from bot.inbox import Inbox
from handlers.types import Kind, Reply
from storage.db import Database
from storage.models import Message, Referral, ReferralStatus
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.exports import NOW, export_audit, read_csv, read_xlsx, world, xlsx_rows
from tests.helpers.staff.menus import CASEWORKER, first_page

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))


async def typed(person: Person, text: str) -> list[Reply]:
    """A command typed at the test's moment (NOW)."""
    head, _sep, args = text[1:].partition(" ")
    return await person.sends(Kind.COMMAND, text=text, command=head, args=args, received_at=NOW)


async def pressed(person: Person, payload: str) -> list[Reply]:
    return await person.sends(Kind.BUTTON, payload=payload, received_at=NOW)


async def test_ekspor_asks_what_and_which_format_then_sends_the_file(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    admin = Person(inbox, channel, address=w.admin_a.address)

    (what,) = await typed(admin, "/ekspor")
    assert [b.title for b in what.buttons] == [
        "Peserta",
        "Kehadiran",
        "Jawaban RSVP",
        "Catatan",
        "Kabar peserta",
        "Batal",
    ]
    assert what.document is None
    if channel.name == "whatsapp":
        message = render(what)[-1].message
        assert message["interactive"]["type"] == "list"
        rows = message["interactive"]["action"]["sections"][0]["rows"]
        assert 1 < len(rows) <= 10
        assert [r["id"] for r in rows] == [b.payload for b in what.buttons]

    (which,) = await pressed(admin, what.buttons[1].payload)
    assert "Kehadiran" in which.text
    assert [b.title for b in which.buttons] == ["CSV", "Excel", "Batal"]
    if channel.name == "whatsapp":
        message = render(which)[-1].message
        assert message["interactive"]["type"] == "button"
        assert len(message["interactive"]["action"]["buttons"]) <= 3

    (sent,) = await pressed(admin, which.buttons[1].payload)
    assert sent.document is not None
    assert sent.document.filename == "kehadiran-2026-12-01.xlsx"
    assert sent.document.mime == XLSX_MIME
    assert "6 baris" in sent.text and "WIB" in sent.text and "Budi" not in sent.text
    sheet = read_xlsx(sent.document.content)
    assert sheet.freeze_panes == "A2"
    rows = xlsx_rows(sheet)
    assert rows[0][:2] == ["ID peserta", "Nama"] and len(rows) == 7
    assert [row[0] for row in rows[1:]] == [w.budi, w.budi, w.formula, w.erased, w.budi, w.budi]

    async with db.transaction() as tx:
        logged = [(m.body, m.pending_reply) for m in (await tx.execute(select(Message))).scalars()]
    assert len(logged) >= 6  # three messages in, three replies out
    assert "Budi" not in str(logged) and "baris" not in str(logged)  # neither file nor caption

    (entry,) = await export_audit(db)
    assert (entry.staff_id, entry.organisation_id, entry.channel) == (
        w.admin_a.view.staff_id, w.org_a, channel.name,
    )  # fmt: skip
    assert entry.detail == "attendance xlsx rows=6" and entry.participant_id is None


async def test_typed_in_one_go_a_caseworker_gets_only_what_they_may_see(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    caseworker = Person(inbox, channel, address=w.caseworker_b.address)

    (sent,) = await typed(caseworker, "/ekspor peserta csv")
    assert sent.document is not None
    assert (sent.document.filename, sent.document.mime) == ("peserta-2026-12-01.csv", "text/csv")
    rows = read_csv(sent.document.content)
    assert [(int(r["ID"]), r["Nama"], r["Lembaga"]) for r in rows] == [
        (w.dewi, "Dewi Lestari", "Bapas Semarang")
    ]
    (entry,) = await export_audit(db)
    assert entry.staff_id == w.caseworker_b.view.staff_id
    assert entry.detail == "participants csv rows=1"


async def test_a_partner_gets_the_referred_program_and_nothing_once_it_is_withdrawn(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    partner = Person(inbox, channel, address=w.partner_c.address)

    (sent,) = await typed(partner, "/ekspor kehadiran excel")
    assert sent.document is not None
    rows = xlsx_rows(read_xlsx(sent.document.content))
    assert [(r[0], r[2]) for r in rows[1:]] == [(w.budi, "Pelatihan Menjahit")]

    async with db.transaction() as tx:
        referral = (await tx.execute(select(Referral))).scalar_one()
        referral.status, referral.withdrawn_at = ReferralStatus.WITHDRAWN, NOW
    (empty,) = await pressed(partner, "staff:ekspor:rsvps:csv")
    assert empty.document is None
    assert empty.text == "Jawaban RSVP: belum ada data untuk diekspor."
    forged = await pressed(partner, "staff:ekspor:secrets:csv")
    assert forged[-1].document is None and [b.title for b in forged[-1].buttons][:3] == [
        "Peserta",
        "Kehadiran",
        "Jawaban RSVP",
    ]  # an unknown kind: asked again what to export
    details = [e.detail for e in await export_audit(db)]
    assert details == ["attendance xlsx rows=1", "rsvps csv rows=0"]


async def test_the_staff_menu_offers_export(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    w = await world(db, channel.name)
    caseworker = Person(inbox, channel, address=w.caseworker_a.address)

    menu = await typed(caseworker, "/menu")
    assert [b.payload for b in menu[-1].buttons] == first_page(CASEWORKER)
    [export] = [b for b in menu[-1].buttons if b.payload == "staff:cmd:ekspor"]
    assert export.title == "Ekspor data"
