"""Organisations, their programs and sessions, enrolments, and one-to-one appointments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.types import utcnow


class Organisation(Base):
    """A Rutan, Lapas, LPKA, Bapas, Pemkot, Pemkab, Dinas, Polres or LSM."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(32))
    contact: Mapped[str | None] = mapped_column(String(120))  # phone or WhatsApp link for people
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Program(Base):
    """Job training, counselling, legal counselling, schooling, ... run by one organisation."""

    __tablename__ = "programs"
    __table_args__ = (UniqueConstraint("organisation_id", "name", name="uq_programs_org_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(24))
    reminder_offsets: Mapped[list[int] | None] = mapped_column(
        JSON
    )  # minutes before; None: default
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class SessionStatus:
    SCHEDULED = "scheduled"  # will take place as planned
    MOVED = "moved"  # will take place, at a new time or place (participants were told)
    CANCELLED = "cancelled"  # will not take place (participants were told)


class ProgramSession(Base):
    """One meeting of a program: a training day, a counselling group, a legal-aid talk."""

    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_program_start", "program_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"))
    title: Mapped[str | None] = mapped_column(String(120))  # None: the program's name
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    timezone: Mapped[str] = mapped_column(String(32))  # where it happens; times are stored in UTC
    place: Mapped[str] = mapped_column(String(200))
    map_url: Mapped[str | None] = mapped_column(String(300))
    bring: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    contact: Mapped[str | None] = mapped_column(String(120))  # the organiser to call
    city_key: Mapped[str | None] = mapped_column(String(48))  # regency, for matching open sessions
    open: Mapped[bool] = mapped_column(Boolean, default=False)  # participants may join themselves
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.SCHEDULED)
    reminder_offsets: Mapped[list[int] | None] = mapped_column(JSON)  # overrides the program's
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    program: Mapped[Program] = relationship(lazy="joined")

    @property
    def display_title(self) -> str:
        return self.title or self.program.name


class Answers:
    """What a participant answered to reminders about one meeting, and whether they came."""

    rsvp: Mapped[str | None] = mapped_column(String(16))  # "yes", "no", "reschedule"
    rsvp_at: Mapped[datetime | None]
    reschedule_reason: Mapped[str | None] = mapped_column(Text)
    reschedule_days: Mapped[str | None] = mapped_column(String(120))
    attendance: Mapped[str | None] = mapped_column(String(16))  # "attended" or "absent"
    attendance_at: Mapped[datetime | None]
    # A "no" or "reschedule" answer that staff dealt with (moved the person, offered a new time,
    # or marked it done): it leaves the caseworker's digest.
    handled_at: Mapped[datetime | None]
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))


class EnrolmentStatus:
    ENROLLED = "enrolled"  # has a seat
    WAITLISTED = "waitlisted"  # the session was full; moves up when a seat frees
    WITHDRAWN = "withdrawn"  # no longer coming (said so, or staff removed them)


class Enrolment(Answers, Base):
    """A participant's place in one session, their answer to reminders, and their attendance."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("participant_id", "session_id", name="uq_enrolments"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=EnrolmentStatus.ENROLLED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[ProgramSession] = relationship(lazy="joined")


class Membership(Base):
    """A participant enrolled in a whole program: they join each of its sessions as it is added."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("participant_id", "program_id", name="uq_memberships"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Appointment(Base):
    """A one-to-one meeting with a caseworker (counselling, mandatory reporting), maybe recurring."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(24))  # "counselling" or "reporting"
    caseworker: Mapped[str | None] = mapped_column(String(120))
    starts_at: Mapped[datetime]  # the first occurrence
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    timezone: Mapped[str] = mapped_column(String(32))
    recurrence: Mapped[str | None] = mapped_column(
        String(32)
    )  # "weekly:1", "weekly:2", "monthly:5"
    until: Mapped[datetime | None]
    place: Mapped[str] = mapped_column(String(200))
    bring: Mapped[str | None] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Occurrence(Answers, Base):
    """One dated instance of an appointment, with the participant's answer and attendance."""

    __tablename__ = "occurrences"
    __table_args__ = (UniqueConstraint("appointment_id", "starts_at", name="uq_occurrences"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), index=True)
    starts_at: Mapped[datetime]
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)

    appointment: Mapped[Appointment] = relationship(lazy="joined")
