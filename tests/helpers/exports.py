"""The world of the export tests: a Rutan (A) with its people, sessions, answers and an
appointment; a Bapas (B) whose people A must never see; a city office (C), A's partner, to which
one of A's participants is referred for one program. And readers of the files that come out."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from handlers.exports.export import write_export
from handlers.exports.kinds import EXPORT_KINDS
from handlers.exports.scope import staff_scope
from handlers.exports.writers import Format
from handlers.i18n import use_language
from handlers.partners.partnerships import confirm, propose
from storage.db import Database
from storage.erasure import erase_participant
from storage.models import (
    Address,
    Appointment,
    AuditEntry,
    Enrolment,
    Occurrence,
    Participant,
    ProgramSession,
    Referral,
    ReferralStatus,
    StaffRole,
)
from tests.helpers.participants import add_participant
from tests.helpers.staff.partners import StaffChat, add_org, add_staff

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # Tuesday 10.00 WIB
LAST_WEEK = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 25 November, 09.00 WIB
NEXT_WEEK = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
FORMULA_NAME = '=HYPERLINK("http://evil.example","klik")'
FORMULA_REASON = "=cmd|' /C calc'!A0"


@dataclass
class World:
    org_a: int
    org_b: int
    org_c: int
    admin_a: StaffChat
    caseworker_a: StaffChat
    caseworker_b: StaffChat
    partner_c: StaffChat  # a caseworker of the city office
    budi: int  # A's, referred to C for "Pelatihan Menjahit"
    formula: int  # A's, whose "name" a spreadsheet would run
    erased: int  # A's, erased their data
    dewi: int  # B's
    welding_past: int  # A's session last week
    welding_next: int  # A's session next week
    sewing: int  # C's referred program's session last week
    computers: int  # C's other program's session last week


async def _session(db: Database, program: int, starts: datetime, title: str | None) -> int:
    async with db.transaction() as tx:
        row = ProgramSession(
            program_id=program,
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            timezone="Asia/Jakarta",
            place="BLK Pekalongan, Jl. Sriwijaya 44",
            status="scheduled",
        )
        tx.add(row)
        await tx.flush()
        return row.id


async def _seat(db: Database, participant: int, session: int, **answers: object) -> None:
    async with db.transaction() as tx:
        tx.add(Enrolment(participant_id=participant, session_id=session, created_at=NOW, **answers))


async def world(db: Database, channel: str) -> World:
    org_a, (welding,) = await add_org(db, "Rutan Kelas IIA Pekalongan", programs=("Pelatihan Las",))
    org_b, (farming,) = await add_org(db, "Bapas Semarang", programs=("Pelatihan Tani",))
    org_c, (sewing, computers) = await add_org(
        db, "Dinas Sosial Kota Pekalongan", programs=("Pelatihan Menjahit", "Kelas Komputer")
    )
    admin_a = await add_staff(db, org_a, "Pak Harto", channel=channel, address="9001")
    caseworker_a = await add_staff(
        db, org_a, "Ibu Rina", role=StaffRole.CASEWORKER, channel=channel, address="9002"
    )
    caseworker_b = await add_staff(
        db, org_b, "Mas Dedi", role=StaffRole.CASEWORKER, channel=channel, address="9003"
    )
    partner_c = await add_staff(
        db, org_c, "Bu Wati", role=StaffRole.CASEWORKER, channel=channel, address="9004"
    )
    async with db.transaction() as tx:
        row = await propose(
            tx, organisation_id=org_a, partner_id=org_c, staff=None, channel="cli", now=NOW
        )
        await confirm(
            tx, partnership_id=row.id, organisation_id=org_c, staff=None, channel="cli", now=NOW
        )

    signed_up = datetime(2026, 11, 2, 1, 30, tzinfo=UTC)  # 08.30 WIB
    budi = await add_participant(
        db,
        "Budi Santoso",
        now=signed_up,
        city="Kota Pekalongan",
        phone="+6281234567890",
        category="former_inmate",
    )
    formula = await add_participant(db, FORMULA_NAME, now=signed_up, city="@SUM(A1:A9)")
    erased = await add_participant(
        db, "Agus Pratama", now=signed_up, city="Kota Pekalongan", phone="+6281299998888"
    )
    dewi = await add_participant(db, "Dewi Lestari", now=signed_up, city="Kota Semarang")
    async with db.transaction() as tx:
        for pid, org, caseworker in (
            (budi, org_a, caseworker_a.view.staff_id),
            (formula, org_a, None),
            (erased, org_a, caseworker_a.view.staff_id),
            (dewi, org_b, caseworker_b.view.staff_id),
        ):
            person = await tx.get(Participant, pid)
            assert person is not None
            person.organisation_id, person.caseworker_id = org, caseworker
            person.province = "Jawa Tengah"
            person.release_date = date(2026, 10, 30)
            tx.add(
                Address(
                    participant_id=pid,
                    channel="telegram",
                    value=f"7{pid:04d}",
                    last_inbound_at=datetime(2026, 11, 30, 12, 15, tzinfo=UTC),
                )
            )
        tx.add(
            Referral(
                participant_id=budi,
                organisation_id=org_a,
                partner_id=org_c,
                program_id=sewing,
                status=ReferralStatus.ACTIVE,
                created_at=NOW,
            )
        )

    welding_past = await _session(db, welding, LAST_WEEK, "Las Dasar")
    welding_next = await _session(db, welding, NEXT_WEEK, None)
    sewing_past = await _session(db, sewing, LAST_WEEK, None)
    computers_past = await _session(db, computers, LAST_WEEK, None)
    farming_past = await _session(db, farming, LAST_WEEK, None)
    answered = datetime(2026, 11, 24, 3, 5, tzinfo=UTC)  # 10.05 WIB the day before
    marked = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    await _seat(
        db, budi, welding_past, rsvp="yes", rsvp_at=answered, attendance="attended",
        attendance_at=marked,
    )  # fmt: skip
    await _seat(
        db, formula, welding_past, rsvp="reschedule", rsvp_at=answered,
        reschedule_reason=FORMULA_REASON, reschedule_days="mon,wed", attendance="absent",
        attendance_at=marked,
    )  # fmt: skip
    await _seat(
        db, erased, welding_past, rsvp="reschedule", rsvp_at=answered,
        reschedule_reason="anak saya sakit", reschedule_days="fri", attendance="attended",
        attendance_at=marked,
    )  # fmt: skip
    await _seat(db, budi, welding_next, rsvp="no", rsvp_at=NOW - timedelta(hours=1))
    await _seat(db, budi, sewing_past, rsvp="yes", rsvp_at=answered, attendance="attended")
    await _seat(db, budi, computers_past, rsvp="yes", rsvp_at=answered, attendance="absent")
    await _seat(db, dewi, farming_past, rsvp="yes", rsvp_at=answered, attendance="attended")
    async with db.transaction() as tx:
        appointment = Appointment(
            participant_id=budi,
            organisation_id=org_a,
            kind="counselling",
            starts_at=LAST_WEEK + timedelta(days=1),
            timezone="Asia/Jakarta",
            place="Ruang konseling Rutan",
        )
        tx.add(appointment)
        await tx.flush()
        tx.add(
            Occurrence(
                appointment_id=appointment.id,
                starts_at=LAST_WEEK + timedelta(days=1),
                attendance="attended",
                attendance_at=marked,
            )
        )
        person = await tx.get(Participant, erased)
        assert person is not None
        await erase_participant(tx, person, NOW - timedelta(hours=2))
    return World(
        org_a, org_b, org_c, admin_a, caseworker_a, caseworker_b, partner_c, budi, formula,
        erased, dewi, welding_past, welding_next, sewing_past, computers_past,
    )  # fmt: skip


def read_xlsx(content: bytes) -> Worksheet:
    """The first sheet of an XLSX file, as a spreadsheet program reads it."""
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert isinstance(sheet, Worksheet)
    return sheet


def xlsx_rows(sheet: Worksheet) -> list[list[object]]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def read_csv(content: bytes) -> list[dict[str, str]]:
    """A CSV file's rows by header; it must start with UTF-8's byte order mark."""
    assert content.startswith(b"\xef\xbb\xbf"), "no byte order mark: Excel would misread it"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


async def export_audit(db: Database) -> list[AuditEntry]:
    async with db.transaction() as tx:
        query = select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)
        return list((await tx.execute(query)).scalars())


async def export_as(
    db: Database, who: StaffChat, kind: str, format: str, *, now: datetime = NOW
) -> bytes:
    """The file `who` gets for `kind` in `format` (in Indonesian), as the chat makes it."""
    out = io.BytesIO()
    async with db.transaction() as tx:
        with use_language("id"):
            scope = await staff_scope(
                tx, who.view, channel=who.channel, now=now, default_timezone="Asia/Jakarta"
            )
            await write_export(tx, scope, EXPORT_KINDS[kind], Format(format), out)
    return out.getvalue()
