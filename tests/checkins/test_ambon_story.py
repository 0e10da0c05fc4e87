"""The whole story, as it will be judged, on WhatsApp through signed webhooks and the fake Graph
API: Yusuf in Ambon, released three days before, gets his check-in at 16.00 WIT (he chose
afternoons); he answers "1", "gak ada tempat tinggal" and a voice note; his caseworker Budi is
alerted at once with all of it, outside his 24 hours as the alert template, and plays the voice
note from the card; nobody takes the alert on, so four hours later it goes to the admin; it stays
open until Budi resolves it; the digest and the export show it. Maria never answers: one nudge per
check-in, then "tidak merespons". The month's report adds up.

The planner and the outbox run hour by hour on a clock we set (as the scheduler runs them every
hour); the conversation runs on the real `pendamping run`."""

from __future__ import annotations

import asyncio
import io
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from handlers.checkins.planning import plan_all_checkins
from storage.checkins.answers import unresponsive
from storage.db import Database
from storage.models import Checkin, Flag, FlagStatus, ScheduledStatus
from tests.fakes.whatsapp.webhooks import media
from tests.helpers.ambon import (
    BUDI,
    LONG_SILENT,
    MARIA,
    POLICY,
    RINA,
    WIT,
    YUSUF,
    checkin_rows,
    hour_by_hour,
    outbox_on_a_clock,
    seed,
    wit,
)
from tests.helpers.cli import run_command
from tests.helpers.exports import read_xlsx, xlsx_rows
from tests.helpers.reminders import Clock
from tests.helpers.whatsapp.bot import (
    Phone,
    arrives,
    graph_api,
    is_template,
    running_bot,
    template_text,
    titles,
    whatsapp_settings,
)

VOICE = b"OggS\x00\x02" + bytes(range(240))  # Yusuf's voice note, as his phone recorded it


def sections(content: bytes) -> dict[str, list[tuple[object, object]]]:
    """The report's blocks: each header (the first cell of a block) with its rows below it."""
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    blocks: dict[str, list[tuple[object, object]]] = {}
    header: str | None = None
    for row in sheet.iter_rows(values_only=True):
        if not row or row[0] is None:
            header = None
        elif header is None:
            header = str(row[0])
            blocks[header] = []
        else:
            blocks[header].append((row[0], row[1]))
    return blocks


async def flags_of(database_url: str, pid: int) -> list[Flag]:
    db = Database(database_url)
    async with db.transaction() as tx:
        found = (await tx.execute(select(Flag).where(Flag.participant_id == pid))).scalars()
        flags = list(found)
    await db.dispose()
    return flags


async def test_the_ambon_story(database_url: str, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    w = await seed(database_url, now)
    async with graph_api() as fake:
        for user in (YUSUF, MARIA, BUDI, RINA):
            fake.person_wrote(user.phone or "", time.time() - LONG_SILENT.total_seconds())

        # 1. The check-in comes at his time of day, in his zone: 16.00 WIT, not before.
        clock = Clock(wit(w.checkin_day, 7))
        async with outbox_on_a_clock(database_url, fake, clock) as outbox:
            async with outbox.db.transaction() as tx:
                await plan_all_checkins(tx, clock.now, POLICY)
            [his_day_3, *_his_later] = await checkin_rows(database_url, w.yusuf)
            [her_day_3, *_her_later] = await checkin_rows(database_url, w.maria)
            assert his_day_3.due_at == wit(w.checkin_day, 16)  # afternoons
            assert her_day_3.due_at == wit(w.checkin_day, 8)  # mornings
            await hour_by_hour(outbox, clock, wit(w.checkin_day, 15))
            assert fake.messages_to(YUSUF.phone or "") == []
            assert len(fake.messages_to(MARIA.phone or "")) == 1
            await hour_by_hour(outbox, clock, wit(w.checkin_day, 16))
        [prompt] = fake.messages_to(YUSUF.phone or "")
        assert prompt.message["template"]["name"] == "pendamping_kabar"  # his 24 hours are over
        assert titles(prompt) == ["Mulai"]

        settings = whatsapp_settings(fake, database_url, media_dir=str(tmp_path / "media"))
        async with running_bot(settings, fake) as bot:
            # 2. He answers "1", "gak ada tempat tinggal" and a voice note.
            yusuf = Phone(bot, YUSUF, seen=1)
            await yusuf.taps_on(prompt, "Mulai")
            await yusuf.says("1")
            await yusuf.says("lagi cari kerja")
            await yusuf.says("gak ada tempat tinggal")
            await yusuf.taps("Tempat tinggal")
            await yusuf.taps("Selesai")
            await yusuf.taps("Ya, hubungi saya")
            voice = fake.media.person_sent(VOICE, "audio/ogg; codecs=opus")
            [thanks] = await yusuf.sends(media(YUSUF, "audio", voice=True, media_id=voice))
            assert "Pendamping Anda akan segera menghubungi Anda" in thanks.text
            assert "0911-123456" in thanks.text  # the office's number, for now

            # 3. Budi is alerted at once (the wait fails after 10 s), on his lock screen.
            alert = await arrives(fake, BUDI.phone or "", is_template("pendamping_peringatan"))
            lock_screen = template_text(alert)
            assert lock_screen.startswith(f"Peringatan: Yusuf Latuconsina (#{w.yusuf})")
            assert "sangat buruk" in lock_screen and "tempat tinggal" in lock_screen
            budi = Phone(bot, BUDI)
            budi.seen = len(budi.inbox)  # the alert (and his morning digest, at 07.00 WIT)
            [shown] = await budi.taps_on(alert, "Buka")
            for answer in (
                "Suasana hati: 😞 Sangat buruk",
                "Kegiatan: Mencari kerja",
                "Tempat tinggal aman: Tidak",
                "Bantuan yang diminta: Tempat tinggal",
                "Ingin dihubungi: Ya",
                "Mengirim pesan suara: buka dari kartunya.",
            ):
                assert answer in shown.text

            # 4. He plays the voice note from the card: the very bytes Yusuf recorded.
            await _kept(bot.db, w.yusuf)
            await budi.taps("Lihat kartu")
            audio, caption = await budi.taps("Dengar/lihat kabar")
            assert audio.kind == "audio" and caption.text.startswith("Kabar ")
            assert fake.media.files[audio.message["audio"]["id"]].content == VOICE

            # 5. Nobody took it on: four hours later the admin gets it, still open.
            later = Clock(datetime.now(UTC) + timedelta(hours=4, minutes=1))
            async with outbox_on_a_clock(database_url, fake, later) as outbox:
                await outbox.run_once()
            [escalated] = [  # (her morning digest may be due by then too)
                m for m in fake.messages_to(RINA.phone or "")
                if m.kind == "template" and m.message["template"]["name"] == "pendamping_peringatan"
            ]  # fmt: skip
            assert "Sudah 4 jam belum ada yang menangani" in template_text(escalated)
            flags = await flags_of(database_url, w.yusuf)
            assert sorted(f.reason for f in flags) == ["low_mood", "no_home", "wants_contact"]
            assert all(f.status == FlagStatus.OPEN for f in flags)

            # 6. The digest opens with it, and the export has his answers and the voice note.
            digest = "\n".join(r.text for r in await budi.says("/ringkasan"))
            open_alerts = digest.split("Peringatan terbuka", 1)[1].split("\n\n", 1)[0]
            assert (
                f"#{w.yusuf} Yusuf: merasa sangat buruk, tidak punya tempat tinggal" in open_alerts
            )
            export = tmp_path / "kabar.xlsx"
            code, _out, _err = await run_command(
                database_url, f"export checkins --org {w.org} --output {export}"
            )
            assert code == 0
            header, *rows = xlsx_rows(read_xlsx(export.read_bytes()))
            [his] = [dict(zip(header, row, strict=True)) for row in rows if row[0] == w.yusuf]
            assert his["Nama"] == "Yusuf Latuconsina" and his["Status kabar"] == "Lengkap"
            assert (his["Perasaan (1-5)"], his["Tempat tinggal aman"]) == (1, "Tidak")
            assert his["Pesan suara/foto"] == "Pesan suara"

            # 7. Budi resolves it from the alert: closed, and gone from the next digest.
            await budi.taps("Selesai")
            await budi.taps("Sudah dihubungi")
            flags = await flags_of(database_url, w.yusuf)
            assert all(f.status == FlagStatus.RESOLVED for f in flags)
            assert all(f.outcome == "contacted" and f.resolved_by_id == w.budi for f in flags)
            digest = "\n".join(r.text for r in await budi.says("/ringkasan"))
            assert "Peringatan terbuka" not in digest

        # 8. Maria never answers: one nudge per check-in, then "tidak merespons".
        clock = Clock(wit(w.checkin_day, 16))
        async with outbox_on_a_clock(database_url, fake, clock) as outbox:
            await hour_by_hour(outbox, clock, wit(w.checkin_day + timedelta(days=7), 12))
            async with outbox.db.transaction() as tx:
                assert await unresponsive(tx, [w.yusuf, w.maria]) == {w.maria}
        hers = [
            (row.kind, row.status) for row in await checkin_rows(database_url, w.maria)
            if row.due_at <= clock.now
        ]  # fmt: skip
        sent = ScheduledStatus.SENT
        assert hers == [
            ("checkin", sent), ("checkin_nudge", sent), ("checkin", sent), ("checkin_nudge", sent)
        ]  # fmt: skip
        assert len(fake.messages_to(MARIA.phone or "")) == 4

    # 9. The month's report adds up.
    month = w.checkin_day.strftime("%Y-%m")
    report = tmp_path / "laporan.xlsx"
    code, _out, _err = await run_command(
        database_url, f"report --month {month} --org {w.org} --output {report}"
    )
    assert code == 0
    blocks = sections(report.read_bytes())
    figures = dict(blocks["Kabar peserta"])
    asked, full, part, unanswered = (
        int(str(figures[label]))
        for label in ("Kabar yang diminta", "Dijawab lengkap", "Dijawab sebagian", "Tidak dijawab")
    )
    assert (full, part) == (1, 0)  # Yusuf's
    assert asked == full + part + unanswered == await _checkins_in(database_url, month)
    assert figures["Tingkat jawaban"] == full / asked
    housing = dict(blocks["Tempat tinggal aman (kabar yang dijawab)"])
    assert housing["Tidak"] == 1 and sum(int(str(n)) for n in housing.values()) == full
    [(first_help, count), *_rest] = blocks["Bantuan yang diminta, terbanyak dulu"]
    assert (first_help, count) == ("Tempat tinggal", 1)
    assert dict(blocks["Peserta"])["Peserta aktif"] == 2


async def _kept(db: Database, pid: int) -> None:
    """Until the media job has kept his voice note (it is woken by the check-in)."""
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        async with db.transaction() as tx:
            query = select(Checkin.media_stored).where(Checkin.participant_id == pid)
            if any((await tx.execute(query)).scalars()):
                return
        assert asyncio.get_running_loop().time() < deadline, "the voice note was not kept"
        await asyncio.sleep(0.05)


async def _checkins_in(database_url: str, month: str) -> int:
    """Check-ins asked in `month` (started then, in WIT), counted from the rows themselves."""
    db = Database(database_url)
    async with db.transaction() as tx:
        starts = list((await tx.execute(select(Checkin.started_at))).scalars())
    await db.dispose()
    return sum(1 for start in starts if start.astimezone(WIT).strftime("%Y-%m") == month)
