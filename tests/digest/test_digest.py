"""The morning digest, with a clock we control: what a caseworker reads, in which order, what
is not repeated the next day, whose people it names, and when it comes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from bot.inbox import Inbox
from handlers.outbox.delivery import prepare
from handlers.reminders.rules import ReminderPolicy
from handlers.types import Kind, Reply
from storage.db import Database
from storage.models import (
    AuditEntry,
    Enrolment,
    Participant,
    ScheduledStatus,
    Staff,
    StaffStatus,
)
from storage.outbox import claim_due
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.digest import (
    add_org,
    add_person,
    add_staff,
    digest_rows,
    plan,
    seat,
    session,
    utc,
)
from tests.helpers.reminders import Clock, dispatcher

LONG_AGO = utc(2026, 11, 1, 3, 0)
SUNDAY_EVENING = utc(2026, 11, 29, 13, 0)  # 20.00 WIB: the planner's run before Monday
MONDAY_7_WIB = utc(2026, 11, 30, 0, 0)
TUESDAY_7_WIB = utc(2026, 12, 1, 0, 0)
WEDNESDAY_7_WIB = utc(2026, 12, 2, 0, 0)


@dataclass
class Caseload:
    org: int
    budi: int  # the caseworker whose digest we read
    rina: int  # a colleague
    ids: dict[str, int]
    sessions: dict[str, int]


async def caseload(db: Database, channel: str = "telegram") -> Caseload:
    """Budi's people, each with something to report, plus a colleague's and another
    organisation's person who must never appear in Budi's digest."""
    org = await add_org(db, "Bapas Pekalongan")
    other = await add_org(db, "Bapas Semarang")
    budi = await add_staff(db, org, "Budi Santoso", address="9001", channel=channel)
    rina = await add_staff(db, org, "Rina Wulandari", address="9002", channel=channel)
    ids = {}
    for name, status in (
        ("Siti Aminah", "active"),
        ("Agus Pratama", "active"),
        ("Joko Susilo", "active"),
        ("Wati Lestari", "stopped"),
        ("Rudi Hartono", "unreachable"),
    ):
        ids[name.split()[0]] = await add_person(db, name, org, budi, now=LONG_AGO, status=status)
    ids["Nina"] = await add_person(db, "Nina Kartika", org, budi, now=SUNDAY_EVENING)
    ids["Ayu"] = await add_person(
        db, "Ayu Rahma", org, budi, now=LONG_AGO, status="preregistered", release=date(2026, 12, 2)
    )
    ids["Tono"] = await add_person(db, "Tono Wijaya", org, rina, now=LONG_AGO)  # Rina's
    # Another organisation's person, even one whose caseworker id points at Budi.
    ids["Dewi"] = await add_person(db, "Dewi Sartika", other, budi, now=LONG_AGO)

    friday = await session(db, org, "Konseling Kelompok", utc(2026, 11, 27, 2, 0), "Konseling")
    today = await session(db, org, "Pelatihan Las", utc(2026, 11, 30, 6, 0))  # 13.00 WIB
    tuesday = await session(db, org, "Pelatihan Las", utc(2026, 12, 1, 2, 0))  # 09.00 WIB
    wednesday = await session(db, org, "Pelatihan Las", utc(2026, 12, 2, 2, 0))
    answered = utc(2026, 11, 28, 3, 0)
    await seat(db, ids["Siti"], tuesday, rsvp="no", at=answered)
    await seat(db, ids["Agus"], wednesday, rsvp="reschedule", at=answered)
    await seat(db, ids["Joko"], friday, attendance="absent", at=utc(2026, 11, 27, 5, 0))
    await seat(db, ids["Siti"], today, rsvp="yes", at=answered)
    await seat(db, ids["Agus"], today)
    await seat(db, ids["Tono"], tuesday, rsvp="no", at=answered)
    await seat(db, ids["Dewi"], tuesday, rsvp="no", at=answered)
    await seat(db, ids["Dewi"], friday, attendance="absent", at=utc(2026, 11, 27, 5, 0))
    return Caseload(org, budi, rina, ids, {"today": today, "tuesday": tuesday, "friday": friday})


async def morning(db: Database, channel: CollectingChannel, at: Clock) -> dict[str, Reply]:
    """Send what is due at `at`; the digests by address."""
    channel.sent.clear()
    await dispatcher(db, channel, at).run_once()
    return dict(channel.sent)


def position(text: str, pid: int, name: str) -> int:
    marker = f"#{pid} {name}"
    assert marker in text, marker
    return text.index(marker)


@pytest.fixture(params=["telegram", "whatsapp"])
def channel(request: pytest.FixtureRequest) -> CollectingChannel:
    return CollectingChannel(name=str(request.param))


async def test_a_caseworker_reads_who_needs_them_most_urgent_first_and_only_their_people(
    db: Database, channel: CollectingChannel
) -> None:
    load = await caseload(db, channel.name)
    await plan(db, SUNDAY_EVENING)
    digests = await morning(db, channel, Clock(MONDAY_7_WIB))
    text = digests["9001"].text
    ids = load.ids
    order = [
        position(text, ids["Siti"], "Siti"),  # cannot come tomorrow
        position(text, ids["Agus"], "Agus"),  # asks for another date
        position(text, ids["Joko"], "Joko"),  # missed Friday
        text.index("Pelatihan Las: 1 Hadir · 0 Tidak bisa · 1 belum menjawab"),  # today's
        position(text, ids["Wati"], "Wati"),  # stopped messages
        position(text, ids["Rudi"], "Rudi"),  # unreachable
        position(text, ids["Nina"], "Nina"),  # new sign-up
        position(text, ids["Ayu"], "Ayu"),  # released Wednesday, code not claimed
    ]
    assert order == sorted(order)
    assert "tidak bisa datang ke Pelatihan Las" in text
    assert "minta jadwal lain untuk Pelatihan Las" in text
    assert "tidak datang ke Konseling Kelompok" in text
    assert "berhenti menerima pesan" in text
    assert "Ringkasan pagi Anda" in text
    for stranger in ("Tono", "Dewi"):  # a colleague's person; another organisation's
        assert stranger not in text
    buttons = digests["9001"].buttons
    assert (
        buttons[0].payload == f"staff:p:{ids['Siti']}"
        and buttons[0].title == f"#{ids['Siti']} Siti"
    )
    assert len(buttons) <= 10
    # Rina's digest names Tono, and nobody of Budi's.
    assert f"#{ids['Tono']} Tono" in digests["9002"].text
    assert "Siti" not in digests["9002"].text
    async with db.transaction() as tx:
        audits = list((await tx.execute(select(AuditEntry))).scalars())
    assert {(a.staff_id, a.action, a.channel) for a in audits} == {
        (load.budi, "search", channel.name),
        (load.rina, "search", channel.name),
    }


async def test_the_next_day_repeats_only_what_is_still_open(
    db: Database, channel: CollectingChannel
) -> None:
    load = await caseload(db, channel.name)
    ids = load.ids
    await plan(db, SUNDAY_EVENING)
    await morning(db, channel, Clock(MONDAY_7_WIB))
    # Monday: Joko misses today's session too; Siti's answer stays open, Agus's is dealt with.
    async with db.transaction() as tx:
        await tx.execute(
            update(Enrolment)
            .where(Enrolment.participant_id == ids["Agus"], Enrolment.rsvp == "reschedule")
            .values(handled_at=MONDAY_7_WIB, handled_by=load.budi)
        )
    await seat(
        db, ids["Joko"], load.sessions["today"], attendance="absent", at=utc(2026, 11, 30, 9)
    )
    await plan(db, utc(2026, 11, 30, 13, 0))
    text = (await morning(db, channel, Clock(TUESDAY_7_WIB)))["9001"].text
    assert f"#{ids['Siti']} Siti tidak bisa datang" in text  # still open
    assert f"#{ids['Ayu']} Ayu" in text  # still has not claimed the code
    assert f"#{ids['Joko']} Joko tidak datang ke Pelatihan Las" in text  # Monday's, new
    assert "Konseling Kelompok" not in text  # Friday's, told yesterday
    for told in ("Agus", "Wati", "Rudi", "Nina"):
        assert f"{told}" not in text, told


async def test_someone_who_stops_again_after_coming_back_is_news_again(
    db: Database, channel: CollectingChannel
) -> None:
    load = await caseload(db, channel.name)
    wati = load.ids["Wati"]
    await plan(db, SUNDAY_EVENING)
    await morning(db, channel, Clock(MONDAY_7_WIB))
    await _set_status(db, wati, "active")
    await plan(db, utc(2026, 11, 30, 13, 0))
    assert f"#{wati} Wati" not in (await morning(db, channel, Clock(TUESDAY_7_WIB)))["9001"].text
    await _set_status(db, wati, "stopped")
    await plan(db, utc(2026, 12, 1, 13, 0))
    assert f"#{wati} Wati" in (await morning(db, channel, Clock(WEDNESDAY_7_WIB)))["9001"].text


async def _set_status(db: Database, pid: int, status: str) -> None:
    async with db.transaction() as tx:
        participant = await tx.get(Participant, pid)
        assert participant is not None
        participant.status = status


async def test_each_caseworker_gets_theirs_at_seven_in_their_own_zone(db: Database) -> None:
    channel = CollectingChannel("telegram")
    org = await add_org(db, "Bapas Makassar")
    wita = await add_staff(db, org, "Andi", address="7001", zone="WITA")
    wit = await add_staff(db, org, "Yohanes", address="7002", zone="WIT")
    await add_person(db, "Maria Kaize", org, wit, now=utc(2026, 11, 29, 1, 0))
    await add_person(db, "Rahmat Daeng", org, wita, now=utc(2026, 11, 29, 1, 0))
    await plan(db, utc(2026, 11, 29, 12, 0))
    due = {(row.staff_id, row.due_at) for row in await digest_rows(db)}
    assert (wit, utc(2026, 11, 29, 22, 0)) in due  # Monday 07.00 WIT
    assert (wita, utc(2026, 11, 29, 23, 0)) in due  # Monday 07.00 WITA
    assert (await morning(db, channel, Clock(utc(2026, 11, 29, 21, 59)))) == {}
    first = await morning(db, channel, Clock(utc(2026, 11, 29, 22, 0)))
    assert list(first) == ["7002"] and "Maria" in first["7002"].text
    second = await morning(db, channel, Clock(utc(2026, 11, 29, 23, 0)))
    assert list(second) == ["7001"] and "Rahmat" in second["7001"].text


async def test_planning_twice_makes_one_row_a_day_and_a_restart_sends_it_once(
    db: Database,
) -> None:
    channel = CollectingChannel("telegram")
    await caseload(db)
    assert await plan(db, SUNDAY_EVENING) == 2  # two staff members' Monday digests
    assert await plan(db, SUNDAY_EVENING) == 0
    assert await plan(db, utc(2026, 11, 29, 14, 0)) == 0  # an hour later: nothing new
    rows = await digest_rows(db)
    assert sorted(r.key for r in rows) == sorted(
        f"digest:{s}:{d}" for s in {r.staff_id for r in rows} for d in ("2026-11-30",)
    )
    sent = await morning(db, channel, Clock(MONDAY_7_WIB))
    assert set(sent) == {"9001", "9002"}
    # A new process (a restart) finds nothing more to send this morning.
    assert await morning(db, channel, Clock(MONDAY_7_WIB + timedelta(minutes=5))) == {}
    assert await plan(db, MONDAY_7_WIB + timedelta(minutes=5)) == 2  # Tuesday's, no more
    monday = [r for r in await digest_rows(db) if r.key.endswith("2026-11-30")]
    assert [r.status for r in monday] == [ScheduledStatus.SENT, ScheduledStatus.SENT]


async def test_a_revoked_staff_member_gets_no_digest(db: Database) -> None:
    channel = CollectingChannel("telegram")
    load = await caseload(db)
    await plan(db, SUNDAY_EVENING)
    async with db.transaction() as tx:
        await tx.execute(
            update(Staff).where(Staff.id == load.budi).values(status=StaffStatus.REVOKED)
        )
    sent = await morning(db, channel, Clock(MONDAY_7_WIB))
    assert list(sent) == ["9002"]
    [budis] = [r for r in await digest_rows(db) if r.staff_id == load.budi and r.sent_at is None][
        :1
    ]
    assert budis.status == ScheduledStatus.SKIPPED
    assert await plan(db, utc(2026, 11, 30, 13, 0)) == 1  # Rina's Tuesday only


async def command(who: Person, args: str, at: datetime) -> list[Reply]:
    """/ringkasan typed at `at` (the clock the engine reads)."""
    text = f"/ringkasan {args}".strip()
    return await who.sends(Kind.COMMAND, text=text, command="ringkasan", args=args, received_at=at)


async def test_the_hour_can_change_and_the_digest_can_be_turned_off(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    load = await caseload(db, channel.name)
    await plan(db, SUNDAY_EVENING)
    budi = Person(inbox, channel, address="9001")
    [reply] = await command(budi, "jam 6", SUNDAY_EVENING)
    assert "pukul 06.00" in reply.text
    mine = [r for r in await digest_rows(db) if r.staff_id == load.budi]
    pending = [r for r in mine if r.status == ScheduledStatus.PENDING]
    assert [r.due_at for r in pending] == [utc(2026, 11, 29, 23, 0)]  # Monday 06.00 WIB
    [reply] = await command(budi, "mati", SUNDAY_EVENING)
    assert "mati" in reply.text.lower() or "tidak" in reply.text.lower()
    mine = [r for r in await digest_rows(db) if r.staff_id == load.budi]
    assert all(r.status == ScheduledStatus.CANCELLED for r in mine)
    assert await plan(db, SUNDAY_EVENING + timedelta(hours=1)) == 0
    sent = await morning(db, channel, Clock(MONDAY_7_WIB))
    assert list(sent) == ["9002"]
    [reply] = await command(budi, "nyala", utc(2026, 11, 30, 3, 0))  # 10.00: today's is over
    mine = [r for r in await digest_rows(db) if r.staff_id == load.budi]
    assert [r.due_at for r in mine if r.status == ScheduledStatus.PENDING] == [
        utc(2026, 11, 30, 23, 0)
    ]


async def test_a_quiet_day_is_one_line_or_nothing_as_chosen(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    org = await add_org(db, "Bapas Tegal")
    await add_staff(db, org, "Budi Santoso", address="9001", channel=channel.name)
    await add_staff(db, org, "Rina Wulandari", address="9002", channel=channel.name)
    await plan(db, SUNDAY_EVENING)
    rina = Person(inbox, channel, address="9002")
    await command(rina, "kosong diam", SUNDAY_EVENING)
    sent = await morning(db, channel, Clock(MONDAY_7_WIB))
    assert list(sent) == ["9001"]
    assert "tidak ada yang perlu dilaporkan" in sent["9001"].text
    assert sent["9001"].text.count("\n") == 0


async def test_an_admin_reads_counts_per_program_and_per_caseworker(db: Database) -> None:
    channel = CollectingChannel("telegram")
    load = await caseload(db)
    await add_staff(db, load.org, "Kepala Bapas", address="9009", role="admin")
    await plan(db, SUNDAY_EVENING)
    text = (await morning(db, channel, Clock(MONDAY_7_WIB)))["9009"].text
    assert "Ringkasan pagi organisasi" in text
    assert "Per pendamping" in text and "Per program" in text
    assert "8 orang perlu perhatian." in text  # Budi's seven and Rina's Tono
    assert "Budi Santoso: 7 · Rina Wulandari: 1" in text
    assert "Konseling: 1 · Las: 3" in text  # Joko's missed group; Siti, Agus and Tono
    assert "Dewi" not in text  # another organisation's


async def test_ringkasan_sends_it_now_and_a_button_opens_the_card(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    load = await caseload(db, channel.name)
    budi = Person(inbox, channel, address="9001")
    [digest] = await command(budi, "", MONDAY_7_WIB)
    siti = load.ids["Siti"]
    assert f"#{siti} Siti" in digest.text
    [card] = await budi.presses(digest.buttons[0].payload)
    assert "Siti Aminah" in card.text
    [again] = await command(
        budi, "", MONDAY_7_WIB + timedelta(minutes=1)
    )  # what was news is not told twice
    assert f"#{load.ids['Joko']} Joko" not in again.text
    assert f"#{siti} Siti" in again.text  # still open


async def test_a_long_caseload_fits_a_phone_five_lines_a_section_ten_buttons(
    db: Database, channel: CollectingChannel
) -> None:
    org = await add_org(db, "Bapas Pekalongan")
    budi = await add_staff(db, org, "Budi Santoso", address="9001", channel=channel.name)
    tuesday = await session(db, org, "Pelatihan Las", utc(2026, 12, 1, 2, 0))
    friday = await session(db, org, "Konseling Kelompok", utc(2026, 11, 27, 2, 0))
    cannot, missed, new = [], [], []
    for n in range(7):
        cannot.append(await add_person(db, f"Tidak{n} Bisa", org, budi, now=LONG_AGO))
        await seat(db, cannot[-1], tuesday, rsvp="no", at=utc(2026, 11, 28, 3, 0))
        missed.append(await add_person(db, f"Absen{n} Jumat", org, budi, now=LONG_AGO))
        await seat(db, missed[-1], friday, attendance="absent", at=utc(2026, 11, 27, 5, 0))
        new.append(await add_person(db, f"Baru{n} Daftar", org, budi, now=SUNDAY_EVENING))
    await plan(db, SUNDAY_EVENING)
    digest = (await morning(db, channel, Clock(MONDAY_7_WIB)))["9001"]
    assert digest.text.count("• ") == 5 * 3 + 1  # five a section, and the agenda's one line
    assert digest.text.count("… dan 2 lainnya") == 3
    assert [b.payload for b in digest.buttons] == [
        f"staff:p:{pid}" for pid in cannot[:5] + missed[:5]
    ]
    # What did not fit is told the next day; what was told is not.
    await plan(db, utc(2026, 11, 30, 13, 0))
    text = (await morning(db, channel, Clock(TUESDAY_7_WIB)))["9001"].text
    for pid in missed[5:] + new[5:]:
        assert f"#{pid} " in text
    for pid in missed[:5] + new[:5]:
        assert f"#{pid} " not in text


async def test_someone_who_stays_stopped_is_not_told_again_weeks_later(db: Database) -> None:
    channel = CollectingChannel("telegram")
    load = await caseload(db)
    await plan(db, SUNDAY_EVENING)
    await morning(db, channel, Clock(MONDAY_7_WIB))
    later = MONDAY_7_WIB + timedelta(days=20)
    await plan(db, later - timedelta(hours=11))  # the planner also forgets old reports
    text = (await morning(db, channel, Clock(later)))["9001"].text
    assert f"#{load.ids['Wati']} Wati" not in text  # still stopped: told on the first day
    assert f"#{load.ids['Siti']} Siti" not in text  # her session is long past


async def test_a_digest_rendered_by_a_process_that_died_before_sending_keeps_its_news(
    db: Database,
) -> None:
    """Rendering remembers what was told; if the process dies before the send, the row is due
    again after the lease and shows the same news (it reported them itself)."""
    channel = CollectingChannel("telegram")
    load = await caseload(db)
    await plan(db, SUNDAY_EVENING)
    async with db.transaction() as tx:
        claimed = await claim_due(tx, MONDAY_7_WIB, "doomed-worker", 10)
        rendered = await prepare(tx, claimed, MONDAY_7_WIB, ReminderPolicy(), {"telegram"})
    assert len(rendered) == 2  # rendered and committed; the process dies before sending
    sent = await morning(db, channel, Clock(MONDAY_7_WIB + timedelta(minutes=6)))
    assert f"#{load.ids['Joko']} Joko tidak datang" in sent["9001"].text
    assert f"#{load.ids['Nina']} Nina" in sent["9001"].text
    assert await morning(db, channel, Clock(MONDAY_7_WIB + timedelta(minutes=20))) == {}
