"""Words a person reads: one phone screen, promises the bot keeps, plain and consistent Indonesian."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, time, timedelta

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from bot.inbox import Inbox
from handlers.i18n import LOCALES, use_language
from handlers.participants.labels import CONTACT_HOURS, CONTACT_TIMES
from handlers.programs.refs import EventRef
from handlers.reminders import text as reminder_text
from handlers.reminders.rules import QuietHours
from handlers.text import BUTTON_TITLE_MAX
from storage.db import Database
from storage.models import Enrolment, Participant
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.reminders import (
    NOW,
    Clock,
    dispatcher,
    enrol_person,
    local,
    make_session,
    participant_id,
    register,
)

ONE_SCREEN = 350  # characters a mid-range Android phone shows without scrolling


def visible(text: str) -> str:
    """What the person sees: HTML tags gone, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


async def test_consent_fits_one_screen_and_says_plainly_which_sensitive_facts_are_kept(
    person: Person,
) -> None:
    consent = (await person.says("halo"))[-1].text
    assert len(visible(consent)) <= ONE_SCREEN, len(visible(consent))
    assert "pernah dipenjara" in consent and "klien Bapas" in consent
    assert "kategori" not in consent.lower()
    assert "/hapus" in consent and "Apakah Anda setuju?" in consent


TRAINING = reminder_text.Event(
    ref=EventRef.session(1), title="Pelatihan Menjahit Dasar", starts_at=datetime(2026, 12, 2, 2, 0, tzinfo=UTC),
    place="BLK Kota Pekalongan, Jl. Sriwijaya No. 44", map_url=None,
    bring="KTP, fotokopi KK dan alat tulis", contact="Bu Rina 0812-1111-2222", reporting=False,
    seats_limited=True,
)  # fmt: skip
REPORTING = reminder_text.Event(
    ref=EventRef.occurrence(1), title="Wajib lapor bulanan", starts_at=datetime(2026, 12, 2, 2, 0, tzinfo=UTC),
    place="Bapas Kelas II Ambon, Jl. Dr. Kayadoe No. 12", map_url=None,
    bring="Kartu klien dan KTP", contact="Pak Yusuf 0812-3333-4444", reporting=True,
)  # fmt: skip


@pytest.mark.parametrize(
    ("event", "discreet"),
    [(TRAINING, False), (TRAINING, True), (REPORTING, False), (REPORTING, True)],
)
def test_a_full_reminder_fits_one_screen_and_says_what_to_do_once(
    event: reminder_text.Event, discreet: bool
) -> None:
    person = Participant(timezone="Asia/Jakarta", discreet=discreet, language="id")
    day_before = event.starts_at - timedelta(days=1)
    with use_language("id"):
        text = visible(reminder_text.reminder(event, person, day_before).text)
        ahead = [
            reminder_text.PlannedReminder(1440, day_before),
            reminder_text.PlannedReminder(120, event.starts_at - timedelta(hours=2)),
        ]
        booked = visible(
            reminder_text.confirmation(event, person, NOW - timedelta(days=2), ahead).text
        )
    assert len(text) <= ONE_SCREEN, (len(text), text)
    assert len(booked) <= ONE_SCREEN, (len(booked), booked)
    assert "Besok, Rabu, 2 Desember 2026 pukul 09.00 WIB" in text
    assert "Jam berapa Anda berangkat agar tiba sebelum 09.00?" in text  # the plan-making prompt
    assert text.lower().count("tidak bisa datang") == 1, text
    assert "0812-" in text  # whom to call
    if not discreet:
        assert event.place in text and f"Bawa: {event.bring}" in text


async def _confirmation_text(
    db: Database, channel: CollectingChannel, inbox: Inbox, starts: datetime, **tx: object
) -> str:
    await register(Person(inbox, channel, address="11"), "kota pekalongan")
    sid = await make_session(db, starts_local=starts, **tx)  # type: ignore[arg-type]
    await enrol_person(db, await participant_id(db, "11"), sid, NOW)
    channel.sent.clear()
    assert await dispatcher(db, channel, Clock(NOW)).run_once() == 1
    return channel.sent[0][1].text


@pytest.mark.parametrize(
    ("starts", "offsets", "promise"),
    [
        # Friday: the session's own offsets, three days and one hour before
        (
            (2026, 12, 4, 9, 0),
            [3 * 1440, 60],
            "dikirim 3 hari sebelumnya dan satu jam sebelum mulai.",
        ),
        # Tomorrow 08.00: the day-before reminder (today 08.00) is already past
        ((2026, 12, 1, 8, 0), None, "Pengingat akan dikirim 2 jam sebelum mulai."),
        # Wednesday 07.00: two hours before is 05.00, in quiet hours, so it goes the evening before
        ((2026, 12, 2, 7, 0), None, "Pengingat akan dikirim sehari sebelumnya."),
        # Wednesday 09.00: the usual
        ((2026, 12, 2, 9, 0), None, "dikirim sehari sebelumnya dan 2 jam sebelum mulai."),
    ],
)
async def test_a_confirmation_promises_the_reminders_really_planned(
    db: Database,
    inbox: Inbox,
    channel: CollectingChannel,
    starts: tuple[int, ...],
    offsets: list[int] | None,
    promise: str,
) -> None:
    text = await _confirmation_text(
        db, channel, inbox, local("Asia/Jakarta", *starts), offsets=offsets
    )
    assert promise in text, text
    assert text.count("Pengingat akan dikirim") == 1


async def test_a_confirmation_promises_no_reminder_when_none_is_left(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    text = await _confirmation_text(db, channel, inbox, local("Asia/Jakarta", 2026, 11, 30, 10, 30))
    assert "Anda terdaftar" in text
    assert "Pengingat" not in text and "mengingatkan" not in text


@pytest.mark.parametrize(("capacity", "seat_promised"), [(None, False), (12, True)])
async def test_only_a_session_with_a_seat_limit_promises_a_seat(
    db: Database,
    inbox: Inbox,
    channel: CollectingChannel,
    capacity: int | None,
    seat_promised: bool,
) -> None:
    booked = await _confirmation_text(
        db, channel, inbox, local("Asia/Jakarta", 2026, 12, 2, 9, 0), capacity=capacity
    )
    channel.sent.clear()
    await dispatcher(db, channel, Clock(local("Asia/Jakarta", 2026, 12, 1, 9, 0))).run_once()
    reminder = channel.sent[0][1].text
    for text in (booked, reminder):
        assert ("Tempat Anda sudah disiapkan" in text) == seat_promised, text
        assert text.lower().count("tidak bisa datang") == 1, text


async def test_a_time_inside_a_sentence_is_written_in_lower_case(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    siti = Person(inbox, channel, address="11")
    await register(siti, "kota pekalongan")
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    sid = await make_session(db, starts_local=tomorrow)
    await enrol_person(db, await participant_id(db, "11"), sid, datetime.now(UTC))
    replies = await siti.presses(f"rsvp:s{sid}:yes")
    assert "Terima kasih! Sampai jumpa besok, " in replies[-1].text
    await siti.says("/bahasa")
    await siti.presses("lang:en")
    replies = await siti.presses(f"rsvp:s{sid}:yes")
    assert "See you tomorrow, " in replies[-1].text


async def test_a_follow_up_sent_the_morning_after_says_yesterday(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    from handlers.programs.changes import mark_attendance
    from handlers.reminders.rules import ReminderPolicy
    from storage.models import ProgramSession

    await register(Person(inbox, channel, address="11"), "kota pekalongan")
    pid = await participant_id(db, "11")
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 11, 30, 13, 0))
    await enrol_person(db, pid, sid, NOW, confirm=False)
    late = local("Asia/Jakarta", 2026, 11, 30, 22, 0)  # attendance taken late: quiet hours
    async with db.transaction() as tx:
        event, person = await tx.get(ProgramSession, sid), await tx.get(Participant, pid)
        assert event is not None and person is not None
        await mark_attendance(tx, event, person, False, late, ReminderPolicy())
    channel.sent.clear()
    morning = local("Asia/Jakarta", 2026, 12, 1, 6, 0)
    assert await dispatcher(db, channel, Clock(morning)).run_once() == 1
    text = channel.sent[0][1].text
    assert text.startswith("Kami tidak melihat Anda kemarin di <b>Pelatihan Las Dasar</b>.")
    assert "kehilangan" not in text


def _indonesian() -> list[tuple[str, str]]:
    with (LOCALES / "id" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="id")
    pairs = [(m.id, m.string) for m in catalog if m.id and isinstance(m.id, str)]
    assert len(pairs) > 100, "the checks below would pass on an empty catalog"
    return pairs


@pytest.mark.parametrize(
    "word",
    [
        "warga binaan",  # official jargon: "mantan narapidana"
        "penyuluhan hukum",  # what the person receives is "bantuan hukum"
        "lapor diri",  # one word for mandatory reporting: "wajib lapor"
        "keluarga/pendamping",  # "pendamping" is the caseworker
        "pesan bebas",
        "kehilangan anda",  # reads as bereavement
        "pengingat rahasia",  # one name for discreet mode: "mode rahasia"
        "kamu",  # always "Anda"
    ],
)
def test_the_indonesian_catalog_avoids_jargon_and_second_names(word: str) -> None:
    found = [text for _id, text in _indonesian() if word in text.lower()]
    assert found == []


def test_indonesian_says_anda_with_a_capital_and_has_no_english_semicolons() -> None:
    for _id, text in _indonesian():
        assert re.search(r"\banda\b", text) is None, text
        assert ";" not in text, text


@pytest.mark.parametrize(
    "fragment",
    ["today, {when}", "tomorrow, {when}", "the day before", "on the day", "a week before"],
)
def test_fragments_placed_inside_a_sentence_start_in_lower_case(fragment: str) -> None:
    translations = dict(_indonesian())
    assert translations[fragment][:1].islower(), translations[fragment]


async def test_evening_is_a_contact_time_and_ends_before_the_quiet_hours(
    person: Person, db: Database
) -> None:
    for text in ("halo", "setuju", "ya", "remaja", "kota ambon", "ya", "lewati", "pelatihan"):
        await person.says(text)
    replies = await person.says("malam")
    assert "rahasia" in replies[-1].text  # on to the next question
    async with db.transaction() as tx:
        saved = (await tx.execute(select(Participant))).scalar_one()
    assert saved.contact_time == "evening"
    assert set(CONTACT_HOURS) == set(CONTACT_TIMES)
    quiet = QuietHours()
    for start, end in CONTACT_HOURS.values():
        assert not any(quiet.contains(time(hour)) for hour in range(start, end))


async def test_sunday_can_be_chosen_for_a_new_date(db: Database, person: Person) -> None:
    await register(person, "kota pekalongan")
    sid = await make_session(db, starts_local=local("Asia/Jakarta", 2026, 12, 22, 9, 0))
    pid = await participant_id(db, person.address)
    await enrol_person(db, pid, sid, NOW)
    await person.presses(f"rsvp:s{sid}:later")
    replies = await person.presses("reason:skip")
    titles = [b.title for b in replies[-1].buttons]
    assert "Minggu" in titles and all(len(t) <= BUTTON_TITLE_MAX for t in titles)
    await person.says("sabtu dan minggu")
    async with db.transaction() as tx:
        query = select(Enrolment).where(Enrolment.participant_id == pid)
        saved = (await tx.execute(query)).scalar_one()
    assert saved.reschedule_days == "sat,sun"


async def test_joining_an_open_session_promises_the_reminders_really_planned(
    db: Database, person: Person
) -> None:
    await register(person, "kota pekalongan")
    day = (datetime.now(UTC) + timedelta(days=2)).astimezone(
        local("Asia/Jakarta", 2026, 1, 1).tzinfo
    )
    sid = await make_session(
        db, starts_local=day.replace(hour=9, minute=0, second=0, microsecond=0),
        offsets=[3 * 1440, 120], open_=True, city_key="kota-pekalongan",
    )  # fmt: skip
    replies = await person.presses(f"join:s{sid}")
    assert "Anda terdaftar" in replies[0].text
    # three days before is already past: the session is less than two and a half days away
    assert "Pengingat akan dikirim 2 jam sebelum mulai." in replies[0].text
    assert "sehari sebelumnya" not in replies[0].text
