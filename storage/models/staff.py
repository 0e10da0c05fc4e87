"""Staff and what connects them to participants: staff members (caseworkers, admins), one-time
invite codes, assignment rules, partnerships between organisations, referrals, the audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class StaffRole:
    CASEWORKER = "caseworker"  # pendamping, petugas, Pembimbing Kemasyarakatan at a Bapas
    ADMIN = "admin"  # a program coordinator: the whole organisation


class StaffStatus:
    ACTIVE = "active"
    REVOKED = "revoked"  # every staff power gone at once; the row stays for the audit log


class Staff(Base):
    """A caseworker or an admin of one organisation. Their chats are `Address` rows with
    `staff_id` set (a chat is a participant's or a staff member's, never both)."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), default=StaffStatus.ACTIVE)
    language: Mapped[str] = mapped_column(String(8), default="id")
    timezone: Mapped[str] = mapped_column(String(32), default="Asia/Jakarta")
    # The morning digest (handlers/digest/): at this hour of their own day, if on; on a day with
    # nothing to report, one short line (`digest_quiet_line`) or nothing at all.
    digest_hour: Mapped[int] = mapped_column(Integer, default=7, server_default="7")
    digest_on: Mapped[bool] = mapped_column(default=True, server_default=true())
    digest_quiet_line: Mapped[bool] = mapped_column(default=True, server_default=true())
    invited_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class InviteKind:
    STAFF = "staff"  # makes a staff member of whoever claims it (after they confirm their name)
    PRERELEASE = "prerelease"  # hands a pre-registered participant their own chat on release day
    RELINK = "relink"  # a participant with a new phone or number: the new chat takes over


class Invite(Base):
    """A one-time code: stored only as a hash, expires, works once."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the code
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(16))  # STAFF: the role it gives
    name: Mapped[str | None] = mapped_column(String(100))  # STAFF: the name it expects
    participant_id: Mapped[int | None] = mapped_column(  # PRERELEASE, RELINK: who it is for
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # STAFF: once claimed
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # None: the CLI
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class AssignmentRule(Base):
    """At sign-up, a participant of this organisation living in `city_key` (or enrolled in
    `program_id`) is assigned to `caseworker_id`. The most specific rule wins."""

    __tablename__ = "assignment_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    city_key: Mapped[str | None] = mapped_column(String(48))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"))
    caseworker_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PartnershipStatus:
    PENDING = "pending"  # one admin proposed it; the other organisation's admin has not confirmed
    ACTIVE = "active"
    ENDED = "ended"


class Partnership(Base):
    """An agreement between two organisations; referrals run only along an active one."""

    __tablename__ = "partnerships"
    __table_args__ = (UniqueConstraint("organisation_id", "partner_id", name="uq_partnership"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))  # proposed it
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=PartnershipStatus.PENDING)
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]


class ReferralStatus:
    ASKED = "asked"  # the participant has not answered yet: the partner sees nothing
    ACTIVE = "active"  # the participant agreed: the partner sees them for that program
    DECLINED = "declined"
    WITHDRAWN = (
        "withdrawn"  # by either organisation or by the participant: the partner sees nothing
    )


class Referral(Base):
    """A participant referred to a partner organisation's program, with their consent."""

    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_partner_status", "partner_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))  # referring org
    partner_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id"))
    referred_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[str] = mapped_column(String(16), default=ReferralStatus.ASKED)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(
        String(16)
    )  # participant, organisation, partner


class AuditEntry(Base):
    """Who looked at or did what about whom, when, through which channel. Never updated or
    deleted by the bot; `detail` holds no personal data (ids, counts, kinds only)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_participant_at", "participant_id", "at"),
        Index("ix_audit_staff_at", "staff_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # None: the command line
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    action: Mapped[str] = mapped_column(String(32))  # view, export, invite, revoke, refer, ...
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"))
    channel: Mapped[str] = mapped_column(String(16))  # telegram, whatsapp, cli
    detail: Mapped[str | None] = mapped_column(String(200))


class DigestItem(Base):
    """Something a staff member's digest reported (by a key such as "missed:e:42": ids only), so
    that the next digest does not repeat it unless it is still open."""

    __tablename__ = "digest_items"
    __table_args__ = (UniqueConstraint("staff_id", "key", name="uq_digest_items"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    key: Mapped[str] = mapped_column(String(80))
    section: Mapped[str] = mapped_column(String(24))
    # The digest row that first reported it (None: sent on demand with /ringkasan): opening
    # that digest again later shows it again.
    scheduled_id: Mapped[int | None] = mapped_column(
        ForeignKey("scheduled_messages.id", ondelete="SET NULL")
    )
    reported_at: Mapped[datetime]
