"""send_budgets, start_up_tasks: what several processes on one database share

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "send_budgets",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("next_slot", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "start_up_tasks",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("done_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # A dispatcher claims a person's rows only while no other holds or just sent one of theirs.
    op.create_index(
        "ix_scheduled_participant_status", "scheduled_messages", ["participant_id", "status"]
    )
    op.create_index("ix_scheduled_staff_status", "scheduled_messages", ["staff_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_scheduled_staff_status", table_name="scheduled_messages")
    op.drop_index("ix_scheduled_participant_status", table_name="scheduled_messages")
    op.drop_table("start_up_tasks")
    op.drop_table("send_budgets")
