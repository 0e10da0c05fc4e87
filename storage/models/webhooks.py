"""Webhook deliveries stored raw before they are answered, and handled from here (WhatsApp)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class DeliveryStatus:
    PENDING = "pending"  # stored and answered 200; not handled yet (or being handled: see lease)
    FAILED = "failed"  # could not be handled after a few tries; its body is gone, see error


class WebhookDelivery(Base):
    """One POST a platform made to our webhook, kept only until it is handled.

    The body holds personal data (names, numbers, texts): it is deleted as soon as the delivery is
    handled, and a delivery given up on keeps its reason but not its body.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)  # rises in the order of arrival
    channel: Mapped[str] = mapped_column(String(16))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)  # the raw bytes, as signed
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.PENDING)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64))  # the worker handling it now
    # Until when that worker holds it (it renews the lease while working); after that, a worker
    # that died is presumed gone and another takes the delivery.
    lease_until: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(200))  # why it failed: a type, never the body
    failed_at: Mapped[datetime | None]
