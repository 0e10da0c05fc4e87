"""The weekly digest: the figures behind the chart (8 weeks in the reader's zone; a caseworker's
own people, an admin's organisation), the chart itself a phone-sized PNG, and its planning:
one row per staff member per ISO week, idempotent, restart-safe."""

from __future__ import annotations

import struct
from datetime import date, timedelta

from sqlalchemy import select

from handlers.i18n import use_language
from handlers.reports.chart import draw_weekly
from handlers.reports.planning import plan_weekly
from handlers.reports.weekly import weekly_figures, weekly_text
from storage.db import Database
from storage.models import OutboxKind, ScheduledMessage, Staff
from tests.helpers.reports import NOW, seeded_month

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(content: bytes) -> tuple[int, int]:
    assert content.startswith(PNG_SIGNATURE)
    assert content[12:16] == b"IHDR"
    width, height = struct.unpack(">II", content[16:24])
    return width, height


async def test_an_admins_figures_are_the_organisations_week_by_week(db: Database) -> None:
    w = await seeded_month(db)
    async with db.transaction() as tx:
        admin = await tx.get(Staff, w.admin_a.view.staff_id)
        assert admin is not None
        figures = await weekly_figures(tx, admin, NOW)

    assert [week.monday for week in figures.weeks] == [
        date(2026, 10, 5) + timedelta(weeks=n) for n in range(8)
    ]
    by_week = {w.monday: (w.asked, w.answered, w.mood) for w in figures.weeks}
    assert by_week[date(2026, 10, 26)] == (1, 1, 3.0)  # 1 November 01.00 WIB is a Sunday
    assert by_week[date(2026, 11, 2)] == (2, 2, 4.5)
    assert by_week[date(2026, 11, 9)] == (1, 1, 2.0)
    assert by_week[date(2026, 11, 16)] == (1, 0, None)  # the prompt nobody answered
    assert by_week[date(2026, 11, 23)] == (0, 0, None)  # not December's (this week's) answer
    assert sum(w.asked for w in figures.weeks) == 5  # Bapas B's never
    assert [(p.name, p.attended, p.absent) for p in figures.attendance] == [
        ("Kelas Menjahit", 0, 1),
        ("Pelatihan Las", 3, 1),  # October's session too
    ]
    with use_language("id"):
        text = weekly_text(figures)
    assert "seluruh lembaga" in text and "Minggu lalu tidak ada kabar" in text
    assert "Kehadiran 8 minggu: 3 dari 5 (60%)" in text


async def test_a_caseworkers_figures_are_of_their_own_people_only(db: Database) -> None:
    w = await seeded_month(db)
    async with db.transaction() as tx:
        caseworker = await tx.get(Staff, w.caseworker_a.view.staff_id)
        assert caseworker is not None
        figures = await weekly_figures(tx, caseworker, NOW)
    by_week = {w.monday: (w.asked, w.answered, w.mood) for w in figures.weeks}
    assert by_week[date(2026, 11, 2)] == (2, 2, 4.5)  # Budi and Joko
    assert by_week[date(2026, 11, 9)] == (0, 0, None)  # Sari is nobody's
    assert by_week[date(2026, 11, 16)] == (0, 0, None)
    assert [(p.name, p.attended, p.absent) for p in figures.attendance] == [
        ("Kelas Menjahit", 0, 1),
        ("Pelatihan Las", 3, 0),  # not Sari's absence
    ]


async def test_the_chart_is_a_phone_sized_png(db: Database) -> None:
    w = await seeded_month(db)
    async with db.transaction() as tx:
        admin = await tx.get(Staff, w.admin_a.view.staff_id)
        assert admin is not None
        figures = await weekly_figures(tx, admin, NOW)
    with use_language("id"):
        content = draw_weekly(figures)
    width, height = png_size(content)
    assert (width, height) == (720, 960)  # upright, fills a phone's width
    assert 10_000 < len(content) < 1_000_000


async def test_weekly_rows_are_planned_once_per_week_whenever_the_planner_runs(
    db: Database,
) -> None:
    w = await seeded_month(db)
    async with db.transaction() as tx:
        first = await plan_weekly(tx, NOW)
    async with db.transaction() as tx:
        again = await plan_weekly(tx, NOW + timedelta(hours=1))  # the next hourly run
    async with db.transaction() as tx:  # after a restart, on Monday 06.30 WIB
        monday = await plan_weekly(tx, NOW + timedelta(days=5, hours=20, minutes=30))
        rows = list(
            (
                await tx.execute(
                    select(ScheduledMessage).where(ScheduledMessage.kind == OutboxKind.WEEKLY)
                )
            ).scalars()
        )
    assert (first, again) == (2, 0)  # this Monday's hour is past: next Monday's, both staff
    assert monday == 2  # and the Monday after that, once
    keys = sorted(row.key for row in rows)
    admin, caseworker = w.admin_a.view.staff_id, w.caseworker_a.view.staff_id
    assert keys == sorted(
        f"weekly:{staff}:{week}"
        for staff in (admin, caseworker)
        for week in ("2026-W50", "2026-W51")
    )
    due = {row.key: row.due_at for row in rows}
    assert due[f"weekly:{admin}:2026-W50"] == NOW + timedelta(days=5, hours=21)  # 07.00 WIB
