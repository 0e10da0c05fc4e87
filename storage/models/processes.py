"""What several bot processes on one database share beyond the rows they work on: each
channel's send budget, and the start-up tasks that one process does for all."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class SendBudget(Base):
    """One channel's pace, shared by every process that sends on it: the next free send slot
    (seconds since the epoch). A process takes a block of slots at once (bot/outbox/budget.py)."""

    __tablename__ = "send_budgets"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)  # "telegram", "telegram:paid"
    next_slot: Mapped[float] = mapped_column(Float)


class StartUpTask(Base):
    """A task one process does for all at start-up (telling Telegram the webhook and the command
    menu): done again only when what it registers changed, or after a while."""

    __tablename__ = "start_up_tasks"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # a hash of what was registered
    done_at: Mapped[datetime]
