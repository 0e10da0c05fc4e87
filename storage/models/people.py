"""The tables: participants, their channel addresses, conversation state and the message log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.types import utcnow


class ParticipantStatus:
    REGISTERING = "registering"  # consented, sign-up not yet confirmed
    ACTIVE = "active"  # signed up; receives messages
    STOPPED = "stopped"  # asked for no messages (/berhenti); reversible with /mulai
    UNREACHABLE = (
        "unreachable"  # blocked the bot or the chat is gone; cleared when they write again
    )
    ERASED = "erased"  # personal data erased (/hapus); only anonymous fields remain
    PREREGISTERED = "preregistered"  # entered by staff before release; no chat, no consent yet


class Participant(Base):
    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(
        String(16), default=ParticipantStatus.REGISTERING, index=True
    )
    name: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(80))
    city_key: Mapped[str | None] = mapped_column(String(48))
    province: Mapped[str | None] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(20))
    interests: Mapped[list[str]] = mapped_column(default=list)
    contact_time: Mapped[str | None] = mapped_column(String(16))
    discreet: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )  # reminders never name the institution
    start_code: Mapped[str | None] = mapped_column(String(64))
    # Which organisation serves them, and their caseworker (assignment rules at sign-up; staff
    # reassign). Staff see a participant only through handlers/staff/scope.py.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    release_date: Mapped[date | None]  # expected or actual; check-ins count from it
    consent_at: Mapped[datetime | None]
    consent_version: Mapped[str | None] = mapped_column(String(16))
    registered_at: Mapped[datetime | None]
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    addresses: Mapped[list[Address]] = relationship(back_populates="participant")

    @property
    def reachable(self) -> bool:
        return self.status == ParticipantStatus.ACTIVE


class Address(Base):
    """One way to reach a person on one channel: a Telegram chat, a WhatsApp number, a terminal."""

    __tablename__ = "addresses"
    __table_args__ = (
        UniqueConstraint("channel", "value", name="uq_addresses_channel_value"),
        UniqueConstraint("channel", "alias", name="uq_addresses_channel_alias"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    # A staff member's chat instead (never both): staff commands work only here.
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(140))  # a chat id, a phone, a BSUID
    # A second identifier of the same person on this channel: on WhatsApp the phone number of an
    # address first seen by its business-scoped user id (BSUID), or the reverse (storage/addresses.py
    # `resolve_whatsapp`). Deleted with the address.
    alias: Mapped[str | None] = mapped_column(String(140))
    last_inbound_at: Mapped[datetime | None]
    blocked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    participant: Mapped[Participant | None] = relationship(back_populates="addresses")
    # Its conversation (`Conversation`, deleted with it) is read and written as plain rows:
    # storage/conversations.py.


class Conversation(Base):
    """Where one address is in a flow: the step it waits on and a small scratchpad."""

    __tablename__ = "conversations"

    address_id: Mapped[int] = mapped_column(
        ForeignKey("addresses.id", ondelete="CASCADE"), primary_key=True
    )
    flow: Mapped[str | None] = mapped_column(String(32))
    step: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    expires_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MessageStatus:
    RECEIVED = "received"  # inbound, handled
    QUEUED = "queued"  # outbound, committed, not yet handed to the platform
    SENT = "sent"  # the platform accepted it
    DELIVERED = "delivered"  # the platform says it reached the person's phone (WhatsApp)
    READ = "read"  # the platform says the person opened it (WhatsApp, if read receipts are on)
    FAILED = "failed"  # the platform refused it for good; see error


class Message(Base):
    """The log of every message in and out, with its delivery status."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_participant_created", "participant_id", "created_at"),
        # A status webhook names the message by the id our send got back.
        Index("ix_messages_channel_external", "channel", "external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL")
    )
    address_id: Mapped[int | None] = mapped_column(
        ForeignKey("addresses.id", ondelete="SET NULL"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(3))  # "in" or "out"
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(200))
    # The platform's id of the message: a WhatsApp wamid is ~60-70 characters and not promised
    # to stay that short, hence the room.
    external_id: Mapped[str | None] = mapped_column(String(128))
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    # A reply's buttons, template and language, as handlers/types.py `reply_fields` gives them:
    # kept while it is queued, so that a reply a crash kept from going out can be sent after the
    # restart (bot/inbox.py); cleared once it is sent or failed.
    pending_reply: Mapped[dict[str, Any] | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]  # a "delivered" status came (WhatsApp)
    read_at: Mapped[datetime | None]  # a "read" status came (WhatsApp)
