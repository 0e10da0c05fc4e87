"""relay_messages: messages relayed between a participant and their caseworker

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "relay_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["participant_id"], ["participants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["outbox_id"], ["scheduled_messages.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_relay_participant_created", "relay_messages", ["participant_id", "created_at"]
    )
    op.create_index(op.f("ix_relay_messages_staff_id"), "relay_messages", ["staff_id"])
    op.create_index(op.f("ix_relay_messages_outbox_id"), "relay_messages", ["outbox_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_relay_messages_outbox_id"), table_name="relay_messages")
    op.drop_index(op.f("ix_relay_messages_staff_id"), table_name="relay_messages")
    op.drop_index("ix_relay_participant_created", table_name="relay_messages")
    op.drop_table("relay_messages")
