"""Discreet mode: on by default for former inmates and Bapas clients, and no pushed message of any
kind names prison, probation or the courts on a lock screen."""

from __future__ import annotations

import logging
from datetime import UTC

import pytest
from sqlalchemy import select

from bot.inbox import Inbox
from handlers.programs.appointments import add_appointment, cancel_appointment
from handlers.programs.changes import cancel_session, mark_attendance, move_session, withdraw
from handlers.reminders.discretion import SENSITIVE, is_sensitive
from handlers.reminders.planning import enrol
from handlers.reminders.rules import ReminderPolicy
from storage.db import Database
from storage.models import (
    Appointment,
    Organisation,
    Participant,
    Program,
    ProgramSession,
    ScheduledMessage,
)
from storage.programs import enrolment_of
from tests.fakes.channel import CollectingChannel, Person
from tests.helpers.reminders import NOW, Clock, dispatcher, local, participant_id, register

POLICY = ReminderPolicy()
ZONE = "Asia/Jayapura"


@pytest.mark.parametrize(
    "text",
    [
        "Bapas Kelas II Ambon",
        "BAPAS",
        "Lapas Kelas IIA Ambon",
        "Rutan Pekalongan",
        "LPKA Ambon",
        "Ketemu PK Anda",
        "Pembimbing  Kemasyarakatan",
        "Wajib  Lapor",
        "wajib-lapor mingguan",
        "Lapor diri",
        "Kartu klien",
        "kliennya",
        "Pembinaan WBP",
        "mantan narapidana",
        "eks napi",
        "Tes urin BNN",
        "penyuluhan narkoba",
        "Rehabilitasi",
        "Program PB",
        "pembebasan bersyarat",
        "Bebas Bersyarat",
        "asimilasi",
        "Remisi 17 Agustus",
        "Pengadilan Negeri Serang",
        "Kejaksaan Negeri",
        "jadwal sidang",
        "persidangan",
        "Kemenkumham",
        "Kementerian Imigrasi dan Pemasyarakatan",
        "Kemenimipas",
        "Ditjenpas",
        "Kanwil Maluku",
        "Polresta Pekalongan",
        "Kantor Polisi",
        "LP Cipinang",
        "Kementerian Hukum",
        "Kanwil Kemenkum Maluku",
    ],
)
def test_words_that_reveal_the_justice_system_are_sensitive(text: str) -> None:
    assert is_sensitive(text)


@pytest.mark.parametrize(
    "text",
    [
        "Pelatihan Las Dasar",
        "BLK Pekalongan, Jl. Sriwijaya 44",
        "Pak Napiun",  # "napi" only as a word
        "berutang",  # "rutan" only as a word
        "Klinik Sehat",
        "Pukul 09.00",
        "KTP dan alat tulis",
        "Kemnaker",  # job training is no secret
        "Bu Rina 0812-1111-2222",
    ],
)
def test_ordinary_words_are_not_sensitive(text: str) -> None:
    assert not is_sensitive(text)


async def _bapas_program(db: Database) -> tuple[int, int, int, int]:
    """Wajib lapor at Bapas Kelas II Ambon: three sessions (Wednesday, with one seat; Thursday;
    the next Monday). Returns their ids and the organisation's."""
    async with db.transaction() as tx:
        org = Organisation(name="Bapas Kelas II Ambon", kind="bapas", timezone=ZONE)
        tx.add(org)
        await tx.flush()
        program = Program(organisation_id=org.id, name="Wajib Lapor Klien PB", kind="reporting")
        tx.add(program)
        await tx.flush()
        ids = []
        for day, capacity in ((2, 1), (3, None), (7, None)):
            start = local(ZONE, 2026, 12, day, 9, 0)
            event = ProgramSession(
                program_id=program.id, title=None, starts_at=start.astimezone(UTC),
                ends_at=start.replace(hour=11).astimezone(UTC), timezone=ZONE,
                place="Bapas Kelas II Ambon, Jl. Dr. Kayadoe", bring="Kartu klien Bapas",
                contact="PK Budi 0812-3333-4444", capacity=capacity, status="scheduled",
            )  # fmt: skip
            tx.add(event)
            await tx.flush()
            ids.append(event.id)
        return ids[0], ids[1], ids[2], org.id


async def _every_pushed_message(
    db: Database, channel: CollectingChannel, inbox: Inbox, *, discreet: bool
) -> tuple[list[str], set[str]]:
    """Two people in the program receive every kind of message the bot pushes; returns the
    texts (with button titles) the second one received, and the kinds of what was sent."""
    await register(Person(inbox, channel, address="11"), "kota ambon", discreet=discreet)
    await register(Person(inbox, channel, address="22"), "kota ambon", discreet=discreet)
    first, second = await participant_id(db, "11"), await participant_id(db, "22")
    wednesday, thursday, _monday, org_id = await _bapas_program(db)
    clock = Clock(NOW)
    channel.sent.clear()

    async with db.transaction() as tx:
        people = [await tx.get(Participant, pid) for pid in (first, second)]
        assert people[0] is not None and people[1] is not None
        event = await tx.get(ProgramSession, wednesday)
        assert event is not None
        await enrol(tx, people[0], event, NOW, POLICY, confirm=True)  # the one seat
        await enrol(tx, people[1], event, NOW, POLICY, confirm=True)  # the waiting list
        other = await tx.get(ProgramSession, thursday)
        assert other is not None
        await enrol(tx, people[1], other, NOW, POLICY, confirm=True)
        appointment = Appointment(
            participant_id=second, organisation_id=org_id, kind="reporting", caseworker="PK Budi",
            starts_at=local(ZONE, 2026, 12, 4, 10, 0), duration_minutes=30, timezone=ZONE,
            place="Kantor Bapas Ambon", bring="Kartu klien Bapas", contact="PK Budi 0812-3333-4444",
            active=True,
        )  # fmt: skip
        await add_appointment(tx, appointment, people[1], NOW, POLICY)
        appointment_id = appointment.id
    await dispatcher(db, channel, clock).run_once()

    clock.now = local(ZONE, 2026, 11, 30, 12, 0)
    async with db.transaction() as tx:
        seated = await enrolment_of(tx, first, wednesday)
        assert seated is not None
        await withdraw(tx, seated, clock.now, POLICY)  # a seat comes free for the second
    await dispatcher(db, channel, clock).run_once()
    async with db.transaction() as tx:
        other = await tx.get(ProgramSession, thursday)
        assert other is not None
        await cancel_session(tx, other, clock.now, POLICY)
        event = await tx.get(ProgramSession, wednesday)
        assert event is not None
        start = local(ZONE, 2026, 12, 2, 10, 0)
        await move_session(
            tx, event, start.astimezone(UTC), start.replace(hour=12).astimezone(UTC),
            clock.now, POLICY,
        )  # fmt: skip
    await dispatcher(db, channel, clock).run_once()

    for moment in (
        local(ZONE, 2026, 12, 1, 10, 0),  # the day before Wednesday
        local(ZONE, 2026, 12, 2, 8, 0),  # two hours before
        local(ZONE, 2026, 12, 3, 10, 0),  # the day before the appointment
    ):
        clock.now = moment
        await dispatcher(db, channel, clock).run_once()

    clock.now = local(ZONE, 2026, 12, 2, 13, 0)
    async with db.transaction() as tx:
        event = await tx.get(ProgramSession, wednesday)
        person = await tx.get(Participant, second)
        assert event is not None and person is not None
        await mark_attendance(tx, event, person, False, clock.now, POLICY)
        await cancel_appointment(tx, appointment_id, clock.now, POLICY)
    await dispatcher(db, channel, clock).run_once()

    async with db.transaction() as tx:
        query = select(ScheduledMessage.kind).where(
            ScheduledMessage.participant_id == second, ScheduledMessage.status == "sent"
        )
        kinds = set((await tx.execute(query)).scalars())
    texts = [
        "\n".join([reply.text, *(b.title for b in reply.buttons)])
        for address, reply in channel.sent
        if address == "22"
    ]
    return texts, kinds


EVERY_KIND = {"confirmation", "waitlisted", "seat", "cancelled", "moved", "reminder", "followup"}


async def test_discreet_person_never_receives_a_sensitive_word_in_any_pushed_message(
    db: Database, inbox: Inbox, channel: CollectingChannel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="handlers.reminders.discretion")
    texts, kinds = await _every_pushed_message(db, channel, inbox, discreet=True)
    assert kinds == EVERY_KIND
    assert len(texts) >= 9
    for text in texts:
        assert SENSITIVE.search(text) is None, text
        for word in ("Bapas", "Wajib Lapor", "klien", "PB", "PK Budi"):
            assert word.lower() not in text.lower(), text
    assert any("0812-3333-4444" in text for text in texts)  # the number stays, not "PK Budi"
    # Each field was concealed before the message was composed; the last-resort guard had no
    # work to do (it would have left "…" in the text).
    assert not any("…" in text for text in texts)
    assert "discreet guard" not in caplog.text


async def test_a_person_not_in_discreet_mode_sees_the_real_names(
    db: Database, inbox: Inbox, channel: CollectingChannel
) -> None:
    texts, kinds = await _every_pushed_message(db, channel, inbox, discreet=False)
    assert kinds == EVERY_KIND
    everything = "\n".join(texts)
    for name in ("Wajib Lapor Klien PB", "Bapas Kelas II Ambon", "Kartu klien Bapas", "PK Budi"):
        assert name in everything


@pytest.mark.parametrize(
    ("category", "answer", "discreet"),
    [
        ("cat:former_inmate", "tidak", True),  # "turn it off?" - no: it stays on
        ("cat:bapas_client", "tidak", True),
        ("cat:bapas_client", "ya", False),  # they may turn it off
        ("cat:youth", "tidak", False),  # "turn it on?" - no
        ("cat:youth", "ya", True),
    ],
)
async def test_discreet_mode_is_on_by_default_for_former_inmates_and_bapas_clients(
    person: Person, db: Database, category: str, answer: str, discreet: bool
) -> None:
    for text in ("halo", "setuju", "ya"):
        await person.says(text)
    await person.presses(category)
    for text in ("kota ambon", "ya", "lewati", "pelatihan"):
        await person.says(text)
    replies = await person.presses("time:morning")
    question = replies[-1].text
    if category in ("cat:former_inmate", "cat:bapas_client"):
        assert "Mode rahasia sedang aktif" in question and "Mau dimatikan?" in question
        assert [b.title for b in replies[-1].buttons] == ["Ya, matikan", "Tidak, biarkan aktif"]
    else:
        assert "Mau kami nyalakan mode rahasia?" in question
    await person.says(answer)
    await person.says("benar")
    async with db.transaction() as tx:
        saved = (await tx.execute(select(Participant))).scalar_one()
    assert (saved.status, saved.discreet) == ("active", discreet)


async def test_a_bapas_client_can_turn_discreet_mode_off_in_profil(
    person: Person, db: Database
) -> None:
    for text in ("halo", "setuju", "ya"):
        await person.says(text)
    await person.presses("cat:bapas_client")
    for text in ("kota ambon", "ya", "lewati", "pelatihan", "pagi", "tidak", "benar"):
        await person.says(text)
    replies = await person.says("/profil")
    assert "Mode rahasia: <b>Aktif</b>" in replies[-1].text
    await person.presses("profile:edit")
    replies = await person.says("mode rahasia")
    assert "sedang aktif" in replies[-1].text
    replies = await person.presses("discreet:no")
    assert "Mode rahasia: <b>Tidak aktif</b>" in replies[-1].text
    async with db.transaction() as tx:
        saved = (await tx.execute(select(Participant))).scalar_one()
    assert saved.discreet is False
