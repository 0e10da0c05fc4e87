"""Staff acting from the phone: two organisations with programs, sessions, participants and
staff chats, a staff member's phone that writes at a moment of the test's choosing, and the
WhatsApp limits every reply must keep."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.channels.whatsapp.render import render
from bot.inbox import Inbox
from handlers.programs.appointments import add_appointment
from handlers.programs.changes import withdraw
from handlers.reminders.planning import enrol
from handlers.reminders.rules import ReminderPolicy
from handlers.types import Incoming, Kind, Reply
from storage.db import Database
from storage.models import (
    Appointment,
    AuditEntry,
    Enrolment,
    Occurrence,
    Organisation,
    Participant,
    Program,
    ProgramSession,
    StaffRole,
)
from tests.fakes.channel import CollectingChannel
from tests.helpers.participants import add_participant
from tests.helpers.staff.partners import StaffChat, add_staff

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # Monday 12.00 WIB
_updates = itertools.count(1)


@dataclass
class Phone:
    """A staff member's chat: each call returns the replies one message produced."""

    inbox: Inbox
    channel: CollectingChannel
    address: str
    now: datetime = NOW

    async def _send(self, kind: Kind, **fields: object) -> list[Reply]:
        before = len(self.channel.sent)
        incoming = Incoming(
            channel=self.channel.name,
            address=self.address,
            kind=kind,
            dedupe_key=f"{self.channel.name}:staff:{next(_updates)}",
            received_at=self.now,
            **fields,  # type: ignore[arg-type]
        )
        await self.inbox.receive(incoming)
        return [r for address, r in self.channel.sent[before:] if address == self.address]

    async def says(self, text: str) -> list[Reply]:
        if text.startswith("/"):
            head, _sep, args = text[1:].partition(" ")
            return await self._send(Kind.COMMAND, text=text, command=head, args=args)
        return await self._send(Kind.TEXT, text=text)

    async def presses(self, payload: str) -> list[Reply]:
        return await self._send(Kind.BUTTON, payload=payload)


def text_of(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


def button(replies: list[Reply], title: str) -> str:
    """The payload of the button titled `title` (exactly, or starting with it)."""
    found = [b for r in replies for b in r.buttons if b.title == title]
    found = found or [b for r in replies for b in r.buttons if b.title.startswith(title)]
    assert found, f"no button {title!r} in {[b.title for r in replies for b in r.buttons]}"
    return found[0].payload


def fits_whatsapp(replies: list[Reply]) -> None:
    """Every reply shows on WhatsApp as it is meant to: at most 3 reply buttons, or a list of at
    most 10 rows (never numbered text), titles within WhatsApp's limits."""
    assert replies
    for reply in replies:
        assert len(reply.buttons) <= 10, [b.title for b in reply.buttons]
        assert all(len(b.title) <= 20 for b in reply.buttons), [b.title for b in reply.buttons]
        assert all(len(b.payload.encode()) <= 64 for b in reply.buttons)
        for part in render(reply):
            message = part.message
            if message["type"] != "interactive":
                continue
            action = message["interactive"]["action"]
            if message["interactive"]["type"] == "button":
                assert len(action["buttons"]) <= 3
                assert all(len(b["reply"]["title"]) <= 20 for b in action["buttons"])
            else:
                rows = [row for section in action["sections"] for row in section["rows"]]
                assert len(rows) <= 10
                assert all(len(row["title"]) <= 24 for row in rows)
                assert len(action["button"]) <= 20


@dataclass
class World:
    org: int
    other_org: int
    program: int
    today: int  # a session of org's program that began at 09.00 WIB today
    later: int  # the same program on Thursday 09.00 WIB
    next_week: int  # the same program, 10 days ahead (out of /sesi's week)
    other_session: int  # org B's session on Wednesday
    budi: int  # the caseworker's
    sari: int  # the caseworker's
    agus: int  # another caseworker's, same organisation
    wati: int  # organisation B's
    admin: StaffChat
    caseworker: StaffChat
    colleague: StaffChat
    stranger: StaffChat  # organisation B's caseworker


async def _org(db: Database, name: str) -> int:
    async with db.transaction() as tx:
        org = Organisation(name=name, kind="bapas", timezone="Asia/Jakarta", created_at=NOW)
        tx.add(org)
        await tx.flush()
        return org.id


async def _program(db: Database, org: int, name: str) -> int:
    async with db.transaction() as tx:
        program = Program(organisation_id=org, name=name, kind="job_training", created_at=NOW)
        tx.add(program)
        await tx.flush()
        return program.id


async def add_session(
    db: Database, program: int, start: datetime, *, capacity: int | None = 10
) -> int:
    async with db.transaction() as tx:
        event = ProgramSession(
            program_id=program, title=None, starts_at=start, ends_at=start + timedelta(hours=3),
            timezone="Asia/Jakarta", place="Aula Bapas", capacity=capacity, status="scheduled",
            created_at=NOW - timedelta(days=7), updated_at=NOW - timedelta(days=7),
        )  # fmt: skip
        tx.add(event)
        await tx.flush()
        return event.id


async def enrol_in(db: Database, participant: int, session: int) -> None:
    """Enrolled a week ago, as staff would have (the confirmation went out then)."""
    async with db.transaction() as tx:
        person = await tx.get(Participant, participant)
        event = await tx.get(ProgramSession, session)
        assert person is not None and event is not None
        await enrol(tx, person, event, NOW - timedelta(days=7), ReminderPolicy(), confirm=False)


async def answer(
    db: Database,
    participant: int,
    session: int,
    rsvp: str,
    *,
    reason: str | None = None,
    days: str | None = None,
) -> int:
    """What the person's reminder answer leaves (handlers/reminders/rsvp.py): the answer, and
    for "no" or "reschedule" the seat given up. Returns the enrolment's id."""
    async with db.transaction() as tx:
        row = (
            await tx.execute(
                select(Enrolment).where(
                    Enrolment.participant_id == participant, Enrolment.session_id == session
                )
            )
        ).scalar_one()
        row.rsvp, row.rsvp_at = rsvp, NOW - timedelta(hours=3)
        row.reschedule_reason, row.reschedule_days = reason, days
        if rsvp in ("no", "reschedule"):
            await withdraw(tx, row, NOW - timedelta(hours=3), ReminderPolicy())
        return row.id


async def world(db: Database, channel: str) -> World:
    org = await _org(db, "Bapas Kelas I Semarang")
    other_org = await _org(db, "Bapas Kelas II Pekalongan")
    program = await _program(db, org, "Pelatihan Las")
    other_program = await _program(db, other_org, "Pelatihan Menjahit")
    today = await add_session(db, program, NOW - timedelta(hours=3))  # 09.00 WIB today
    later = await add_session(db, program, NOW + timedelta(days=3, hours=-3), capacity=2)
    next_week = await add_session(db, program, NOW + timedelta(days=10))
    other_session = await add_session(db, other_program, NOW + timedelta(days=2))
    admin = await add_staff(db, org, "Pak Hendra", channel=channel, address="7001")
    caseworker = await add_staff(
        db, org, "Bu Rina", role=StaffRole.CASEWORKER, channel=channel, address="7002"
    )
    colleague = await add_staff(
        db, org, "Mas Dedi", role=StaffRole.CASEWORKER, channel=channel, address="7003"
    )
    stranger = await add_staff(
        db, other_org, "Bu Wati", role=StaffRole.CASEWORKER, channel=channel, address="7004"
    )
    people = {}
    for name, home, caseworker_id in (
        ("Budi Santoso", org, caseworker.view.staff_id),
        ("Sari Dewi", org, caseworker.view.staff_id),
        ("Agus Salim", org, colleague.view.staff_id),
        ("Wati Lestari", other_org, stranger.view.staff_id),
    ):
        pid = await add_participant(db, name, now=NOW - timedelta(days=30))
        async with db.transaction() as tx:
            person = await tx.get(Participant, pid)
            assert person is not None
            person.organisation_id, person.caseworker_id = home, caseworker_id
        people[name.split()[0].lower()] = pid
    for pid in (people["budi"], people["sari"], people["agus"]):
        await enrol_in(db, pid, today)
        await enrol_in(db, pid, later)
    await enrol_in(db, people["wati"], other_session)
    return World(
        org, other_org, program, today, later, next_week, other_session,
        people["budi"], people["sari"], people["agus"], people["wati"],
        admin, caseworker, colleague, stranger,
    )  # fmt: skip


async def audit_of(db: Database, action: str) -> list[AuditEntry]:
    async with db.transaction() as tx:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list((await tx.execute(query)).scalars())


async def begun_session(
    db: Database, org: int, caseworker: int, now: datetime
) -> tuple[int, list[int]]:
    """A program of `org` whose session began an hour before `now`, with two of the
    caseworker's participants in it (Budi, then Sari); returns the session and their ids."""
    program = await _program(db, org, "Pelatihan Las")
    session = await add_session(db, program, now - timedelta(hours=1))
    people = []
    for name in ("Budi Santoso", "Sari Dewi"):
        pid = await add_participant(db, name, now=now - timedelta(days=30))
        async with db.transaction() as tx:
            person = await tx.get(Participant, pid)
            assert person is not None
            person.organisation_id, person.caseworker_id = org, caseworker
        await enrol_in(db, pid, session)
        people.append(pid)
    return session, people


async def reporting_asked_to_reschedule(db: Database, org: int, participant: int) -> int:
    """A wajib lapor appointment on Wednesday 10.00 WIB at "Kantor Bapas Semarang", whose
    occurrence the participant asked to reschedule; returns the occurrence's id."""
    async with db.transaction() as tx:
        person = await tx.get(Participant, participant)
        assert person is not None
        appointment = Appointment(
            participant_id=participant, organisation_id=org, kind="reporting",
            starts_at=NOW + timedelta(days=2, hours=-2), duration_minutes=30,
            timezone="Asia/Jakarta", place="Kantor Bapas Semarang", active=True,
            created_at=NOW - timedelta(days=7),
        )  # fmt: skip
        await add_appointment(tx, appointment, person, NOW - timedelta(days=7), ReminderPolicy())
        occurrence = (
            await tx.execute(select(Occurrence).where(Occurrence.appointment_id == appointment.id))
        ).scalar_one()
        occurrence.rsvp, occurrence.rsvp_at = "reschedule", NOW - timedelta(hours=1)
        occurrence.reschedule_reason = "Motor rusak"
        return occurrence.id
